export { MxGroupCall } from './group-call.js';
export * from './group-call.events.js';
export { GROUP_CALL_LAYOUTS, type GroupCallLayout } from './group-call-layout.js';
