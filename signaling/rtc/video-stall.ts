// When a remote video stops decoding (a link drop, a lost key frame), Chrome's receiver asks for a key frame,
// and then only every 3 s while none arrives: a drop it asked during leaves the picture frozen for up to 3 s
// after the link is back. This watches each remote video cheaply (the time of its last delivered frame) and,
// once packets arrive again while no frame decodes, asks the SFU for a key frame at once.
// The decisions are pure functions; VideoStallWatch samples the receivers and makes the request.
import type { RemoteTrackPublication, RemoteVideoTrack, Room as LivekitRoom } from 'livekit-client';
import type { Logger } from '../log.js';

/** A video whose last frame is older than this counts as stalled (frames come every 33–100 ms). */
export const STALL_AFTER_MS = 300;
/**
 * A request that did not help (asked while the link was still down, or the frames cannot be decrypted) is
 * repeated when packets arrive, at the earliest this long after it, doubling each time in one stall.
 */
export const REPEAT_AFTER_MS = 1_000;

export interface VideoStallState {
  /** Opaque, changes with each delivered frame (the receiver's synchronization source timestamp). */
  readonly frameStamp: number | undefined;
  /** Since when `frameStamp` has not changed. */
  readonly unchangedSince: number;
  /** Packets received at the last look in this stall, undefined until then. */
  readonly packets: number | undefined;
  /** Key frames asked for in this stall, and when the last one was. */
  readonly requests: number;
  readonly lastRequestAt: number | undefined;
}

/** A new frame (or the first look) starts a new observation; a frame unchanged for long enough is a stall. */
export function observeFrames(state: VideoStallState | undefined, frameStamp: number | undefined, now: number): { state: VideoStallState; stalled: boolean } {
  if (state === undefined || frameStamp !== state.frameStamp) {
    return { state: { frameStamp, unchangedSince: now, packets: undefined, requests: 0, lastRequestAt: undefined }, stalled: false };
  }
  return { state, stalled: now - state.unchangedSince >= STALL_AFTER_MS };
}

/** In a stall: packets arriving since the last look call for a key frame, unless one was asked for just now. */
export function observePackets(state: VideoStallState, packetsReceived: number, now: number): { state: VideoStallState; requestKeyFrame: boolean } {
  const arriving = state.packets !== undefined && packetsReceived > state.packets;
  const next = { ...state, packets: packetsReceived };
  const quietFor = state.lastRequestAt === undefined ? Infinity : now - state.lastRequestAt;
  if (!arriving || quietFor < REPEAT_AFTER_MS * 2 ** Math.max(0, state.requests - 1)) return { state: next, requestKeyFrame: false };
  return { state: { ...next, requests: state.requests + 1, lastRequestAt: now }, requestKeyFrame: true };
}

/** How often remote videos are looked at: the delay between packets coming back and the key frame request. */
export const STALL_CHECK_MS = 150;

/** Watches the remote videos of the call's LiveKit rooms and asks for a key frame when one is stalled. */
export class VideoStallWatch {
  private readonly states = new Map<RemoteTrackPublication, VideoStallState>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private checking = false;

  constructor(private readonly rooms: () => readonly LivekitRoom[], private readonly log: Logger) {}

  start(): void {
    this.timer ??= setInterval(() => {
      void this.check().catch((error: unknown) => this.log.warn('watching the remote videos failed', error));
    }, STALL_CHECK_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.states.clear();
  }

  private async check(): Promise<void> {
    if (this.checking) return;
    this.checking = true;
    try {
      const watched = new Set<RemoteTrackPublication>();
      for (const room of this.rooms()) {
        for (const participant of room.remoteParticipants.values()) {
          for (const publication of participant.videoTrackPublications.values()) {
            const track = publication.videoTrack;
            if (!track || !('receiver' in track) || !track.receiver || publication.isMuted || !publication.isEnabled) continue;
            watched.add(publication);
            await this.checkOne(participant.identity, publication, track, track.receiver);
          }
        }
      }
      for (const publication of this.states.keys()) if (!watched.has(publication)) this.states.delete(publication);
    } finally {
      this.checking = false;
    }
  }

  private async checkOne(identity: string, publication: RemoteTrackPublication, track: RemoteVideoTrack, receiver: RTCRtpReceiver): Promise<void> {
    const frames = observeFrames(this.states.get(publication), latestFrameStamp(receiver), performance.now());
    this.states.set(publication, frames.state);
    if (!frames.stalled) return;
    const packets = await packetsReceived(receiver);
    const current = this.states.get(publication);
    if (packets === undefined || current === undefined) return;
    const decided = observePackets(current, packets, performance.now());
    this.states.set(publication, decided.state);
    if (!decided.requestKeyFrame) return;
    this.log.info(`the ${publication.source} video of ${identity} receives packets but decodes no frame: asking the SFU for a key frame`);
    // Pausing and resuming the subscription makes the SFU ask the publisher for a key frame at once.
    publication.setEnabled(false);
    publication.setEnabled(true);
    handBackToAdaptiveStream(publication, track);
  }
}

/**
 * After setEnabled, livekit-client keeps the subscription on whatever adaptive stream later decides (a tile
 * scrolled away would keep streaming), and it has no public way back: its own field for it is cleared. The
 * track is visible now (only enabled ones are watched), so adaptive stream's next decision starts from the truth.
 */
function handBackToAdaptiveStream(publication: RemoteTrackPublication, track: RemoteVideoTrack): void {
  const internals = publication as unknown as { requestedDisabled?: boolean };
  if (track.isAdaptiveStream && 'requestedDisabled' in internals) internals.requestedDisabled = undefined;
}

function latestFrameStamp(receiver: RTCRtpReceiver): number | undefined {
  const sources = receiver.getSynchronizationSources();
  return sources.length === 0 ? undefined : Math.max(...sources.map((source) => source.timestamp));
}

async function packetsReceived(receiver: RTCRtpReceiver): Promise<number | undefined> {
  let packets: number | undefined;
  (await receiver.getStats()).forEach((stats: RTCStats & { kind?: string; packetsReceived?: number }) => {
    if (stats.type === 'inbound-rtp' && stats.kind === 'video') packets = (packets ?? 0) + (stats.packetsReceived ?? 0);
  });
  return packets;
}
