// One unused RTCPeerConnection kept ready for the next call. Creating a connection generates its DTLS
// certificate, which takes several milliseconds on a fast machine and far more on a slow phone; made ahead,
// that work is off the path from an invite arriving to it ringing, and from a click to the invite going out.

/** A connection handed out is replaced this long after, when the call it went to is past its set-up. */
const REFILL_DELAY_MS = 5_000;

export interface SparePeerConnectionOptions {
  create?: (configuration: RTCConfiguration) => RTCPeerConnection;
  refillDelayMs?: number;
}

export class SparePeerConnection {
  private spare: RTCPeerConnection | undefined;
  private refillTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;
  private readonly create: (configuration: RTCConfiguration) => RTCPeerConnection;
  private readonly refillDelayMs: number;

  constructor(options: SparePeerConnectionOptions = {}) {
    this.create = options.create ?? ((configuration) => new RTCPeerConnection(configuration));
    this.refillDelayMs = options.refillDelayMs ?? REFILL_DELAY_MS;
  }

  /** Whether a spare is waiting (for tests and diagnostics). */
  get ready(): boolean {
    return this.spare !== undefined;
  }

  /**
   * Makes the spare now, unless there is one; a browser without WebRTC gets none. Its ICE servers and
   * policy are the call's, set when it is taken.
   */
  prepare(): void {
    if (this.disposed || this.spare || typeof RTCPeerConnection === 'undefined') return;
    try {
      this.spare = this.create({});
    } catch {
      // Out of connections, or WebRTC disabled: calls then create theirs and fail there, with a reason.
      this.spare = undefined;
    }
  }

  /**
   * A connection for a call: the spare, given the call's `configuration` (the spare was made without ICE
   * servers), or a new one when there is no spare or it cannot take the configuration.
   */
  take(configuration: RTCConfiguration): RTCPeerConnection {
    const spare = this.spare;
    this.spare = undefined;
    this.scheduleRefill();
    if (spare && spare.signalingState === 'stable' && spare.connectionState === 'new' && !spare.localDescription) {
      try {
        spare.setConfiguration(configuration);
        return spare;
      } catch {
        spare.close();
      }
    } else {
      spare?.close();
    }
    return this.create(configuration);
  }

  dispose(): void {
    this.disposed = true;
    if (this.refillTimer !== undefined) clearTimeout(this.refillTimer);
    this.refillTimer = undefined;
    this.spare?.close();
    this.spare = undefined;
  }

  private scheduleRefill(): void {
    if (this.disposed) return;
    if (this.refillTimer !== undefined) clearTimeout(this.refillTimer);
    this.refillTimer = setTimeout(() => {
      this.refillTimer = undefined;
      this.prepare();
    }, this.refillDelayMs);
  }
}
