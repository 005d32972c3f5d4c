// The public shape of 1:1 calls: what the call manager publishes and what components render and drive.
import type { MxError } from '../errors.js';
import type { ReadableStore } from '../store/store.js';
import type { CallFeed } from '../media/feed.js';

/** Call phases, named as matrix-js-sdk's CallState names them so logs from both sides read alike. */
export const CALL_PHASES = [
  'fledgling',
  'wait_local_media',
  'create_offer',
  'invite_sent',
  'ringing',
  'create_answer',
  'connecting',
  'connected',
  'ended',
] as const;
export type CallPhase = (typeof CALL_PHASES)[number];

export const CALL_KINDS = ['voice', 'video'] as const;
export type CallKind = (typeof CALL_KINDS)[number];

export type CallDirection = 'outbound' | 'inbound';

/**
 * The `m.call.hangup` reasons on the wire: the spec's, plus the two matrix-js-sdk sends beyond them
 * (`replaced` on glare, `signalling_timeout` when it cannot send candidates).
 */
export const HANGUP_REASONS = [
  'ice_failed',
  'ice_timeout',
  'invite_timeout',
  'user_hangup',
  'user_media_failed',
  'user_busy',
  'unknown_error',
  'replaced',
  'signalling_timeout',
] as const;
export type HangupReason = (typeof HANGUP_REASONS)[number];

/** How a call ended: a hangup reason, or an end that is not a hangup on the wire (seen from this side). */
export const CALL_END_REASONS = [...HANGUP_REASONS, 'rejected', 'answered_elsewhere', 'rejected_elsewhere'] as const;
export type CallEndReason = (typeof CALL_END_REASONS)[number];

export interface CallPeer {
  readonly userId: string;
  readonly displayName: string | undefined;
  readonly avatarUrl: string | undefined;
}

export interface CallSnapshot {
  readonly callId: string;
  readonly roomId: string;
  readonly direction: CallDirection;
  /** Voice until either side adds video. */
  readonly kind: CallKind;
  readonly phase: CallPhase;
  readonly peer: CallPeer;
  readonly localFeeds: readonly CallFeed[];
  readonly remoteFeeds: readonly CallFeed[];
  readonly micMuted: boolean;
  readonly cameraMuted: boolean;
  readonly screensharing: boolean;
  /** We put the peer on hold. */
  readonly localOnHold: boolean;
  /** The peer put us on hold. */
  readonly remoteOnHold: boolean;
  /** Epoch ms when media first connected; for the duration display. */
  readonly connectedAt: number | undefined;
  readonly endedAt: number | undefined;
  readonly endReason: CallEndReason | undefined;
  readonly endedBy: 'local' | 'remote' | undefined;
  readonly error: MxError | undefined;
}

/** A call as components see it: its snapshot plus the intents a person can act on. */
export interface CallHandle extends ReadableStore<CallSnapshot> {
  answer(kind?: CallKind): Promise<void>;
  /**
   * Declines a ringing call. Like `hangup`, the call ends at once and the promise resolves when the `m.call.reject`
   * reached the homeserver (tried again through an outage) or was given up a minute after.
   */
  reject(): Promise<void>;
  /**
   * Ends the call at once (the snapshot says `ended`); resolves when the `m.call.hangup` reached the homeserver,
   * which an outage delays, or was given up a minute after the end. Asked again meanwhile, returns the same promise.
   */
  hangup(): Promise<void>;
  setMicMuted(muted: boolean): Promise<void>;
  /** Resolves when the camera is off, or open again; asked again meanwhile, returns the same promise. */
  setCameraMuted(muted: boolean): Promise<void>;
  setOnHold(onHold: boolean): Promise<void>;
  /** Resolves once the screen is shared (or the picker was closed); asked again meanwhile, opens no second picker. */
  setScreensharing(enabled: boolean): Promise<void>;
  /** Adds the camera to a voice call; resolves once it is open. Asked again meanwhile, opens no second camera. */
  upgradeToVideo(): Promise<void>;
  /**
   * Opens the camera or microphone again and sends it in place of the current one, on the same stream and
   * sender (no renegotiation). The device is the one the kit's `getUserMedia` picks, so this is how a call
   * follows a new choice in the device picker; `createCallKit` does it for live calls. When the device
   * cannot be opened the call keeps the old one and reports `error`. A muted (released) camera reopens
   * on the new device when unmuted.
   */
  reopenDevice(device: ReopenableDevice): Promise<void>;
  /**
   * The peer's avatar (`peer.avatarUrl`) as an image, through the homeserver's authenticated media API.
   * Only an `mxc://` avatar is fetched: any other URL (http, data, malformed) is never requested, since loading
   * a URL the peer chose would tell its server who is being called and that they are online. Resolves with
   * `undefined` when there is no image to show (none set, not mxc, not an image, too large, unreachable, the
   * call ended, or `signal` aborted); it never rejects.
   */
  loadPeerAvatar(options: PeerAvatarOptions): Promise<Blob | undefined>;
}

export interface PeerAvatarOptions {
  /** The side of the square thumbnail in device pixels. */
  readonly size: number;
  readonly signal?: AbortSignal | undefined;
}

/** The devices a call can switch while it goes on; the speaker is the media element's business. */
export type ReopenableDevice = 'camera' | 'microphone';

export interface CallManagerSnapshot {
  /**
   * The calls going on (ringing, being set up, or connected), oldest first. A call leaves when it ends; its
   * handle keeps its last snapshot for whoever holds it.
   */
  readonly calls: readonly CallHandle[];
  /** Inbound calls ringing now (a subset of `calls`). */
  readonly ringing: readonly CallHandle[];
}
