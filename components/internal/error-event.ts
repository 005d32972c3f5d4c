import type { MxError } from '../../signaling/errors.js';

export interface MxErrorEventDetail {
  readonly error: MxError;
}

/**
 * Something the person asked for failed, or the call reports a failure. Every call element fires it, so a page can
 * log or report errors from one listener; the element also shows a readable message itself.
 */
export class MxErrorEvent extends Event {
  static readonly eventName = 'mx-error' as const;
  readonly detail: MxErrorEventDetail;

  constructor(detail: MxErrorEventDetail) {
    super(MxErrorEvent.eventName, { bubbles: true, composed: true });
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'mx-error': MxErrorEvent;
  }
}
