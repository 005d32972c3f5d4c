// The requests `<mx-call-controls>` fires before acting on the call. All are cancelable: a listener that calls
// `preventDefault()` keeps the element from calling the CallHandle, and can act on the request itself.

const REQUEST = { bubbles: true, cancelable: true, composed: true } as const;

export interface MxMicToggleRequestEventDetail {
  /** The state asked for: `true` to mute. */
  readonly muted: boolean;
}

export class MxMicToggleRequestEvent extends Event {
  static readonly eventName = 'mx-mic-toggle-request' as const;
  readonly detail: MxMicToggleRequestEventDetail;

  constructor(detail: MxMicToggleRequestEventDetail) {
    super(MxMicToggleRequestEvent.eventName, REQUEST);
    this.detail = detail;
  }
}

export interface MxCameraToggleRequestEventDetail {
  /** The state asked for: `true` to turn the camera off. */
  readonly muted: boolean;
}

export class MxCameraToggleRequestEvent extends Event {
  static readonly eventName = 'mx-camera-toggle-request' as const;
  readonly detail: MxCameraToggleRequestEventDetail;

  constructor(detail: MxCameraToggleRequestEventDetail) {
    super(MxCameraToggleRequestEvent.eventName, REQUEST);
    this.detail = detail;
  }
}

/** Asks to add the camera to a voice call. */
export class MxVideoUpgradeRequestEvent extends Event {
  static readonly eventName = 'mx-video-upgrade-request' as const;

  constructor() {
    super(MxVideoUpgradeRequestEvent.eventName, REQUEST);
  }
}

export interface MxScreenshareToggleRequestEventDetail {
  /** The state asked for: `true` to start sharing. */
  readonly enabled: boolean;
}

export class MxScreenshareToggleRequestEvent extends Event {
  static readonly eventName = 'mx-screenshare-toggle-request' as const;
  readonly detail: MxScreenshareToggleRequestEventDetail;

  constructor(detail: MxScreenshareToggleRequestEventDetail) {
    super(MxScreenshareToggleRequestEvent.eventName, REQUEST);
    this.detail = detail;
  }
}

export interface MxHoldToggleRequestEventDetail {
  /** The state asked for: `true` to put the peer on hold. */
  readonly onHold: boolean;
}

export class MxHoldToggleRequestEvent extends Event {
  static readonly eventName = 'mx-hold-toggle-request' as const;
  readonly detail: MxHoldToggleRequestEventDetail;

  constructor(detail: MxHoldToggleRequestEventDetail) {
    super(MxHoldToggleRequestEvent.eventName, REQUEST);
    this.detail = detail;
  }
}

/** Asks to end the call; `mx-call-ended` follows from `<mx-call>` once it has. */
export class MxHangupRequestEvent extends Event {
  static readonly eventName = 'mx-hangup-request' as const;

  constructor() {
    super(MxHangupRequestEvent.eventName, REQUEST);
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'mx-mic-toggle-request': MxMicToggleRequestEvent;
    'mx-camera-toggle-request': MxCameraToggleRequestEvent;
    'mx-video-upgrade-request': MxVideoUpgradeRequestEvent;
    'mx-screenshare-toggle-request': MxScreenshareToggleRequestEvent;
    'mx-hold-toggle-request': MxHoldToggleRequestEvent;
    'mx-hangup-request': MxHangupRequestEvent;
  }
}
