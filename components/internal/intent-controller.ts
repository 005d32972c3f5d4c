import type { ReactiveControllerHost } from 'lit';
import { MxError } from '../../signaling/errors.js';
import { MxErrorEvent } from './error-event.js';

/** A failed intent, with the sentence the element shows for it. */
export interface IntentFailure {
  readonly error: MxError;
  readonly message: string;
}

/**
 * Turns a person's action into a call intent the way every call element does it: fire the cancelable request
 * event, and unless a listener cancelled it, call the handle. A rejection becomes an `mx-error` event and a
 * readable `failure`, never an unhandled rejection on the host page.
 */
export class IntentController {
  /** The last intent that failed, until another one succeeds or the person dismisses it. */
  failure: IntentFailure | undefined;

  private readonly pending = new Set<string>();

  constructor(private readonly host: ReactiveControllerHost & EventTarget) {}

  /**
   * Resolves to `true` when the intent ran and succeeded. A second request of the same type while the first is
   * still running is dropped: a double click must not hang up, or answer, twice.
   */
  async run(request: Event, intent: () => Promise<void>, failureText: string): Promise<boolean> {
    if (this.pending.has(request.type)) return false;
    if (!this.host.dispatchEvent(request)) return false;
    this.pending.add(request.type);
    try {
      await intent();
      this.failure = undefined;
      return true;
    } catch (cause) {
      const error = MxError.from(cause);
      this.failure = { error, message: error.message ? `${failureText}: ${error.message}` : `${failureText}.` };
      this.host.dispatchEvent(new MxErrorEvent({ error }));
      return false;
    } finally {
      this.pending.delete(request.type);
      this.host.requestUpdate();
    }
  }

  dismiss(): void {
    this.failure = undefined;
    this.host.requestUpdate();
  }
}
