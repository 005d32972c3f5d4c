import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { CallHandle, CallSnapshot } from '../../signaling/voip/types.js';

/** An avatar image to show: `key` changes whenever the image may (another person, another avatar). */
export interface AvatarRequest {
  readonly key: string;
  load(signal: AbortSignal): Promise<Blob | undefined>;
}

// Twice the largest avatar the elements draw (the 7.5rem tile placeholder), for sharp images on high-density
// screens; the homeserver answers with the nearest thumbnail it has. One size for every element, so that the
// dialog and the tile ask for the same thumbnail.
const PEER_AVATAR_PIXELS = 240;

/** The request for the peer's avatar of `call` while `snapshot` is shown; none once the call has ended. */
export function peerAvatarRequest(call: CallHandle | undefined, snapshot: CallSnapshot | undefined): AvatarRequest | undefined {
  if (!call || !snapshot || snapshot.phase === 'ended' || snapshot.peer.avatarUrl === undefined) return undefined;
  return {
    key: `${snapshot.callId}\n${snapshot.peer.avatarUrl}`,
    load: (signal) => call.loadPeerAvatar({ size: PEER_AVATAR_PIXELS, signal }),
  };
}

/**
 * Turns the avatar `requestOf()` asks for into an object URL for `<img src>`, and owns that URL: it is revoked
 * (and a load under way aborted) as soon as the request changes or goes away, and when the host is
 * disconnected, so an image held for a call is released once it is no longer shown. A load that fails leaves
 * `url` undefined (initials), with a console warning; nothing is thrown into the page.
 */
export class AvatarController implements ReactiveController {
  private current: { readonly key: string; readonly abort: AbortController; url: string | undefined; failed: boolean } | undefined;
  private connected = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly requestOf: () => AvatarRequest | undefined,
  ) {
    host.addController(this);
  }

  /** The object URL of the image to show, or `undefined` for initials. Read it while rendering. */
  get url(): string | undefined {
    return this.current?.failed ? undefined : this.current?.url;
  }

  /** The image would not decode: initials, until the request changes. */
  imageFailed(): void {
    const current = this.current;
    if (!current || current.failed) return;
    current.failed = true;
    if (current.url) URL.revokeObjectURL(current.url);
    current.url = undefined;
    this.host.requestUpdate();
  }

  hostConnected(): void {
    this.connected = true;
    // The first update, or the one after a reconnection, starts the load again.
    this.host.requestUpdate();
  }

  hostUpdate(): void {
    // Runs after the host's willUpdate, so the request is read from the state this update renders.
    this.sync();
  }

  hostDisconnected(): void {
    this.connected = false;
    this.sync();
  }

  private sync(): void {
    const wanted = this.connected ? this.requestOf() : undefined;
    if (wanted?.key === this.current?.key) return;
    this.release();
    if (!wanted) return;
    const entry = { key: wanted.key, abort: new AbortController(), url: undefined as string | undefined, failed: false };
    this.current = entry;
    const { signal } = entry.abort;
    Promise.resolve()
      .then(() => wanted.load(signal))
      .then(
        (blob) => {
          if (signal.aborted || !blob) return;
          entry.url = URL.createObjectURL(blob);
          this.host.requestUpdate();
        },
        (error: unknown) => {
          if (!signal.aborted) console.warn('matrix-call-kit: an avatar could not be loaded; initials are shown.', error);
        },
      );
  }

  private release(): void {
    const current = this.current;
    this.current = undefined;
    if (!current) return;
    current.abort.abort();
    if (current.url) URL.revokeObjectURL(current.url);
  }
}
