import { expect } from '@open-wc/testing';
import { MxError } from '../../../signaling/errors.js';
import type { CallKit, CallKitOptions } from '../../../signaling/kit.js';
import type { MatrixCredentials } from '../../../signaling/matrix/session.js';
import type { GroupCallHandle, GroupCallPhase, GroupCallSnapshot } from '../../../signaling/rtc/group-call.types.js';
import { createStore } from '../../../signaling/store/store.js';
import { CALL_PHASES, type CallHandle, type CallSnapshot } from '../../../signaling/voip/types.js';
import {
  startVisitorCall,
  visitorCallStatus,
  visitorGroupCallStatus,
  type VisitorCallDeps,
  type VisitorCallOptions,
  type VisitorCallSnapshot,
} from '../../../signaling/visitor/visitor-call.js';
import type { VisitorCredentials } from '../../../signaling/visitor/visitor-service.js';
import { waitFor } from '../../helpers/browser/wait-for.js';

const PAGE_CREDENTIALS: MatrixCredentials = { homeserverUrl: 'http://127.0.0.1:8008', userId: '@page:localhost', accessToken: 'page-token', deviceId: 'PAGE' };
const VISITOR_CREDENTIALS: VisitorCredentials = { homeserverUrl: 'http://127.0.0.1:8008', userId: '@visitor-1:localhost', accessToken: 'visitor-token', deviceId: 'VISITOR', expiresAt: 1 };
const TARGET = '@support:localhost';

/** A promise and the functions that settle it, for holding a step of the flow open. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** A call whose phase the test sets; only what the visitor call reads. `delivery` holds its hangup's event. */
function fakeCall(delivery: Promise<void> = Promise.resolve()) {
  const store = createStore<Pick<CallSnapshot, 'phase' | 'endReason' | 'endedBy' | 'error'>>({ phase: 'create_offer', endReason: undefined, endedBy: undefined, error: undefined });
  let hangups = 0;
  const call = {
    getSnapshot: () => store.getSnapshot(),
    subscribe: (listener: () => void) => store.subscribe(listener),
    // As the real call: hanging up an ended call sends nothing more and waits for what is on its way.
    async hangup() {
      if (store.getSnapshot().phase !== 'ended') {
        hangups += 1;
        store.set({ phase: 'ended', endReason: 'user_hangup', endedBy: 'local', error: undefined });
      }
      await delivery;
    },
  } as unknown as CallHandle;
  return { call, setPhase: (phase: CallSnapshot['phase'], end: Partial<CallSnapshot> = {}) => store.set({ ...store.getSnapshot(), phase, ...end }), hangups: () => hangups };
}

/** A group call whose phase the test sets; its leave is logged and removes the membership at once. */
function fakeGroupCall(log: string[]) {
  const store = createStore<Pick<GroupCallSnapshot, 'phase' | 'error'>>({ phase: 'joining', error: undefined });
  const call = {
    getSnapshot: () => store.getSnapshot(),
    subscribe: (listener: () => void) => store.subscribe(listener),
    async leave() {
      log.push('leave');
      store.set({ phase: 'left', error: undefined });
    },
  } as unknown as GroupCallHandle;
  return { call, setPhase: (phase: GroupCallPhase, error?: MxError) => store.set({ phase, error }) };
}

/** Deps that record what the flow asked for; each step can be held open. */
function recordingDeps(options: { kit?: Promise<CallKit>; credentials?: Promise<VisitorCredentials>; hangupDelivery?: Promise<void> } = {}) {
  const log: string[] = [];
  const placed = fakeCall(options.hangupDelivery);
  let disposed = 0;
  const group = fakeGroupCall(log);
  const kit = {
    placeCall: async () => placed.call,
    joinGroupCall: async (roomId: string, joinOptions: { video?: boolean }) => {
      log.push(`join ${roomId} video ${String(joinOptions.video)}`);
      return group.call;
    },
    dispose: () => {
      disposed += 1;
      log.push('dispose');
    },
  } as unknown as CallKit;
  const deps: VisitorCallDeps = {
    async createCallKit(kitOptions: CallKitOptions) {
      log.push(`kit ${kitOptions.credentials?.userId}`);
      return options.kit ?? kit;
    },
    async requestVisitorCredentials(serviceUrl, request) {
      log.push(`request ${serviceUrl} ${'target' in request ? request.target : request.room}`);
      return options.credentials ?? VISITOR_CREDENTIALS;
    },
    async endVisitorSession(serviceUrl, credentials) {
      log.push(`end ${serviceUrl} ${credentials.accessToken}`);
      return true;
    },
  };
  return { deps, log, placed, group, kit, disposed: () => disposed };
}

/** Resolves with the first snapshot that passes `test`. */
function until(call: { getSnapshot(): VisitorCallSnapshot; subscribe(listener: (s: VisitorCallSnapshot) => void): () => void }, test: (s: VisitorCallSnapshot) => boolean): Promise<VisitorCallSnapshot> {
  return new Promise((resolve) => {
    if (test(call.getSnapshot())) return resolve(call.getSnapshot());
    const off = call.subscribe((snapshot) => {
      if (!test(snapshot)) return;
      off();
      resolve(snapshot);
    });
  });
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('visitor call', () => {
  describe('status of each call phase', () => {
    const expected: Record<(typeof CALL_PHASES)[number], string> = {
      fledgling: 'connecting',
      wait_local_media: 'connecting',
      create_offer: 'connecting',
      invite_sent: 'ringing',
      ringing: 'ringing',
      create_answer: 'connecting',
      connecting: 'connecting',
      connected: 'in-call',
      ended: 'ended',
    };
    for (const phase of CALL_PHASES) {
      it(`${phase} → ${expected[phase]}`, () => expect(visitorCallStatus(phase)).to.equal(expected[phase]));
    }
  });

  describe('status of each group call phase', () => {
    const expected: Record<GroupCallPhase, string> = { joining: 'connecting', connected: 'in-call', reconnecting: 'in-call', leaving: 'in-call', left: 'ended', failed: 'ended' };
    for (const [phase, status] of Object.entries(expected)) {
      it(`${phase} → ${status}`, () => expect(visitorGroupCallStatus(phase as GroupCallPhase)).to.equal(status));
    }
  });

  describe("a room's group call", () => {
    it('asks the visitor service for the room, joins the room it names, and follows the call', async () => {
      const { deps, log, group } = recordingDeps({ credentials: Promise.resolve({ ...VISITOR_CREDENTIALS, roomId: '!call:localhost' }) });
      const visitorCall = startVisitorCall({ room: '#support-call:localhost', kind: 'video', visitorService: 'http://svc' }, deps);
      const joining = await until(visitorCall, (s) => s.groupCall !== undefined);
      expect(joining.status).to.equal('connecting');
      expect(joining.call).to.equal(undefined);
      expect(log).to.deep.equal(['request http://svc #support-call:localhost', 'kit @visitor-1:localhost', 'join !call:localhost video true']);
      group.setPhase('connected');
      expect(visitorCall.getSnapshot().status).to.equal('in-call');
    });

    it('leaves the call before the session and the account end', async () => {
      const { deps, log, group } = recordingDeps({ credentials: Promise.resolve({ ...VISITOR_CREDENTIALS, roomId: '!call:localhost' }) });
      const visitorCall = startVisitorCall({ room: '!call:localhost', kind: 'voice', visitorService: 'http://svc' }, deps);
      await until(visitorCall, (s) => s.groupCall !== undefined);
      group.setPhase('connected');
      await visitorCall.hangup();
      const ended = visitorCall.getSnapshot();
      expect([ended.status, ended.endReason, ended.endedBy, ended.error]).to.deep.equal(['ended', 'user_hangup', 'local', undefined]);
      expect(log).to.deep.equal(['request http://svc !call:localhost', 'kit @visitor-1:localhost', 'join !call:localhost video false', 'leave', 'dispose', 'end http://svc visitor-token']);
    });

    it('a call that fails ends with its error, and everything is released', async () => {
      const { deps, log, group } = recordingDeps({ credentials: Promise.resolve({ ...VISITOR_CREDENTIALS, roomId: '!call:localhost' }) });
      const visitorCall = startVisitorCall({ room: '!call:localhost', kind: 'video', visitorService: 'http://svc' }, deps);
      await until(visitorCall, (s) => s.groupCall !== undefined);
      group.setPhase('failed', new MxError('NO_RTC_TRANSPORT', 'no SFU'));
      const ended = await until(visitorCall, (s) => s.status === 'ended');
      expect(ended.error?.code).to.equal('NO_RTC_TRANSPORT');
      await waitFor(() => log.at(-1) === 'end http://svc visitor-token', 'the session to end');
    });

    it("joins a room ID with the page's own credentials, asking no service", async () => {
      const { deps, log } = recordingDeps();
      const visitorCall = startVisitorCall({ room: '!call:localhost', kind: 'video', credentials: PAGE_CREDENTIALS, visitorService: 'http://svc' }, deps);
      await until(visitorCall, (s) => s.groupCall !== undefined);
      expect(log).to.deep.equal(['kit @page:localhost', 'join !call:localhost video true']);
    });

    const refused: [string, Partial<VisitorCallOptions>][] = [
      ["an alias with the page's credentials (only a visitor service resolves and joins it)", { room: '#support-call:localhost', credentials: PAGE_CREDENTIALS }],
      ['a room that is neither an ID nor an alias', { room: 'support-call', visitorService: 'http://svc' }],
      ['both a user and a room', { room: '!call:localhost', target: TARGET, visitorService: 'http://svc' }],
    ];
    for (const [name, options] of refused) {
      it(`refuses ${name} with INVALID_CONFIGURATION, joining nothing`, async () => {
        const { deps, log } = recordingDeps();
        const ended = await until(startVisitorCall({ kind: 'video', ...options }, deps), (s) => s.status === 'ended');
        expect(ended.error?.code).to.equal('INVALID_CONFIGURATION');
        expect(log.filter((line) => line.startsWith('join') || line.startsWith('request'))).to.deep.equal([]);
      });
    }
  });

  describe('identity, in order', () => {
    const rows: { name: string; options: Partial<VisitorCallOptions>; log: string[] }[] = [
      { name: 'the page\'s credentials first', options: { credentials: PAGE_CREDENTIALS, getCredentials: () => { throw new Error('not asked'); }, visitorService: 'http://svc' }, log: ['kit @page:localhost'] },
      { name: 'then getCredentials()', options: { getCredentials: async () => PAGE_CREDENTIALS, visitorService: 'http://svc' }, log: ['kit @page:localhost'] },
      { name: 'then the visitor service, when getCredentials() gives none', options: { getCredentials: () => undefined, visitorService: 'http://svc' }, log: ['request http://svc @support:localhost', 'kit @visitor-1:localhost'] },
      { name: 'the visitor service alone', options: { visitorService: 'http://svc' }, log: ['request http://svc @support:localhost', 'kit @visitor-1:localhost'] },
    ];
    for (const row of rows) {
      it(row.name, async () => {
        const { deps, log } = recordingDeps();
        const visitorCall = startVisitorCall({ target: TARGET, kind: 'video', ...row.options }, deps);
        await until(visitorCall, (s) => s.call !== undefined);
        expect(log).to.deep.equal(row.log);
      });
    }

    it('without any identity, ends with INVALID_CONFIGURATION and asks nobody', async () => {
      const { deps, log } = recordingDeps();
      const ended = await until(startVisitorCall({ target: TARGET, kind: 'video' }, deps), (s) => s.status === 'ended');
      expect(ended.error?.code).to.equal('INVALID_CONFIGURATION');
      expect(log).to.deep.equal([]);
    });

    it('a target that is not a user id ends with INVALID_CONFIGURATION before any request', async () => {
      const { deps, log } = recordingDeps();
      const ended = await until(startVisitorCall({ target: 'support', kind: 'video', visitorService: 'http://svc' }, deps), (s) => s.status === 'ended');
      expect(ended.error?.code).to.equal('INVALID_CONFIGURATION');
      expect(log).to.deep.equal([]);
    });

    it('a refusal of the visitor service ends the call with its code and starts no session', async () => {
      const { deps, log } = recordingDeps({ credentials: Promise.reject(new MxError('RATE_LIMITED', 'slow down')) });
      const ended = await until(startVisitorCall({ target: TARGET, kind: 'video', visitorService: 'http://svc' }, deps), (s) => s.status === 'ended');
      expect(ended.error?.code).to.equal('RATE_LIMITED');
      expect(log).to.deep.equal(['request http://svc @support:localhost']);
    });
  });

  describe('the end releases everything once', () => {
    it('the callee is busy: the status follows the call, then the kit is disposed and the visitor account ended', async () => {
      const { deps, log, placed, disposed } = recordingDeps();
      const visitorCall = startVisitorCall({ target: TARGET, kind: 'voice', visitorService: 'http://svc' }, deps);
      await until(visitorCall, (s) => s.call !== undefined);
      expect(visitorCall.getSnapshot().status).to.equal('connecting');
      placed.setPhase('invite_sent');
      expect(visitorCall.getSnapshot().status).to.equal('ringing');
      placed.setPhase('ended', { endReason: 'user_busy', endedBy: 'remote' });
      const ended = await until(visitorCall, (s) => s.status === 'ended');
      await settle();
      expect(ended).to.include({ endReason: 'user_busy', endedBy: 'remote', error: undefined });
      expect(disposed()).to.equal(1);
      expect(log.filter((line) => line.startsWith('end'))).to.deep.equal(['end http://svc visitor-token']);
      await visitorCall.hangup();
      expect(disposed(), 'a hangup after the end changes nothing').to.equal(1);
      expect(log.filter((line) => line.startsWith('end'))).to.have.length(1);
    });

    it('hanging up a ringing call hangs it up and ends the account', async () => {
      const { deps, log, placed, disposed } = recordingDeps();
      const visitorCall = startVisitorCall({ target: TARGET, kind: 'video', visitorService: 'http://svc' }, deps);
      await until(visitorCall, (s) => s.call !== undefined);
      placed.setPhase('invite_sent');
      await visitorCall.hangup();
      expect(placed.hangups()).to.equal(1);
      expect(visitorCall.getSnapshot()).to.include({ status: 'ended', endReason: 'user_hangup', endedBy: 'local' });
      expect(disposed()).to.equal(1);
      expect(log.filter((line) => line.startsWith('end'))).to.deep.equal(['end http://svc visitor-token']);
    });

    it('stops the session and ends the account only once the hangup has reached the callee', async () => {
      const delivery = deferred<void>();
      const { deps, log, placed, disposed } = recordingDeps({ hangupDelivery: delivery.promise });
      const visitorCall = startVisitorCall({ target: TARGET, kind: 'video', visitorService: 'http://svc' }, deps);
      await until(visitorCall, (s) => s.call !== undefined);
      placed.setPhase('connected');
      const hangingUp = visitorCall.hangup();
      await settle();
      expect(visitorCall.getSnapshot().status).to.equal('ended');
      expect(disposed(), 'the session still sends the hangup').to.equal(0);
      expect(log.filter((line) => line.startsWith('end'))).to.deep.equal([]);
      delivery.resolve();
      await hangingUp;
      expect(disposed()).to.equal(1);
      expect(log.filter((line) => line.startsWith('end'))).to.deep.equal(['end http://svc visitor-token']);
    });

    it('hanging up while the account is made ends the account once it arrives, and signs nothing in', async () => {
      const pending = deferred<VisitorCredentials>();
      const { deps, log } = recordingDeps({ credentials: pending.promise });
      const visitorCall = startVisitorCall({ target: TARGET, kind: 'video', visitorService: 'http://svc' }, deps);
      await settle();
      await visitorCall.hangup();
      expect(visitorCall.getSnapshot()).to.include({ status: 'ended', endReason: 'user_hangup' });
      pending.resolve(VISITOR_CREDENTIALS);
      await settle();
      expect(log).to.deep.equal(['request http://svc @support:localhost', 'end http://svc visitor-token']);
    });

    it('hanging up while the session starts disposes the session once it is up, and only then ends the account', async () => {
      const kitStarted = deferred<CallKit>();
      const { deps, log, kit } = recordingDeps();
      const held = { ...deps, createCallKit: async (options: CallKitOptions) => { await deps.createCallKit(options); return kitStarted.promise; } };
      const visitorCall = startVisitorCall({ target: TARGET, kind: 'video', visitorService: 'http://svc' }, held);
      await waitFor(() => log.includes('kit @visitor-1:localhost'), 'the session to start');
      const hangingUp = visitorCall.hangup();
      await settle();
      expect(log, 'the account outlives the session starting on it').to.not.include('end http://svc visitor-token');
      kitStarted.resolve(kit);
      await hangingUp;
      expect(visitorCall.getSnapshot().call).to.equal(undefined);
      expect(log.slice(-2)).to.deep.equal(['dispose', 'end http://svc visitor-token']);
    });

  });
});
