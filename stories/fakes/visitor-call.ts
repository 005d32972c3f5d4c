// A visitor's call with no identity, homeserver or callee behind it, for the call button's and the call dialog's
// stories: each status and each way a call ends or is refused, with a hang-up that ends it as the visitor's.
import { MxError } from '../../signaling/errors.js';
import { createStore } from '../../signaling/store/store.js';
import type { VisitorCall, VisitorCallSnapshot } from '../../signaling/visitor/visitor-call.js';
import type { CallPeer } from '../../signaling/voip/types.js';
import { scenarioCall } from './call-scenarios.js';
import type { FakeCall } from './fake-call.js';

export interface FakeVisitorCall extends VisitorCall {
  /** Merges `patch` into the snapshot. */
  set(patch: Partial<VisitorCallSnapshot>): void;
}

const SUPPORT: CallPeer = { userId: '@support:example.org', displayName: 'Support', avatarUrl: undefined };

/**
 * A visitor call in the state `patch` gives (connecting by default). With a call, it follows the call to its end as
 * `startVisitorCall` does, so hanging up inside `<mx-call>` ends it too.
 */
export function createFakeVisitorCall(patch: Partial<VisitorCallSnapshot> = {}): FakeVisitorCall {
  const store = createStore<VisitorCallSnapshot>({ status: 'connecting', call: undefined, groupCall: undefined, error: undefined, endReason: undefined, endedBy: undefined, ...patch });
  const call = store.getSnapshot().call;
  call?.subscribe((s) => {
    if (s.phase === 'ended' && store.getSnapshot().status !== 'ended') {
      store.update((v) => ({ ...v, status: 'ended', endReason: s.endReason, endedBy: s.endedBy, error: s.error }));
    }
  });
  return {
    getSnapshot: store.getSnapshot,
    subscribe: store.subscribe,
    set: (change) => store.update((s) => ({ ...s, ...change })),
    async hangup() {
      const s = store.getSnapshot();
      if (s.status === 'ended') return;
      if (s.call && s.call.getSnapshot().phase !== 'ended') await s.call.hangup();
      store.update((v) => (v.status === 'ended' ? v : { ...v, status: 'ended', endReason: 'user_hangup', endedBy: 'local' }));
    },
  };
}

export const VISITOR_SCENARIOS = [
  'connecting',
  'ringing',
  'in-call',
  'ended-hung-up',
  'ended-busy',
  'ended-declined',
  'ended-no-answer',
  'ended-network',
  'refused-rate-limited',
  'refused-target',
  'refused-origin',
  'refused-unreachable',
  'refused-media',
  'refused-nobody-available',
] as const;
export type VisitorScenario = (typeof VISITOR_SCENARIOS)[number];

const placed = (scenario: 'outgoing-ringing' | 'connected-video'): FakeCall => scenarioCall(scenario, { peer: SUPPORT });
const endedBy = (endReason: VisitorCallSnapshot['endReason'], by: 'local' | 'remote'): Partial<VisitorCallSnapshot> => ({
  status: 'ended',
  endReason,
  endedBy: by,
});
const refused = (error: MxError): Partial<VisitorCallSnapshot> => ({ status: 'ended', error });

const SNAPSHOTS: Record<VisitorScenario, () => Partial<VisitorCallSnapshot>> = {
  connecting: () => ({ status: 'connecting' }),
  ringing: () => ({ status: 'ringing', call: placed('outgoing-ringing') }),
  'in-call': () => ({ status: 'in-call', call: placed('connected-video') }),
  'ended-hung-up': () => endedBy('user_hangup', 'remote'),
  'ended-busy': () => endedBy('user_busy', 'remote'),
  'ended-declined': () => endedBy('rejected', 'remote'),
  'ended-no-answer': () => endedBy('invite_timeout', 'local'),
  // A placed call that failed: the dialog says how it ended, not what its error was.
  'ended-network': () => ({
    ...endedBy('ice_failed', 'local'),
    call: placed('outgoing-ringing'),
    error: new MxError('ICE_FAILED', 'The media connection failed.'),
  }),
  'refused-rate-limited': () =>
    refused(Object.assign(new MxError('RATE_LIMITED', 'The visitor service refused: rate limited'), { retryAfterMs: 4 * 60_000 })),
  'refused-target': () => refused(new MxError('TARGET_NOT_ALLOWED', 'The visitor service does not let visitors call this user')),
  'refused-origin': () => refused(new MxError('ORIGIN_NOT_ALLOWED', 'The visitor service does not serve this origin')),
  'refused-unreachable': () => refused(new MxError('HOMESERVER_UNREACHABLE', 'The homeserver could not be reached')),
  'refused-media': () => refused(new MxError('MEDIA_PERMISSION_DENIED', 'The browser blocked the microphone')),
  'refused-nobody-available': () => refused(new MxError('PEER_UNAVAILABLE', '@support:example.org did not join the conversation')),
};

/** A fake visitor call in `scenario`; its call, when it has one, reacts to the controls of `<mx-call>`. */
export function visitorScenarioCall(scenario: VisitorScenario): FakeVisitorCall {
  return createFakeVisitorCall(SNAPSHOTS[scenario]());
}
