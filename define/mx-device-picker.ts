import { MxDevicePicker } from '../components/device-picker/index.js';
import { defineElement } from '../components/internal/define-element.js';

defineElement('mx-device-picker', MxDevicePicker);

declare global {
  interface HTMLElementTagNameMap {
    'mx-device-picker': MxDevicePicker;
  }
}
