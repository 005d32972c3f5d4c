export { MxCallButton, CALL_BUTTON_STATUSES, type CallButtonStatus } from './call-button.js';
export * from './call-button.events.js';
