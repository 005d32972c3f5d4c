// One call a website's visitor places (what <mx-call-button> runs on a click): an identity (the page's
// credentials, or a short-lived account from the site's visitor service), a kit signed in with it, the call (to
// a user, or a room's group call), and everything released when the call ends, however it ends.
import { MxError } from '../errors.js';
import type { CallKit, CallKitOptions } from '../kit.js';
import type { MatrixCredentials } from '../matrix/session.js';
import type { GroupCallHandle, GroupCallPhase, GroupCallSnapshot } from '../rtc/group-call.types.js';
import { createStore, type ReadableStore } from '../store/store.js';
import type { CallEndReason, CallHandle, CallKind, CallPhase, CallSnapshot } from '../voip/types.js';
import { endVisitorSession, requestVisitorCredentials, type VisitorCredentials, type VisitorSessionRequest } from './visitor-service.js';

export const VISITOR_CALL_STATUSES = ['connecting', 'ringing', 'in-call', 'ended'] as const;
/**
 * `connecting` until the invite is out (identity, sign-in, camera and microphone) and again from the answer
 * until media flows; `ringing` while the callee's devices ring; `in-call`; `ended`.
 */
export type VisitorCallStatus = (typeof VISITOR_CALL_STATUSES)[number];

export interface VisitorCallSnapshot {
  readonly status: VisitorCallStatus;
  /** The call to a user, once placed: what `<mx-call>` shows. */
  readonly call: CallHandle | undefined;
  /** The room's group call, once joining: what `<mx-group-call>` shows. */
  readonly groupCall: GroupCallHandle | undefined;
  /** Why the call could not start, or the error it ended with. */
  readonly error: MxError | undefined;
  readonly endReason: CallEndReason | undefined;
  readonly endedBy: 'local' | 'remote' | undefined;
}

export interface VisitorCallOptions {
  /** The Matrix user to call; or give `room`. */
  readonly target?: string | undefined;
  /**
   * The room whose group call to join: a room ID, or with a visitor service also an alias (`#name:server`), which
   * the service resolves and joins the visitor to. Page credentials must already be in the room.
   */
  readonly room?: string | undefined;
  /** `voice` joins a group call with the camera off. */
  readonly kind: CallKind;
  /** The page's own credentials for the visitor (a site with its own login); first choice. */
  readonly credentials?: MatrixCredentials | undefined;
  /** Asked when there are no `credentials`; may return undefined to fall through to the visitor service. */
  readonly getCredentials?: (() => MatrixCredentials | undefined | Promise<MatrixCredentials | undefined>) | undefined;
  /** The site's visitor service (services/visitor), for visitors without an account. */
  readonly visitorService?: string | undefined;
  /** Options for the kit the call runs in. */
  readonly kitOptions?: Omit<CallKitOptions, 'credentials' | 'client' | 'encryption'> & { encryption?: boolean };
}

export interface VisitorCall extends ReadableStore<VisitorCallSnapshot> {
  /** Hangs up, or stops a call still starting; resolves once everything is released. */
  hangup(): Promise<void>;
}

export interface VisitorCallDeps {
  createCallKit(options: CallKitOptions): Promise<CallKit>;
  requestVisitorCredentials(serviceUrl: string, request: VisitorSessionRequest, signal?: AbortSignal): Promise<VisitorCredentials>;
  endVisitorSession(serviceUrl: string, credentials: Pick<MatrixCredentials, 'accessToken'>): Promise<boolean>;
}

/** The visitor's status for a call phase; the call's own phases are finer than a button needs. */
export function visitorCallStatus(phase: CallPhase): VisitorCallStatus {
  switch (phase) {
    case 'invite_sent':
    case 'ringing':
      return 'ringing';
    case 'connected':
      return 'in-call';
    case 'ended':
      return 'ended';
    default:
      return 'connecting';
  }
}

/** The visitor's status for a group call phase. */
export function visitorGroupCallStatus(phase: GroupCallPhase): VisitorCallStatus {
  switch (phase) {
    case 'joining':
      return 'connecting';
    case 'connected':
    case 'reconnecting':
    case 'leaving':
      return 'in-call';
    case 'left':
    case 'failed':
      return 'ended';
  }
}

const USER_ID = /^@[^:\s]+:[^\s]+$/;
// Room version 12 IDs (MSC4291) are a hash with no server part.
const ROOM_ID = /^![^:\s]+(?::\S+)?$/;
const ROOM_ALIAS = /^#[^:\s]+:[^\s]+$/;

/** What the visitor wants: exactly one of a user to call and a room to join, each well-formed. */
function sessionRequestOf(options: VisitorCallOptions): VisitorSessionRequest {
  const { target, room } = options;
  if (target && room) throw new MxError('INVALID_CONFIGURATION', 'A call is to a user (target) or a room (room), not both');
  if (room !== undefined && room !== '') {
    if (!ROOM_ID.test(room) && !ROOM_ALIAS.test(room)) throw new MxError('INVALID_CONFIGURATION', `${JSON.stringify(room)} is not a Matrix room ID (!id) or alias (#name:server)`);
    return { room };
  }
  if (!target || !USER_ID.test(target)) throw new MxError('INVALID_CONFIGURATION', `${JSON.stringify(target ?? '')} is not a Matrix user id (@name:server)`);
  return { target };
}
/** How long an ended call waits for its session to finish starting before it ends the account regardless. */
const SESSION_START_WAIT_MS = 15_000;

/** The promise's value if it fulfils within `ms`; undefined if it rejects, takes longer, or is undefined. */
function settleWithin<T>(promise: Promise<T> | undefined, ms: number): Promise<T | undefined> {
  if (!promise) return Promise.resolve(undefined);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise.catch(() => undefined), late]).finally(() => clearTimeout(timer));
}

async function defaultDeps(): Promise<VisitorCallDeps> {
  const { createCallKit } = await import('../kit.js');
  return { createCallKit, requestVisitorCredentials, endVisitorSession };
}

/** Leaves a group call that is not over; resolves once our membership is gone, or leaving failed. */
async function leaveGroupCall(call: GroupCallHandle | undefined): Promise<void> {
  if (!call || ['left', 'failed'].includes(call.getSnapshot().phase)) return;
  await call.leave().catch((error: unknown) => console.warn('matrix-call-kit: leaving the group call failed', error));
}

/** Starts the call at once; the store says how it goes. Never throws: failures end it with `error`. */
export function startVisitorCall(options: VisitorCallOptions, injected?: VisitorCallDeps): VisitorCall {
  const store = createStore<VisitorCallSnapshot>({ status: 'connecting', call: undefined, groupCall: undefined, error: undefined, endReason: undefined, endedBy: undefined });
  const aborter = new AbortController();
  let kit: CallKit | undefined;
  let visitor: { serviceUrl: string; credentials: VisitorCredentials } | undefined;
  let deps: VisitorCallDeps | undefined;
  let finished: Promise<void> | undefined;
  let kitStarting: Promise<CallKit> | undefined;
  let sessionAbandoned = false;

  const finish = (end: Partial<VisitorCallSnapshot>): Promise<void> => {
    finished ??= (async () => {
      aborter.abort();
      store.set({ ...store.getSnapshot(), ...end, status: 'ended' });
      // The hangup (or reject) must reach the callee before the session stops and the account goes: hangup()
      // resolves once the call's last event is delivered or given up, and asks nothing more of an ended call.
      await store.getSnapshot().call?.hangup().catch((error: unknown) => console.warn('matrix-call-kit: the call\'s last event was not sent', error));
      // Likewise the membership leaves the room before the account ends: a deactivated account's membership
      // would stay in the room's state.
      await leaveGroupCall(store.getSnapshot().groupCall);
      // A session still starting is let finish first: ending the account under it would make its sync fail.
      kit ??= await settleWithin(kitStarting, SESSION_START_WAIT_MS);
      sessionAbandoned = kit === undefined;
      try {
        kit?.dispose();
      } catch (error) {
        console.warn('matrix-call-kit: releasing the visitor call\'s session failed', error);
      }
      if (visitor && deps) await deps.endVisitorSession(visitor.serviceUrl, visitor.credentials);
    })();
    return finished;
  };

  const follow = (call: CallHandle): void => {
    // Placed while the visitor hung up: nothing shows it, so it ends at once.
    if (finished) return void call.hangup().catch(() => undefined);
    const update = (snapshot: CallSnapshot): void => {
      if (finished) return;
      if (snapshot.phase === 'ended') {
        void finish({ endReason: snapshot.endReason, endedBy: snapshot.endedBy, error: snapshot.error });
        return;
      }
      store.set({ ...store.getSnapshot(), call, status: visitorCallStatus(snapshot.phase) });
    };
    store.set({ ...store.getSnapshot(), call });
    call.subscribe(update);
    update(call.getSnapshot());
  };

  const followGroup = (call: GroupCallHandle): void => {
    if (finished) return void call.leave().catch(() => undefined);
    const update = (snapshot: GroupCallSnapshot): void => {
      if (finished) return;
      const status = visitorGroupCallStatus(snapshot.phase);
      if (status === 'ended') {
        const left = snapshot.phase === 'left';
        void finish({ endReason: left ? 'user_hangup' : undefined, endedBy: left ? 'local' : undefined, error: snapshot.error });
        return;
      }
      store.set({ ...store.getSnapshot(), groupCall: call, status });
    };
    store.set({ ...store.getSnapshot(), groupCall: call });
    call.subscribe(update);
    update(call.getSnapshot());
  };

  const run = async (): Promise<void> => {
    const request = sessionRequestOf(options);
    deps = injected ?? (await defaultDeps());
    let credentials = options.credentials ?? (await options.getCredentials?.());
    if (aborter.signal.aborted) return;
    if (!credentials) {
      if (!options.visitorService) {
        throw new MxError('INVALID_CONFIGURATION', 'No identity for the call: give the button credentials, getCredentials or a visitor-service URL');
      }
      const issued = await deps.requestVisitorCredentials(options.visitorService, request, aborter.signal);
      visitor = { serviceUrl: options.visitorService, credentials: issued };
      // Hung up while the account was made: finish has run already, so the account ends here.
      if (aborter.signal.aborted) return void deps.endVisitorSession(visitor.serviceUrl, issued);
      credentials = issued;
    }
    kitStarting = deps.createCallKit({ ...options.kitOptions, credentials });
    const started = await kitStarting;
    // Hung up while signing in: finish disposes of the session once it is up, unless it gave up waiting.
    if (aborter.signal.aborted) return void (sessionAbandoned && started.dispose());
    kit = started;
    if ('target' in request) return follow(await kit.placeCall({ userId: request.target }, options.kind));
    const roomId = 'roomId' in credentials && typeof credentials.roomId === 'string' ? credentials.roomId : request.room;
    if (!ROOM_ID.test(roomId)) throw new MxError('INVALID_CONFIGURATION', `Signed in with the page's own credentials, the room must be a room ID (!id) this account is in, not ${JSON.stringify(roomId)}`);
    followGroup(await kit.joinGroupCall(roomId, { video: options.kind !== 'voice' }));
  };

  run().catch((error: unknown) => {
    if (aborter.signal.aborted) return;
    void finish({ error: MxError.from(error) });
  });

  return {
    getSnapshot: () => store.getSnapshot(),
    subscribe: (listener) => store.subscribe(listener),
    async hangup() {
      const { call, groupCall } = store.getSnapshot();
      if (call && call.getSnapshot().phase !== 'ended') {
        await call.hangup().catch((error: unknown) => console.warn('matrix-call-kit: hanging up failed', error));
      }
      await leaveGroupCall(groupCall);
      // A call still starting (no call yet, or one that never rang) ends here; an ended call already has.
      await finish({ endReason: store.getSnapshot().endReason ?? 'user_hangup', endedBy: store.getSnapshot().endedBy ?? 'local' });
    },
  };
}
