import type { CallEndReason } from '../../signaling/voip/types.js';

export interface MxCallEndedEventDetail {
  readonly reason: CallEndReason | undefined;
  readonly endedBy: 'local' | 'remote' | undefined;
}

/** The call shown by `<mx-call>` ended while shown; the completion of `mx-hangup-request` and `mx-reject-request`. */
export class MxCallEndedEvent extends Event {
  static readonly eventName = 'mx-call-ended' as const;
  readonly detail: MxCallEndedEventDetail;

  constructor(detail: MxCallEndedEventDetail) {
    super(MxCallEndedEvent.eventName, { bubbles: true, composed: true });
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'mx-call-ended': MxCallEndedEvent;
  }
}
