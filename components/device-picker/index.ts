export { MxDevicePicker } from './device-picker.js';
export { MxDeviceChangeEvent, type MxDeviceChangeEventDetail } from './device-picker.events.js';
