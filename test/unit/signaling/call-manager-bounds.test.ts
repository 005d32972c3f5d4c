// A page open all day (a support desk) stays as light as when it started: ended calls leave the manager,
// a flood of invites rings a bounded number of calls, and what peers make the manager hold (candidates
// before their invite, candidates per call) is bounded and expires. Fed over an in-memory port.
import { expect } from '@open-wc/testing';
import type { Call } from '../../../signaling/voip/call.js';
import { MAX_REMOTE_CANDIDATES } from '../../../signaling/voip/call-machine.js';
import { CallManager, RINGING_LIMITS } from '../../../signaling/voip/call-manager.js';
import { EARLY_CANDIDATE_LIMITS } from '../../../signaling/voip/early-candidates.js';
import { makeAudioOffer } from '../../helpers/browser/session-descriptions.js';
import { waitFor } from '../../helpers/browser/wait-for.js';
import { capturingLogger, FakeVoipPort, type CapturingLogger, type FakeInboundEvent, type FakeRoom } from '../../helpers/fake-voip-port.js';

const ME = '@me:test';
const MY_DEVICE = 'MYDEVICE01';
const PEER = '@peer:test';
const PEER_PARTY = 'PEERDEVICE';
const DM = '!dm:test';
/** Callers beyond the ringing bound, each in a DM of their own with us. */
const CALLERS = Array.from({ length: RINGING_LIMITS.calls + 2 }, (_, i) => ({ userId: `@caller${i}:test`, roomId: `!caller${i}:test` }));

let offerSdp = '';
let nextCall = 0;
const newCallId = (): string => `1721234567890boundsCall${String(nextCall++).padStart(4, '0')}`;

/** A candidate line on an unroutable address (TEST-NET-1), distinct for each `n`. */
const candidate = (n: number): { candidate: string; sdpMid: string; sdpMLineIndex: number } => ({
  candidate: `candidate:${n} 1 udp 2122260223 192.0.2.${1 + (n % 250)} ${10_000 + n} typ host generation 0`,
  sdpMid: '0',
  sdpMLineIndex: 0,
});
const candidates = (count: number, first = 0): ReturnType<typeof candidate>[] => Array.from({ length: count }, (_, i) => candidate(first + i));

function invite(callId: string, sender = PEER, roomId = DM): FakeInboundEvent {
  return {
    type: 'm.call.invite',
    sender,
    roomId,
    content: { version: '1', call_id: callId, party_id: PEER_PARTY, offer: { type: 'offer', sdp: offerSdp }, lifetime: 90_000, invitee: ME },
  };
}

function event(type: string, callId: string, extra: Record<string, unknown> = {}, sender = PEER, roomId = DM): FakeInboundEvent {
  return { type, sender, roomId, content: { version: '1', call_id: callId, party_id: PEER_PARTY, ...extra } };
}

describe('CallManager: bounded for a page open all day', function () {
  this.timeout(20_000);

  let port: FakeVoipPort;
  let log: CapturingLogger;
  let manager: CallManager;
  /** The manager's clock: held candidates expire by it. */
  let now: number;
  /** Every call the manager showed, by id (an ended call leaves its snapshot). */
  let seen: Map<string, Call>;
  let unsubscribe: () => void;

  const ringingIds = (): string[] => manager.getSnapshot().ringing.map((c) => c.getSnapshot().callId);
  const callIds = (): string[] => manager.getSnapshot().calls.map((c) => c.getSnapshot().callId);
  const logged = (pattern: RegExp): string[] => log.lines.map((line) => line.text).filter((text) => pattern.test(text));
  const remoteCandidateLines = (callId: string): number => (seen.get(callId)?.peerConnection?.remoteDescription?.sdp.match(/^a=candidate:/gm) ?? []).length;
  async function ring(callId: string, sender = PEER, roomId = DM): Promise<void> {
    port.deliver([invite(callId, sender, roomId)]);
    await waitFor(() => ringingIds().includes(callId), `${callId} to ring`);
    await waitFor(() => seen.get(callId)?.peerConnection?.remoteDescription != null, `the offer of ${callId} to be applied`);
  }

  before(async () => {
    ({ sdp: offerSdp } = await makeAudioOffer());
  });

  beforeEach(() => {
    const rooms: FakeRoom[] = [
      { roomId: DM, joinRule: 'invite', joinedMembers: [ME, PEER] },
      ...CALLERS.map(({ userId, roomId }) => ({ roomId, joinRule: 'invite', joinedMembers: [ME, userId] })),
    ];
    port = new FakeVoipPort(ME, MY_DEVICE, rooms);
    log = capturingLogger();
    now = 1_721_234_567_890;
    manager = new CallManager(port, {
      log,
      relayOnly: true,
      getUserMedia: () => Promise.resolve(new MediaStream()),
      getDisplayMedia: () => Promise.resolve(new MediaStream()),
    }, () => now);
    seen = new Map();
    unsubscribe = manager.subscribe(({ calls }) => {
      for (const c of calls) seen.set(c.getSnapshot().callId, c as Call);
    });
  });

  afterEach(() => {
    unsubscribe();
    manager.dispose();
  });

  describe('ended calls', () => {
    it('leave `calls` when they end, inbound and outbound, one after another', async () => {
      for (let round = 0; round < 5; round++) {
        const inbound = newCallId();
        await ring(inbound);
        port.deliver([event('m.call.hangup', inbound, { reason: 'user_hangup' })]);
        await waitFor(() => seen.get(inbound)?.getSnapshot().phase === 'ended', 'the inbound call to end');
        expect(callIds(), 'calls after the caller hung up').to.deep.equal([]);

        const outbound = await manager.placeCall({ roomId: DM, userId: PEER }, 'voice');
        expect(callIds()).to.deep.equal([outbound.getSnapshot().callId]);
        await outbound.hangup();
        await waitFor(() => outbound.getSnapshot().phase === 'ended', 'our call to end');
        expect(callIds(), 'calls after we hung up').to.deep.equal([]);
        // The handle keeps its last snapshot for whoever holds it.
        expect(outbound.getSnapshot()).to.deep.include({ phase: 'ended', endReason: 'user_hangup' });
      }
    });

    it('late events for an ended call are dropped as such: not held as early candidates, not rung again', async () => {
      const callId = newCallId();
      await ring(callId);
      port.deliver([event('m.call.hangup', callId, { reason: 'user_hangup' })]);
      await waitFor(() => callIds().length === 0, 'the call to leave');
      const mark = log.lines.length;
      port.deliver([
        event('m.call.candidates', callId, { candidates: [candidate(1)] }),
        event('m.call.hangup', callId, { reason: 'user_hangup' }),
        invite(callId),
      ]);
      const lines = log.since(mark).map((line) => line.text);
      expect(lines.filter((text) => /for ended call/.test(text)), lines.join('\n')).to.have.length(2);
      expect(lines.some((text) => /held until its invite/.test(text))).to.equal(false);
      expect(lines.some((text) => new RegExp(`invite ${callId}: already known`).test(text))).to.equal(true);
      expect(ringingIds()).to.deep.equal([]);
      expect(port.sent).to.deep.equal([]);
    });
  });

  describe('a flood of invites', () => {
    it(`rings at most ${RINGING_LIMITS.perCaller} calls from one caller; the rest are dropped with a reason, and nothing is sent`, async () => {
      const flood = Array.from({ length: 30 }, () => newCallId());
      port.deliver(flood.map((callId) => invite(callId)));
      await waitFor(() => ringingIds().length === RINGING_LIMITS.perCaller, 'the first calls to ring');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(ringingIds()).to.deep.equal(flood.slice(0, RINGING_LIMITS.perCaller));
      expect(logged(/not ringing: 2 calls from @peer:test are ringing already/)).to.have.length(flood.length - RINGING_LIMITS.perCaller);
      expect(port.sent).to.deep.equal([]);
      // Candidates for a dropped invite are dropped too, not held for an invite that came already.
      const mark = log.lines.length;
      port.deliver([event('m.call.candidates', flood[29] ?? '', { candidates: [candidate(1)] })]);
      expect(log.since(mark).map((line) => line.text).join('\n')).to.match(/for ended call/);
    });

    it(`rings at most ${RINGING_LIMITS.calls} calls at once from many callers, and rings again once one of them ends`, async () => {
      const invites = CALLERS.map(({ userId, roomId }) => ({ callId: newCallId(), userId, roomId }));
      port.deliver(invites.map(({ callId, userId, roomId }) => invite(callId, userId, roomId)));
      await waitFor(() => ringingIds().length === RINGING_LIMITS.calls, 'the first calls to ring');
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(ringingIds()).to.deep.equal(invites.slice(0, RINGING_LIMITS.calls).map(({ callId }) => callId));
      expect(logged(/not ringing: 8 calls are ringing already/)).to.have.length(invites.length - RINGING_LIMITS.calls);

      const first = invites[0];
      if (!first) throw new Error('no invites');
      port.deliver([event('m.call.hangup', first.callId, { reason: 'user_hangup' }, first.userId, first.roomId)]);
      await waitFor(() => !ringingIds().includes(first.callId), 'the first call to end');
      await ring(newCallId());
      expect(ringingIds()).to.have.length(RINGING_LIMITS.calls);
    });
  });

  describe('candidates before their invite', () => {
    it(`are held ${EARLY_CANDIDATE_LIMITS.holdMs / 1000} s at most: an invite after that does not get them`, async () => {
      const late = newCallId();
      const inTime = newCallId();
      port.deliver([event('m.call.candidates', late, { candidates: [candidate(1)] })]);
      now += EARLY_CANDIDATE_LIMITS.holdMs / 2;
      port.deliver([event('m.call.candidates', inTime, { candidates: [candidate(2)] })]);
      now += EARLY_CANDIDATE_LIMITS.holdMs / 2 + 1;
      await ring(late);
      await ring(inTime);
      await waitFor(() => remoteCandidateLines(inTime) === 1, 'the candidate held in time to be added');
      expect(remoteCandidateLines(late)).to.equal(0);
      expect(logged(new RegExp(`candidates held for unknown call ${late} dropped: no invite came within 60 s`))).to.have.length(1);
    });

    it(`are held for ${EARLY_CANDIDATE_LIMITS.calls} call ids at most: the oldest gives way`, async () => {
      const held = Array.from({ length: EARLY_CANDIDATE_LIMITS.calls + 1 }, () => newCallId());
      port.deliver(held.map((callId, i) => event('m.call.candidates', callId, { candidates: [candidate(i)] })));
      const [oldest, newest] = [held[0] ?? '', held[held.length - 1] ?? ''];
      expect(logged(new RegExp(`candidates held for unknown call ${oldest} dropped: 20 calls' candidates are held already`))).to.have.length(1);
      await ring(oldest);
      await ring(newest);
      await waitFor(() => remoteCandidateLines(newest) === 1, 'the newest held candidate to be added');
      expect(remoteCandidateLines(oldest)).to.equal(0);
    });

    it(`are held up to a call's ${MAX_REMOTE_CANDIDATES} per call id`, async () => {
      const callId = newCallId();
      port.deliver([
        event('m.call.candidates', callId, { candidates: candidates(MAX_REMOTE_CANDIDATES - 1) }),
        event('m.call.candidates', callId, { candidates: candidates(2, MAX_REMOTE_CANDIDATES) }),
      ]);
      expect(logged(/for unknown call .* dropped: beyond the 200 candidates a call takes/)).to.have.length(1);
      await ring(callId);
      await waitFor(() => remoteCandidateLines(callId) === MAX_REMOTE_CANDIDATES - 1, 'the held candidates to be added');
    });
  });

  it(`a call takes ${MAX_REMOTE_CANDIDATES} remote candidates at most; a peer sending thousands gets the rest ignored with a reason`, async () => {
    const callId = newCallId();
    await ring(callId);
    port.deliver(Array.from({ length: 10 }, (_, i) => event('m.call.candidates', callId, { candidates: candidates(100, i * 100) })));
    await waitFor(() => remoteCandidateLines(callId) === MAX_REMOTE_CANDIDATES, 'the first candidates to be added');
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(remoteCandidateLines(callId)).to.equal(MAX_REMOTE_CANDIDATES);
    expect(logged(/ignored: 100 candidates: beyond the 200 a call takes \(200 taken\)/)).to.have.length(8);
    expect(seen.get(callId)?.getSnapshot().phase).to.equal('ringing');
  });
});
