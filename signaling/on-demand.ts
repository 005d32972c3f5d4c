// A part of the kit loaded the first time it is used (its code and what it starts), and unloaded with the kit.
import { MxError } from './errors.js';

export interface LoadedFeature<T> {
  readonly feature: T;
  /** Stops what the feature started; a promise when that takes the homeserver (leaving a group call). */
  dispose(): void | Promise<void>;
}

export interface OnDemand<T> {
  /** The feature, loading it on the first call; later calls share the load. A failed load is tried again next time. */
  get(): Promise<T>;
  /**
   * Runs `use` once the feature is loaded (loading it now) and the cleanup `use` returns at unsubscribe; a
   * failure to load goes to `failed`. Nothing runs after unsubscribe or dispose.
   */
  whenLoaded(use: (feature: T) => () => void, failed: (error: MxError) => void): () => void;
  /**
   * Unloads the feature, also one still loading; `get` then rejects with `INVALID_STATE`. Resolves once the
   * feature has stopped (at once when it was never loaded); never rejects.
   */
  dispose(): Promise<void>;
}

/** `name` is what the feature is called in errors ("1:1 calls"). */
export function onDemand<T>(name: string, load: () => Promise<LoadedFeature<T>>): OnDemand<T> {
  let loading: Promise<LoadedFeature<T>> | undefined;
  let disposed = false;
  let stopped: Promise<void> = Promise.resolve();
  const gone = (): MxError => new MxError('INVALID_STATE', `The call kit was disposed: ${name} are no longer available.`);

  const get = (): Promise<T> => {
    if (disposed) return Promise.reject(gone());
    if (!loading) {
      const attempt = load();
      loading = attempt;
      // A chunk that did not download, say: the next use tries again.
      attempt.catch(() => { if (loading === attempt) loading = undefined; });
    }
    return loading.then(({ feature }) => {
      if (disposed) throw gone();
      return feature;
    });
  };

  return {
    get,
    whenLoaded(use, failed) {
      let stop: (() => void) | undefined;
      let unsubscribed = false;
      get().then(
        (feature) => {
          if (!unsubscribed && !disposed) stop = use(feature);
        },
        (error: unknown) => {
          if (!unsubscribed && !disposed) failed(MxError.from(error));
        },
      );
      return () => {
        unsubscribed = true;
        stop?.();
        stop = undefined;
      };
    },
    dispose() {
      if (!disposed) {
        disposed = true;
        stopped = loading?.then((loaded) => loaded.dispose(), () => undefined).catch(() => undefined) ?? Promise.resolve();
      }
      return stopped;
    },
  };
}
