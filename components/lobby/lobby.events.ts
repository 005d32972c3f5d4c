export interface MxJoinRequestEventDetail {
  /** Join with the microphone muted. */
  readonly microphoneMuted: boolean;
  /** Join with the camera off (also when the camera could not be opened). */
  readonly cameraMuted: boolean;
}

/**
 * The person pressed Join in `<mx-lobby>`. The lobby does not join by itself: the page (or a composite around the
 * lobby) joins, typically with `kit.joinGroupCall(roomId, event.detail)`, and sets `joining` meanwhile. Not
 * cancelable, since nothing follows it inside the lobby.
 */
export class MxJoinRequestEvent extends Event {
  static readonly eventName = 'mx-join-request' as const;
  readonly detail: MxJoinRequestEventDetail;

  constructor(detail: MxJoinRequestEventDetail) {
    super(MxJoinRequestEvent.eventName, { bubbles: true, composed: true });
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'mx-join-request': MxJoinRequestEvent;
  }
}
