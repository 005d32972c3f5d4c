export { MxIncomingCall } from './incoming-call.js';
export * from './incoming-call.events.js';
