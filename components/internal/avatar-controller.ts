import type { ReactiveControllerHost } from 'lit';
import type { ReadableStore } from '../../signaling/store/store.js';
import type { CallHandle, CallSnapshot } from '../../signaling/voip/types.js';
import { StoreController } from './store-controller.js';

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
 * One avatar image as a store of its object URL: loaded when the first subscriber arrives, and the load aborted
 * and the URL revoked when the last one leaves, so the image lives exactly as long as an element shows it.
 */
class AvatarImage implements ReadableStore<string | undefined> {
  private url: string | undefined;
  private loading: AbortController | undefined;
  private readonly listeners = new Set<(url: string | undefined) => void>();

  constructor(readonly request: AvatarRequest) {}

  getSnapshot(): string | undefined {
    return this.url;
  }

  subscribe(listener: (url: string | undefined) => void): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) this.load();
    return () => {
      if (this.listeners.delete(listener) && this.listeners.size === 0) this.release();
    };
  }

  /** The image would not decode: no URL (initials) until it is loaded afresh. */
  discard(): void {
    if (!this.loading && !this.url) return;
    this.release();
    this.notify();
  }

  private load(): void {
    const loading = new AbortController();
    this.loading = loading;
    const { signal } = loading;
    Promise.resolve()
      .then(() => this.request.load(signal))
      .then(
        (blob) => {
          if (signal.aborted || !blob) return;
          this.url = URL.createObjectURL(blob);
          this.notify();
        },
        (error: unknown) => {
          if (!signal.aborted) console.warn('matrix-call-kit: an avatar could not be loaded; initials are shown.', error);
        },
      );
  }

  private release(): void {
    this.loading?.abort();
    this.loading = undefined;
    if (this.url) URL.revokeObjectURL(this.url);
    this.url = undefined;
  }

  private notify(): void {
    for (const listener of [...this.listeners]) listener(this.url);
  }
}

/**
 * Turns the avatar `requestOf()` asks for into an object URL for `<img src>`. The image is held through a
 * StoreController, so it is released (its URL revoked, a load under way aborted) as soon as the request changes
 * or goes away and when the host is disconnected: an image held for a call is released once it is no longer
 * shown. A load that fails leaves `url` undefined (initials), with a console warning; nothing is thrown into the
 * page.
 */
export class AvatarController {
  private image: AvatarImage | undefined;
  private readonly store: StoreController<string | undefined>;

  constructor(host: ReactiveControllerHost, requestOf: () => AvatarRequest | undefined) {
    this.store = new StoreController(host, () => this.imageFor(requestOf()));
  }

  /** The object URL of the image to show, or `undefined` for initials. Read it while rendering. */
  get url(): string | undefined {
    return this.store.snapshot;
  }

  /** The image would not decode: initials, until the request changes. */
  imageFailed(): void {
    this.image?.discard();
  }

  // The same image for the same key, so a request made again for the same avatar keeps its URL.
  private imageFor(request: AvatarRequest | undefined): AvatarImage | undefined {
    if (request?.key !== this.image?.request.key) this.image = request && new AvatarImage(request);
    return this.image;
  }
}
