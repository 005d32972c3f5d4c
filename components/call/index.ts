export { MxCall } from './call.js';
export * from './call.events.js';
export { formatDuration } from './call-text.js';
