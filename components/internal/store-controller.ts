import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { ReadableStore } from '../../signaling/store/store.js';

/**
 * Keeps a host subscribed to whichever store `storeOf()` currently returns (usually a property of the
 * host), re-rendering it on every change, and holds no subscription while the host is disconnected, so a
 * removed element is never kept alive by a long-lived session.
 */
export class StoreController<T> implements ReactiveController {
  private subscribed: ReadableStore<T> | undefined;
  private unsubscribe: (() => void) | undefined;
  private connected = false;

  constructor(
    private readonly host: ReactiveControllerHost,
    private readonly storeOf: () => ReadableStore<T> | undefined,
  ) {
    host.addController(this);
  }

  /** The current store's snapshot, or `undefined` when there is no store. Read it while rendering. */
  get snapshot(): T | undefined {
    return this.storeOf()?.getSnapshot();
  }

  hostConnected(): void {
    this.connected = true;
    this.sync();
    // Changes made while disconnected sent no notification to this host.
    this.host.requestUpdate();
  }

  hostUpdate(): void {
    // A new store set on the host arrives here through the update that setting the property requested.
    this.sync();
  }

  hostDisconnected(): void {
    this.connected = false;
    this.sync();
  }

  private sync(): void {
    const wanted = this.connected ? this.storeOf() : undefined;
    if (wanted === this.subscribed) return;
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.subscribed = wanted;
    if (wanted) this.unsubscribe = wanted.subscribe(() => this.host.requestUpdate());
  }
}
