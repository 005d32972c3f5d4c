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
}

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
  if (!membership.deviceId) return 'it names no device';
  if (membership.expiresAt !== undefined && membership.expiresAt <= now) return 'it has expired';
  return undefined;
}
