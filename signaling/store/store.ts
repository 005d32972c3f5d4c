/**
 * The observable shape every signalling object exposes to the UI: a current snapshot and change
 * notifications. Snapshots are immutable; a change always produces a new object, so components can
 * compare by identity.
 */
export interface ReadableStore<T> {
  getSnapshot(): T;
  /** Calls `listener` after every change (not with the current value); returns the unsubscribe function. */
  subscribe(listener: (snapshot: T) => void): () => void;
}

export interface WritableStore<T> extends ReadableStore<T> {
  set(next: T): void;
  update(change: (current: T) => T): void;
}

export function createStore<T>(initial: T): WritableStore<T> {
  let snapshot = initial;
  const listeners = new Set<(snapshot: T) => void>();
  const set = (next: T): void => {
    if (Object.is(next, snapshot)) return;
    snapshot = next;
    for (const listener of [...listeners]) {
      try {
        listener(snapshot);
      } catch (error) {
        // One broken subscriber (often host-page code) must not stop the others from seeing the change.
        console.error('matrix-call-kit: a store subscriber threw', error);
      }
    }
  };
  return {
    getSnapshot: () => snapshot,
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    set,
    update: (change) => set(change(snapshot)),
  };
}
