export { MxConnectionStatus } from './connection-status.js';
