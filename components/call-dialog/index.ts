export { MxCallDialog } from './call-dialog.js';
export * from './call-dialog.events.js';
export { endMessage, progressMessage, refusalMessage } from './call-dialog-text.js';
