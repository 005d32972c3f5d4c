// Events of <mx-group-call>. Its microphone and camera buttons fire the same `mx-mic-toggle-request` and
// `mx-camera-toggle-request` as <mx-call-controls>, so a page handles both kinds of call with one listener.
import type { GroupCallLayout } from './group-call-layout.js';

const REQUEST = { bubbles: true, cancelable: true, composed: true } as const;

/** Asks to leave the group call; `mx-call-left` follows once the call reports it has. Cancelable. */
export class MxLeaveRequestEvent extends Event {
  static readonly eventName = 'mx-leave-request' as const;

  constructor() {
    super(MxLeaveRequestEvent.eventName, REQUEST);
  }
}

/** The group call shown by `<mx-group-call>` was left while shown: the completion of `mx-leave-request`. */
export class MxCallLeftEvent extends Event {
  static readonly eventName = 'mx-call-left' as const;

  constructor() {
    super(MxCallLeftEvent.eventName, { bubbles: true, composed: true });
  }
}

export interface MxLayoutChangeRequestEventDetail {
  /** The layout asked for. */
  readonly layout: GroupCallLayout;
  /** `user` for the layout button; `screenshare` when a screen share started (or the last one ended). */
  readonly reason: 'user' | 'screenshare';
}

/** The layout is about to change. Cancelable: a listener that calls `preventDefault()` keeps the current one. */
export class MxLayoutChangeRequestEvent extends Event {
  static readonly eventName = 'mx-layout-change-request' as const;
  readonly detail: MxLayoutChangeRequestEventDetail;

  constructor(detail: MxLayoutChangeRequestEventDetail) {
    super(MxLayoutChangeRequestEvent.eventName, REQUEST);
    this.detail = detail;
  }
}

export interface MxHandRaiseRequestEventDetail {
  /** `true` to raise the hand, `false` to lower it. */
  readonly raised: boolean;
}

/** The raise-hand button was pressed. Cancelable: a listener that calls `preventDefault()` keeps the hand as it is. */
export class MxHandRaiseRequestEvent extends Event {
  static readonly eventName = 'mx-hand-raise-request' as const;
  readonly detail: MxHandRaiseRequestEventDetail;

  constructor(detail: MxHandRaiseRequestEventDetail) {
    super(MxHandRaiseRequestEvent.eventName, REQUEST);
    this.detail = detail;
  }
}

export interface MxReactionRequestEventDetail {
  readonly emoji: string;
  /** Its name in Element Call's catalogue (`thumbsup`, `party`, …). */
  readonly name: string;
}

/** A reaction was chosen from the reactions menu. Cancelable: a listener that calls `preventDefault()` sends nothing. */
export class MxReactionRequestEvent extends Event {
  static readonly eventName = 'mx-reaction-request' as const;
  readonly detail: MxReactionRequestEventDetail;

  constructor(detail: MxReactionRequestEventDetail) {
    super(MxReactionRequestEvent.eventName, REQUEST);
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'mx-leave-request': MxLeaveRequestEvent;
    'mx-call-left': MxCallLeftEvent;
    'mx-layout-change-request': MxLayoutChangeRequestEvent;
    'mx-hand-raise-request': MxHandRaiseRequestEvent;
    'mx-reaction-request': MxReactionRequestEvent;
  }
}
