import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { MxError } from '../../signaling/errors.js';
import type { UserMediaRequest } from '../../signaling/media/user-media.js';

/** What the preview opens the camera through: `MediaDevicesStore.getUserMedia`, which honours the chosen camera. */
export type OpenCamera = (request: UserMediaRequest) => Promise<MediaStream>;

/**
 * Which camera the host wants shown now: `undefined` for none, else a key that changes whenever the picture must be
 * opened again (another camera chosen).
 */
export interface PreviewWish {
  readonly key: string;
  readonly open: OpenCamera;
}

function stopTracks(stream: MediaStream): void {
  for (const track of stream.getTracks()) track.stop();
}

/**
 * Keeps one camera stream open while the host wants it and is connected: opens it when wanted, re-opens it when
 * the wish's key changes, and stops every track when it is no longer wanted or the host disconnects, so leaving
 * the lobby never leaves the camera light on. A stream that arrives after the wish changed is stopped at once.
 */
export class CameraPreviewController implements ReactiveController {
  /** The live preview, while there is one. */
  stream: MediaStream | undefined;
  /** Why the last attempt failed, until the next one starts. */
  error: MxError | undefined;
  /** An attempt is under way. */
  opening = false;

  private openedKey: string | undefined;
  private attempt = 0;
  private connected = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly wishOf: () => PreviewWish | undefined,
    private readonly onFailure: (error: MxError) => void,
  ) {
    host.addController(this);
  }

  hostConnected(): void {
    this.connected = true;
    // Lit does not update a re-attached element by itself; the camera closed on disconnect must open again.
    this.host.requestUpdate();
  }

  hostUpdate(): void {
    this.sync();
  }

  hostDisconnected(): void {
    this.connected = false;
    this.sync();
  }

  /** Tries again with the same wish, after a failure. */
  retry(): void {
    this.error = undefined;
    this.openedKey = undefined;
    this.host.requestUpdate();
  }

  private sync(): void {
    const wish = this.connected ? this.wishOf() : undefined;
    if (wish?.key === this.openedKey) return;
    this.release();
    this.openedKey = wish?.key;
    if (wish) void this.open(wish);
  }

  private release(): void {
    this.attempt += 1;
    if (this.stream) stopTracks(this.stream);
    this.stream = undefined;
    this.error = undefined;
    this.opening = false;
  }

  private async open(wish: PreviewWish): Promise<void> {
    const attempt = this.attempt;
    this.opening = true;
    let stream: MediaStream;
    try {
      stream = await wish.open({ video: true });
    } catch (error) {
      if (attempt !== this.attempt) return;
      this.opening = false;
      this.error = MxError.from(error);
      this.host.requestUpdate();
      this.onFailure(this.error);
      return;
    }
    if (attempt !== this.attempt) {
      stopTracks(stream);
      return;
    }
    this.opening = false;
    this.stream = stream;
    // A camera unplugged (or taken by the system) ends its track; without this the preview would freeze.
    for (const track of stream.getVideoTracks()) {
      track.addEventListener('ended', () => this.handleEnded(stream), { once: true });
    }
    this.host.requestUpdate();
  }

  private handleEnded(stream: MediaStream): void {
    if (this.stream !== stream) return;
    stopTracks(stream);
    this.stream = undefined;
    this.error = new MxError('MEDIA_DEVICE_NOT_FOUND', 'The camera stopped; it may have been unplugged.');
    this.host.requestUpdate();
    this.onFailure(this.error);
  }
}
