import type { CallKind } from '../../signaling/voip/types.js';

export interface MxCallStartEventDetail {
  /** The Matrix user the button calls, or the room whose group call it joins. */
  readonly target: string;
  readonly kind: CallKind;
}

/**
 * The visitor clicked to call. Cancelable: a page that wants consent or a form first calls
 * `preventDefault()`, and nothing loads or starts. Paired with `mx-call-ended` (and `mx-error` when it fails).
 */
export class MxCallStartEvent extends Event {
  static readonly eventName = 'mx-call-start' as const;
  readonly detail: MxCallStartEventDetail;

  constructor(detail: MxCallStartEventDetail) {
    super(MxCallStartEvent.eventName, { bubbles: true, composed: true, cancelable: true });
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'mx-call-start': MxCallStartEvent;
  }
}
