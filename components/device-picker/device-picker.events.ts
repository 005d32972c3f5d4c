import type { DeviceKind } from '../../signaling/media/media.types.js';

export interface MxDeviceChangeEventDetail {
  readonly kind: DeviceKind;
  /** The chosen device; `''` stands for the browser's default, as listed before media permission. */
  readonly deviceId: string;
}

/**
 * The user chose another device in `<mx-device-picker>`. Cancelable: calling `preventDefault()` keeps the
 * previous choice, and the picker does not pass the new one to its store.
 */
export class MxDeviceChangeEvent extends Event {
  static readonly eventName = 'mx-device-change' as const;

  readonly detail: MxDeviceChangeEventDetail;

  constructor(detail: MxDeviceChangeEventDetail) {
    super(MxDeviceChangeEvent.eventName, { bubbles: true, cancelable: true, composed: true });
    this.detail = detail;
  }
}

declare global {
  interface GlobalEventHandlersEventMap {
    'mx-device-change': MxDeviceChangeEvent;
  }
}
