export { MxCall } from './call.js';
export * from './call.events.js';
export { formatDuration } from '../internal/call-strings.js';
