// The package root: element classes, event classes and types only. Importing it registers no elements
// (import from `matrix-call-kit/define/*.js` for that) and loads no Matrix or LiveKit SDK.
export { MxConnectionStatus } from './components/connection-status/index.js';
export { MxDevicePicker, MxDeviceChangeEvent, type MxDeviceChangeEventDetail } from './components/device-picker/index.js';
export * from './signaling/index.js';
export * from './components/call/index.js';
export { MxErrorEvent, type MxErrorEventDetail } from './components/internal/error-event.js';
export * from './components/call-controls/index.js';
export * from './components/incoming-call/index.js';
export * from './components/video-tile/index.js';
export * from './components/call-button/index.js';
export * from './components/call-dialog/index.js';
export * from './components/group-call/index.js';
export * from './components/lobby/index.js';
export * from './components/participant-list/index.js';
