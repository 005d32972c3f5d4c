// Gets the caller's first video frame to the callee one camera frame sooner.
//
// The caller's video send stream only exists once the answer is applied (the offer does not settle the
// codec), and libwebrtc uses the first frame a new send stream gets to set up its encoder, without sending it;
// a camera frame that arrives before the connection is up is dropped too, and a camera cannot be asked for
// another one. So with the camera in the sender, the callee's first frame is the caller's second camera frame
// after the answer: at 20 fps, 50–100 ms after it. While the answer is applied and the connection comes up,
// the primer puts a generator track in the sender and writes copies of the camera's latest frame into it
// every few milliseconds: the new stream sets up its encoder on one, and the first copy after the connection
// is up goes out.
//
// The camera goes back into the sender a while after that, not at once: libwebrtc takes any change of a
// sender's track as a new start and may drop the next frames as too large for the bitrate it starts a link
// at (300 kbps) and scale the video down. A track change as the connection comes up cost the callee up to
// three frames and gave it a 320×180 first frame; a second later the link has been probed and the
// encoder's rate is the link's. Until then each new camera frame goes in as a copy.
//
// It needs Chromium's MediaStreamTrackProcessor and MediaStreamTrackGenerator on the window; elsewhere the
// camera goes into the sender as usual.

/** Often enough that the first frame goes out within a few milliseconds of the connection coming up. */
const COPY_INTERVAL_MS = 10;
/** A connection that is not up by then will not be soon: the camera goes back into the sender. */
const PRIMING_LIMIT_MS = 10_000;
/** How long after the connection is up the camera's frames still go in as copies (see above). */
export const SETTLING_MS = 1_000;

/** What the primer reads of the connection: whether it is up, or will never be. */
export type PrimedConnection = Pick<RTCPeerConnection, 'connectionState'>;

interface CameraFrame {
  readonly format: string | null;
  readonly visibleRect: { readonly width: number; readonly height: number } | null;
  allocationSize(): number;
  copyTo(destination: Uint8Array): Promise<unknown>;
  clone(): CameraFrame;
  close(): void;
}
interface FrameInit { format: string; codedWidth: number; codedHeight: number; timestamp: number }
interface TrackProcessor { readonly readable: ReadableStream<CameraFrame> }
interface TrackGenerator extends MediaStreamTrack { readonly writable: WritableStream<CameraFrame> }
interface InsertableStreams {
  MediaStreamTrackProcessor: new (init: { track: MediaStreamTrack }) => TrackProcessor;
  MediaStreamTrackGenerator: new (init: { kind: 'video' }) => TrackGenerator;
  VideoFrame: new (data: Uint8Array, init: FrameInit) => CameraFrame;
}

function insertableStreams(): InsertableStreams | undefined {
  const scope = globalThis as Partial<InsertableStreams>;
  const { MediaStreamTrackProcessor, MediaStreamTrackGenerator, VideoFrame } = scope;
  if (!MediaStreamTrackProcessor || !MediaStreamTrackGenerator || !VideoFrame) return undefined;
  return { MediaStreamTrackProcessor, MediaStreamTrackGenerator, VideoFrame };
}

export class FirstFramePrimer {
  /** The camera's latest frame, kept (not copied) until copies are wanted. */
  private latest: CameraFrame | undefined;
  /**
   * 'waiting' for the answer; 'copying' the latest frame every few milliseconds until the connection is up;
   * 'settling': copying each new camera frame until the camera goes back in.
   */
  private phase: 'waiting' | 'copying' | 'settling' = 'waiting';
  private copyTimer: ReturnType<typeof setTimeout> | undefined;
  private finishTimer: ReturnType<typeof setTimeout> | undefined;
  private finishing: Promise<void> | undefined;
  private readonly reader: ReadableStreamDefaultReader<CameraFrame>;
  private readonly writer: WritableStreamDefaultWriter<CameraFrame>;

  /**
   * Puts a generator track into `sender` in the camera's place, or returns undefined (the caller then puts
   * the camera in) where the browser has no insertable streams.
   */
  static async start(camera: MediaStreamTrack, sender: RTCRtpSender, pc: PrimedConnection): Promise<FirstFramePrimer | undefined> {
    const streams = insertableStreams();
    if (!streams) return undefined;
    // A clone, so that the frames read here do not depend on what the page does with the camera track.
    const source = camera.clone();
    const generator = new streams.MediaStreamTrackGenerator({ kind: 'video' });
    const primer = new FirstFramePrimer(camera, source, new streams.MediaStreamTrackProcessor({ track: source }), generator, sender, pc, streams.VideoFrame);
    await sender.replaceTrack(generator);
    return primer;
  }

  private constructor(
    private readonly camera: MediaStreamTrack,
    private readonly source: MediaStreamTrack,
    processor: TrackProcessor,
    private readonly generator: TrackGenerator,
    private readonly sender: RTCRtpSender,
    private readonly pc: PrimedConnection,
    private readonly VideoFrameFromData: new (data: Uint8Array, init: FrameInit) => CameraFrame,
  ) {
    this.reader = processor.readable.getReader();
    this.writer = generator.writable.getWriter();
    void this.keepLatest();
  }

  /** The answer is about to be applied: copies go into the sender until the connection is up, and a while after. */
  answerArriving(): void {
    if (this.phase !== 'waiting' || this.finishing) return;
    this.phase = 'copying';
    this.finishTimer = setTimeout(() => void this.finish(), PRIMING_LIMIT_MS);
    void this.writeCopies();
  }

  /** Puts the camera back into the sender (unless something else took its place) and lets go of the copies' sources. */
  finish(): Promise<void> {
    this.finishing ??= (async () => {
      clearTimeout(this.copyTimer);
      clearTimeout(this.finishTimer);
      if (this.sender.track === this.generator) {
        await this.sender.replaceTrack(this.camera.readyState === 'live' ? this.camera : null).catch(() => undefined);
      }
      await this.reader.cancel().catch(() => undefined);
      await this.writer.close().catch(() => undefined);
      this.latest?.close();
      this.latest = undefined;
      this.source.stop();
      this.generator.stop();
    })();
    return this.finishing;
  }

  private async keepLatest(): Promise<void> {
    for (;;) {
      const read = await this.reader.read().catch(() => undefined);
      if (!read || read.done) return;
      if (this.finishing) {
        read.value.close();
        return;
      }
      this.latest?.close();
      this.latest = read.value;
      if (this.phase === 'settling') void this.writeCopyOf(read.value);
    }
  }

  private async writeCopies(): Promise<void> {
    if (this.phase !== 'copying' || this.finishing) return;
    const state = this.pc.connectionState;
    if (state === 'closed' || state === 'failed') {
      await this.finish();
      return;
    }
    if (this.latest && !(await this.writeCopyOf(this.latest))) return;
    if (state === 'connected') {
      this.phase = 'settling';
      clearTimeout(this.finishTimer);
      this.finishTimer = setTimeout(() => void this.finish(), SETTLING_MS);
      return;
    }
    this.copyTimer = setTimeout(() => void this.writeCopies(), COPY_INTERVAL_MS);
  }

  /**
   * Writes a copy of `frame` into the sender, or finishes (returning false) when none can be made or the
   * camera is no longer live and enabled: what the page stops or disables stops being sent too.
   */
  private async writeCopyOf(frame: CameraFrame): Promise<boolean> {
    if (this.camera.readyState !== 'live' || !this.camera.enabled) {
      await this.finish();
      return false;
    }
    const copy = await this.copyOf(frame);
    if (!copy) {
      // A frame whose pixels cannot be read here (in GPU memory) cannot be copied: nothing to prime with.
      await this.finish();
      return false;
    }
    if (this.finishing) {
      copy.close();
      return false;
    }
    await this.writer.write(copy).catch(() => undefined);
    return true;
  }

  /**
   * A new frame with the camera frame's pixels and the time now: libwebrtc drops a frame whose capture time is
   * not after the last one's, and a copy made with `new VideoFrame(frame)` keeps the camera frame's.
   */
  private async copyOf(frame: CameraFrame): Promise<CameraFrame | undefined> {
    const { format, visibleRect } = frame;
    if (!format || !visibleRect) return undefined;
    // Held while its pixels are read, as a newer camera frame closes this one.
    const held = frame.clone();
    try {
      const data = new Uint8Array(held.allocationSize());
      await held.copyTo(data);
      return new this.VideoFrameFromData(data, {
        format, codedWidth: visibleRect.width, codedHeight: visibleRect.height, timestamp: Math.round(performance.now() * 1000),
      });
    } catch {
      return undefined;
    } finally {
      held.close();
    }
  }
}
