// What a group call shows: its phase, the local participant, the other members and layout hints. Elements read
// only this (through getSnapshot / subscribe); the MatrixRTC and LiveKit objects behind it stay inside signaling/.
import type { MxError } from '../errors.js';
import type { CallFeed } from '../media/feed.js';
import type { ReadableStore } from '../store/store.js';

export const GROUP_CALL_PHASES = ['joining', 'connected', 'reconnecting', 'leaving', 'left', 'failed'] as const;
/**
 * `joining` until our membership is published and the SFU connected; `reconnecting` while the SFU link is
 * being restored (media paused, membership kept); `left` after leave(); `failed` with `error` when the call
 * could not be joined or kept (our membership is removed either way).
 */
export type GroupCallPhase = (typeof GROUP_CALL_PHASES)[number];

export const CONNECTION_QUALITIES = ['excellent', 'good', 'poor', 'lost', 'unknown'] as const;
export type ConnectionQuality = (typeof CONNECTION_QUALITIES)[number];

export interface GroupParticipant {
  /** The LiveKit identity of the membership: stable for the membership's lifetime, a key for tiles. */
  readonly identity: string;
  readonly userId: string;
  readonly deviceId: string;
  readonly memberId: string;
  /** The room member's display name (the user id when there is none). */
  readonly name: string;
  /** Their avatar's mxc:// URL, if any. */
  readonly avatarUrl: string | undefined;
  /** `connecting` until their media connection arrives on the SFU; a member whose never arrives stays so. */
  readonly status: 'connecting' | 'connected';
  /** Their camera and microphone (`m.usermedia`), and their screen share with its audio (`m.screenshare`). */
  readonly feeds: readonly CallFeed[];
  readonly microphoneMuted: boolean;
  readonly cameraMuted: boolean;
  readonly screenSharing: boolean;
  readonly speaking: boolean;
  readonly connectionQuality: ConnectionQuality;
  /** Their media arrives end-to-end encrypted (always false in an unencrypted room's call). */
  readonly encrypted: boolean;
  /** When they raised their hand (ms since the epoch), while it is raised. */
  readonly handRaisedAt: number | undefined;
}

export interface LocalGroupParticipant {
  readonly userId: string;
  readonly deviceId: string;
  readonly identity: string;
  /** The local camera and microphone (the self-view), and our screen share while sharing. */
  readonly feeds: readonly CallFeed[];
  readonly microphoneMuted: boolean;
  readonly cameraMuted: boolean;
  readonly screenSharing: boolean;
  readonly speaking: boolean;
  /** When we raised our hand (ms since the epoch), while it is raised. */
  readonly handRaisedAt: number | undefined;
}

/**
 * A reaction someone sent in the call (Element Call's `io.element.call.reaction`). It stays in the snapshot
 * for `REACTION_SHOWN_MS`, long enough for an element to show it, then goes.
 */
export interface GroupReaction {
  /** The reaction event: unique, a key for animations. */
  readonly eventId: string;
  /** The identity of who sent it (ours for our own). */
  readonly identity: string;
  readonly emoji: string;
  /** Its name in Element Call's catalogue (`thumbsup`, `clap`, …), or the emoji's own for others. */
  readonly name: string;
  /** When it arrived (ms since the epoch). */
  readonly receivedAt: number;
}

/** How long a reaction stays in the snapshot. */
export const REACTION_SHOWN_MS = 3000;

/** A reaction a person can send: the emoji, and its name in Element Call's catalogue. */
export interface CallReactionChoice {
  readonly emoji: string;
  readonly name: string;
}

/**
 * Element Call's reactions (0.26), in its order and with its names: Element Call plays a sound by name, so a
 * reaction the kit sends sounds the same there.
 */
export const CALL_REACTIONS: readonly CallReactionChoice[] = [
  { emoji: '👍', name: 'thumbsup' },
  { emoji: '🎉', name: 'party' },
  { emoji: '👏', name: 'clapping' },
  { emoji: '🐶', name: 'dog' },
  { emoji: '🐱', name: 'cat' },
  { emoji: '💡', name: 'lightbulb' },
  { emoji: '🦗', name: 'crickets' },
  { emoji: '👎', name: 'thumbsdown' },
  { emoji: '😵‍💫', name: 'dizzy' },
  { emoji: '👌', name: 'ok' },
  { emoji: '🥰', name: 'heart' },
  { emoji: '😄', name: 'laugh' },
  { emoji: '🦌', name: 'deer' },
  { emoji: '🤘', name: 'rock' },
  { emoji: '👋', name: 'wave' },
  { emoji: '🥁', name: 'drum' },
];

/** The ring we sent when starting the call (`notify`), until someone answers, all decline or it expires. */
export interface OutgoingRing {
  /** The notification event. */
  readonly eventId: string;
  readonly state: 'ringing' | 'answered' | 'declined' | 'expired';
  /** Who declined it so far. */
  readonly declinedBy: readonly string[];
}

export interface GroupCallSnapshot {
  readonly roomId: string;
  readonly phase: GroupCallPhase;
  readonly local: LocalGroupParticipant;
  /** The other members, oldest membership first. */
  readonly participants: readonly GroupParticipant[];
  /** Identities of who is speaking now, loudest first (the local one included). */
  readonly activeSpeakers: readonly string[];
  /** Identities of the members sharing a screen, for the spotlight. */
  readonly screenShares: readonly string[];
  /** Recent reactions, oldest first (ours included). */
  readonly reactions: readonly GroupReaction[];
  /** The ring this call sent when it started, if it did. */
  readonly ring?: OutgoingRing;
  readonly error: MxError | undefined;
}

/** Per remote member: what the browser decoded and heard from them so far (inbound RTP statistics). */
export interface ReceivedMedia {
  readonly framesDecoded: number;
  /** `totalAudioEnergy` of their microphone track; above zero once sound arrived. */
  readonly audioEnergy: number;
}

export interface GroupCallHandle extends ReadableStore<GroupCallSnapshot> {
  readonly roomId: string;
  /** Resolves once joined (`connected`); rejects with an MxError when the join failed (nothing is left behind). */
  readonly joined: Promise<void>;
  setMicrophoneMuted(muted: boolean): Promise<void>;
  setCameraMuted(muted: boolean): Promise<void>;
  /**
   * Shares a screen, window or tab the person picks (call it from a click: browsers allow the picker only then),
   * with its audio where the browser captures it, or stops sharing. Others see it as a screen share with its
   * sound; the browser's own "Stop sharing" stops it too. Rejects with an MxError: MEDIA_PERMISSION_DENIED when
   * the picker was cancelled, MEDIA_UNSUPPORTED without screen capture, INVALID_STATE before the call is connected.
   */
  setScreenSharing(sharing: boolean): Promise<void>;
  /**
   * Raises or lowers our hand: Element Call's `m.reaction` 🖐️ on our membership event, redacted to lower it.
   * Rejects with an MxError when the homeserver refused it (the snapshot keeps the hand as it was).
   */
  setHandRaised(raised: boolean): Promise<void>;
  /** Sends a reaction to everyone in the call (Element Call's `io.element.call.reaction`). */
  sendReaction(reaction: CallReactionChoice): Promise<void>;
  /** Removes our membership and leaves the SFU; resolves when the membership is gone from the room. */
  leave(): Promise<void>;
  /** What has arrived from each connected member, by identity. */
  receivedMedia(): Promise<ReadonlyMap<string, ReceivedMedia>>;
}
