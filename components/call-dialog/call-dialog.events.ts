export interface MxCallDialogCloseEventDetail {
  /** The dialog's last message (why the call ended, or could not start); empty when there was nothing to say. */
  readonly message: string;
}

/** The dialog closed (the call has ended or is ending). `<mx-call-button>` puts the message beside itself. */
export class MxCallDialogCloseEvent extends Event {
  static readonly eventName = 'mx-call-dialog-close' as const;
  readonly detail: MxCallDialogCloseEventDetail;

  constructor(detail: MxCallDialogCloseEventDetail) {
    super(MxCallDialogCloseEvent.eventName, { bubbles: true, composed: true });
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'mx-call-dialog-close': MxCallDialogCloseEvent;
  }
}
