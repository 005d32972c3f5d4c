import type { ReactiveControllerHost } from 'lit';
import { CALL_PHASES, type CallHandle, type CallSnapshot } from '../../signaling/voip/types.js';
import { StoreController } from './store-controller.js';

/** Checks the fields the call elements read, since the handle may come from untyped host-page code. */
function isCallSnapshot(value: unknown): value is CallSnapshot {
  if (typeof value !== 'object' || value === null) return false;
  const s = value as Record<string, unknown>;
  const peer = s.peer as Record<string, unknown> | null | undefined;
  return (
    typeof s.callId === 'string' &&
    (CALL_PHASES as readonly unknown[]).includes(s.phase) &&
    (s.kind === 'voice' || s.kind === 'video') &&
    (s.direction === 'inbound' || s.direction === 'outbound') &&
    typeof peer === 'object' &&
    peer !== null &&
    typeof peer.userId === 'string' &&
    Array.isArray(s.localFeeds) &&
    Array.isArray(s.remoteFeeds)
  );
}

/**
 * Keeps a call element subscribed to its `call` and hands out the current snapshot, or `undefined` for no call
 * and for a snapshot it cannot read (warning once, naming the element, instead of throwing from render).
 */
export class CallSnapshotReader {
  private readonly store: StoreController<CallSnapshot>;
  private warned = false;

  constructor(
    host: ReactiveControllerHost,
    callOf: () => CallHandle | undefined,
    private readonly tag: string,
  ) {
    this.store = new StoreController(host, callOf);
  }

  get snapshot(): CallSnapshot | undefined {
    let value: unknown;
    try {
      value = this.store.snapshot;
    } catch (error) {
      this.warn(error);
      return undefined;
    }
    if (value === undefined) return undefined;
    if (isCallSnapshot(value)) return value;
    this.warn(value);
    return undefined;
  }

  private warn(detail: unknown): void {
    if (this.warned) return;
    this.warned = true;
    console.warn(`matrix-call-kit: <${this.tag}> cannot read its call snapshot; showing no call.`, detail);
  }
}
