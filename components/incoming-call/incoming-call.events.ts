import type { CallKind } from '../../signaling/voip/types.js';

export interface MxAnswerRequestEventDetail {
  /** How the person chose to answer. */
  readonly kind: CallKind;
}

/** An accept button was pressed. Cancelable: a listener that calls `preventDefault()` keeps the call unanswered. */
export class MxAnswerRequestEvent extends Event {
  static readonly eventName = 'mx-answer-request' as const;
  readonly detail: MxAnswerRequestEventDetail;

  constructor(detail: MxAnswerRequestEventDetail) {
    super(MxAnswerRequestEvent.eventName, { bubbles: true, cancelable: true, composed: true });
    this.detail = detail;
  }
}

/** The decline button was pressed. Cancelable, like `mx-answer-request`. */
export class MxRejectRequestEvent extends Event {
  static readonly eventName = 'mx-reject-request' as const;

  constructor() {
    super(MxRejectRequestEvent.eventName, { bubbles: true, cancelable: true, composed: true });
  }
}

export interface MxRingJoinRequestEventDetail {
  /** The room whose group call rings: join it with `kit.joinGroupCall(roomId)`. */
  readonly roomId: string;
  /** Whether the caller started with video, when they said; a page may join with its camera off for `audio`. */
  readonly intent: 'audio' | 'video' | undefined;
}

/**
 * Join was pressed on a group call's ring. The element does not join: joining is a session's work (media, the
 * LiveKit transport, a view for the call), so the page answers this with `kit.joinGroupCall(detail.roomId)`.
 * Cancelable: a listener that calls `preventDefault()` keeps the ring shown; otherwise the element closes.
 */
export class MxRingJoinRequestEvent extends Event {
  static readonly eventName = 'mx-ring-join-request' as const;
  readonly detail: MxRingJoinRequestEventDetail;

  constructor(detail: MxRingJoinRequestEventDetail) {
    super(MxRingJoinRequestEvent.eventName, { bubbles: true, cancelable: true, composed: true });
    this.detail = detail;
  }
}

export interface MxRingEventDetail {
  /** The 1:1 call's id, or for a group call's ring the event id of its notification. */
  readonly callId: string;
}

/** A call started ringing here; a page that wants a ring tone starts it now. */
export class MxRingStartEvent extends Event {
  static readonly eventName = 'mx-ring-start' as const;
  readonly detail: MxRingEventDetail;

  constructor(detail: MxRingEventDetail) {
    super(MxRingStartEvent.eventName, { bubbles: true, composed: true });
    this.detail = detail;
  }
}

/** The call stopped ringing here (answered, declined, ended, replaced, or the element was removed). */
export class MxRingStopEvent extends Event {
  static readonly eventName = 'mx-ring-stop' as const;
  readonly detail: MxRingEventDetail;

  constructor(detail: MxRingEventDetail) {
    super(MxRingStopEvent.eventName, { bubbles: true, composed: true });
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'mx-answer-request': MxAnswerRequestEvent;
    'mx-reject-request': MxRejectRequestEvent;
    'mx-ring-join-request': MxRingJoinRequestEvent;
    'mx-ring-start': MxRingStartEvent;
    'mx-ring-stop': MxRingStopEvent;
  }
}
