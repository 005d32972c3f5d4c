// LiveKit room names and participant identities derived from Matrix IDs, exactly as lk-jwt-service and
// matrix-js-sdk (`computeRtcIdentityRaw`) compute them: clients match LiveKit participants to MatrixRTC
// memberships by recomputing these values, so a single differing byte hides a participant.
// WebCrypto only (no node imports) so the same code is unit-tested in the browser.

/** The slot every legacy (`/sfu/get`) call lives in: application `m.call`, call id "" shown as `ROOM`. */
export const LEGACY_SLOT_ID = 'm.call#ROOM';

/** RFC 4648 standard base64 without `=` padding (the Matrix "unpadded base64"). */
export function unpaddedBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/=+$/, '');
}

// JSON.stringify rather than Go's encoder: they differ only on `<`, `>`, `&`, U+2028 and U+2029, which
// js-sdk (the other side that recomputes identities) also leaves unescaped.
async function hashJsonArray(parts: readonly string[]): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(JSON.stringify(parts)));
  return unpaddedBase64(new Uint8Array(digest));
}

/** LiveKit room name for a MatrixRTC slot: unpadded-b64(SHA-256(JSON `[room_id, slot_id]`)). */
export function liveKitRoomAlias(roomId: string, slotId: string): Promise<string> {
  return hashJsonArray([roomId, slotId]);
}

/** `/get_token` identity: unpadded-b64(SHA-256(JSON `[user_id, device_id, member_id]`)). */
export function liveKitIdentity(userId: string, deviceId: string, memberId: string): Promise<string> {
  return hashJsonArray([userId, deviceId, memberId]);
}

/** `/sfu/get` identity, which legacy `m.call.member` state events imply: `<mxid>:<device_id>`. */
export function legacyLiveKitIdentity(userId: string, deviceId: string): string {
  return `${userId}:${deviceId}`;
}
