export { MxCallControls } from './call-controls.js';
export * from './call-controls.events.js';
