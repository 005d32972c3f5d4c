// The framework-free half of matrix-call-kit. Importing it loads no Matrix or LiveKit SDK; those are
// imported at the moment a session or call needs them.
export { MxError, MX_ERROR_CODES, type MxErrorCode } from './errors.js';
export { createStore, type ReadableStore, type WritableStore } from './store/store.js';
export {
  MatrixSession,
  createMatrixSession,
  loginWithPassword,
  MATRIX_SESSION_STATUSES,
  type MatrixCredentials,
  type MatrixSessionOptions,
  type MatrixSessionSnapshot,
  type MatrixSessionStatus,
} from './matrix/session.js';
export { consoleLogger, silentLogger, type Logger } from './log.js';
export { createCallKit, type CallKit, type CallKitOptions, type IncomingCall, type VoipOptions } from './kit.js';
export type { CallManager, CallManagerOptions, CallTarget } from './voip/call-manager.js';
export type { GroupCalls, GroupCallsOptions } from './rtc/group-calls.js';
export type { GroupJoinOptions } from './rtc/group-call.js';
export type { GroupRing, GroupRings, GroupRingsSnapshot } from './rtc/rings.js';
export * from './rtc/group-call.types.js';
export * from './voip/types.js';
export * from './media/index.js';
export {
  startVisitorCall,
  visitorCallStatus,
  VISITOR_CALL_STATUSES,
  type VisitorCall,
  type VisitorCallOptions,
  type VisitorCallSnapshot,
  type VisitorCallStatus,
} from './visitor/visitor-call.js';
export { requestVisitorCredentials, endVisitorSession, parseVisitorCredentials, type VisitorCredentials, type VisitorSessionRequest } from './visitor/visitor-service.js';
