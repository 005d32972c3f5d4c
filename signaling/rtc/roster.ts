// Who is in a group call: the room's current, valid call memberships, matched with the LiveKit participants by
// their backend identity. Only members are participants: a LiveKit participant without a membership is neither
// shown nor subscribed to (so neither seen nor heard), and a membership whose participant has not arrived is
// "connecting", never a frozen tile. Pure, so its rules are tested as tables.

/** One call membership as the kit reads it from matrix-js-sdk's `CallMembership`. */
export interface MembershipRecord {
  readonly sender: string;
  readonly userId: string;
  readonly deviceId: string;
  readonly memberId: string;
  /** The LiveKit identity its token carries (`${userId}:${deviceId}` in the state-event form, a hash in the sticky one). */
  readonly rtcBackendIdentity: string;
  /** When it expires (ms since the epoch); undefined when it does not say. */
  readonly expiresAt: number | undefined;
  /** The token service of the SFU it publishes on, or why its transport is not one the kit can use. */
  readonly transport: { readonly livekitServiceUrl: string } | { readonly refused: string };
  /** How many transports it lists (`foci_preferred`). */
  readonly transportCount: number;
  /** The state key of a state-event membership; undefined for the sticky form, which has none. */
  readonly stateKey: string | undefined;
}

/** More transports than any client lists (Element Call lists one): such a membership is not read further. */
export const MAX_TRANSPORTS = 16;

export interface RosterMember {
  readonly identity: string;
  readonly userId: string;
  readonly deviceId: string;
  readonly memberId: string;
  readonly livekitServiceUrl: string;
  /** Its LiveKit participant is in the room: media can flow. */
  readonly present: boolean;
}

export interface Roster {
  /** The other members, in membership order (oldest first, as the room state lists them). */
  readonly members: readonly RosterMember[];
  /** Memberships left out, each with the reason to log. */
  readonly dropped: readonly { readonly identity: string; readonly reason: string }[];
}

/**
 * The call's other members. `livekitIdentities` are the remote LiveKit participants connected now (on any of the
 * call's SFUs); `ownIdentity` is ours, left out (the local participant is not a tile of the roster).
 */
export function rosterOf(
  memberships: readonly MembershipRecord[],
  livekitIdentities: ReadonlySet<string>,
  ownIdentity: string,
  now: number,
): Roster {
  const members: RosterMember[] = [];
  const dropped: { identity: string; reason: string }[] = [];
  const seen = new Set<string>();
  for (const membership of memberships) {
    const identity = membership.rtcBackendIdentity;
    const { transport } = membership;
    const reason = invalidity(membership, now) ?? ('refused' in transport ? `its transport is not one the kit can use: ${transport.refused}` : undefined);
    if (reason || 'refused' in transport) {
      dropped.push({ identity, reason: reason ?? '' });
      continue;
    }
    if (identity === ownIdentity || seen.has(identity)) continue;
    seen.add(identity);
    members.push({
      identity,
      userId: membership.userId,
      deviceId: membership.deviceId,
      memberId: membership.memberId,
      livekitServiceUrl: transport.livekitServiceUrl,
      present: livekitIdentities.has(identity),
    });
  }
  return { members, dropped };
}

function invalidity(membership: MembershipRecord, now: number): string | undefined {
  if (membership.sender !== membership.userId) return `sent by ${membership.sender} for ${membership.userId}`;
  // matrix-js-sdk takes the member from the sender and does not look at the state key, which any member may
  // choose freely (the `_` prefix escapes Synapse's owned-state check): one naming someone else is a forgery.
  if (membership.stateKey !== undefined && !stateKeyBelongsTo(membership.stateKey, membership.sender)) {
    return `its state key ${JSON.stringify(membership.stateKey.slice(0, 200))} is not ${membership.sender}'s`;
  }
  if (membership.transportCount > MAX_TRANSPORTS) return `it lists ${membership.transportCount} transports (at most ${MAX_TRANSPORTS} are read)`;
  if (!membership.deviceId) return 'it names no device';
  if (membership.expiresAt !== undefined && membership.expiresAt <= now) return 'it has expired';
  return undefined;
}

/** The state keys a member's call membership is written under: `_@u:hs_DEVICE_m.call`, `@u:hs_DEVICE_m.call` or the legacy `@u:hs`. */
function stateKeyBelongsTo(stateKey: string, userId: string): boolean {
  return stateKey === userId || stateKey.startsWith(`_${userId}_`) || stateKey.startsWith(`${userId}_`);
}
