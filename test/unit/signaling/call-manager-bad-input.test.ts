import { expect } from '@open-wc/testing';
import type { MxError } from '../../../signaling/errors.js';
import type { Call } from '../../../signaling/voip/call.js';
import { CallManager } from '../../../signaling/voip/call-manager.js';
import { MAX_SDP_LENGTH } from '../../../signaling/voip/content.js';
import type { CallPhase } from '../../../signaling/voip/types.js';
import { makeAnswer, makeAudioOffer } from '../../helpers/browser/session-descriptions.js';
import { waitFor } from '../../helpers/browser/wait-for.js';
import { capturingLogger, FakeVoipPort, type CapturingLogger, type FakeInboundEvent } from '../../helpers/fake-voip-port.js';

// Malformed, misdirected and hostile m.call.* input, fed to a CallManager over an in-memory port. Each row
// must be dropped with a logged reason: nothing throws, nothing new rings, existing calls keep their phase,
// nothing is sent that the spec does not ask for. Rows that must ring are in the table too, so it can fail.

const ME = '@me:test';
const MY_DEVICE = 'MYDEVICE01';
const PEER = '@peer:test';
const PEER_PARTY = 'PEERDEVICE';
const PEER_OTHER_PARTY = 'PEEROTHER1';
/** A member of the group room only. */
const OTHER = '@other:test';
const OTHER_PARTY = 'OTHERDEVIC';
/** Not a member of any room. */
const STRANGER = '@stranger:test';
const STRANGER_PARTY = 'STRANGERDV';

const DM = '!dm:test';
const PUBLIC_ROOM = '!public:test';
const GROUP = '!group:test';
const UNKNOWN_ROOM = '!unknown:test';

/** The call a row's `given` sets up, when it sets one up. */
const EXISTING = '1721234567890existingCall01';
/** The call id a row's bad input is about. */
const BAD = '1721234567890badInputCall001';

const CANDIDATE = 'candidate:1 1 udp 2122260223 192.0.2.44 54321 typ host generation 0';

let offerSdp = '';
let offerStreamId = '';

interface InviteOptions {
  callId?: string;
  sender?: string;
  partyId?: string;
  roomId?: string;
  ageMs?: number;
  content?: Record<string, unknown>;
}

function common(callId: string, partyId: string): Record<string, unknown> {
  return { version: '1', call_id: callId, party_id: partyId };
}

function inviteContent(callId: string, partyId: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    ...common(callId, partyId),
    offer: { type: 'offer', sdp: offerSdp },
    lifetime: 90_000,
    invitee: ME,
    sdp_stream_metadata: { [offerStreamId]: { purpose: 'm.usermedia', audio_muted: false, video_muted: false } },
    capabilities: { 'm.call.transferee': false, 'm.call.dtmf': false },
    ...extra,
  };
}

/** A valid invite from the peer in the DM, with fields replaced (or removed, with `undefined`) by `content`. */
function invite(options: InviteOptions = {}): FakeInboundEvent {
  const content = inviteContent(options.callId ?? BAD, options.partyId ?? PEER_PARTY, options.content);
  for (const [key, value] of Object.entries(content)) if (value === undefined) delete content[key];
  return {
    type: 'm.call.invite',
    sender: options.sender ?? PEER,
    roomId: options.roomId ?? DM,
    ageMs: options.ageMs ?? 0,
    content,
  };
}

function event(type: string, sender: string, partyId: string, callId: string, extra: Record<string, unknown> = {}, roomId = DM): FakeInboundEvent {
  return { type, sender, roomId, content: { ...common(callId, partyId), ...extra } };
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Harness {
  port: FakeVoipPort;
  log: CapturingLogger;
  manager: CallManager;
  /** Every call id that was ever in `ringing`, in order. */
  rang: string[];
  /** Every call the manager showed, by id: an ended call leaves its snapshot. */
  seen: Map<string, Call>;
  unhandled: unknown[];
}

let h: Harness;
const onUnhandled = (event: PromiseRejectionEvent): void => {
  h.unhandled.push(event.reason);
};
const onError = (event: ErrorEvent): void => {
  h.unhandled.push(event.error ?? event.message);
};

function call(callId: string): Call {
  const found = h.seen.get(callId);
  if (!found) throw new Error(`no call ${callId}`);
  return found;
}

function phaseOf(callId: string): CallPhase {
  return call(callId).getSnapshot().phase;
}

/** Lets the peer-connection driver finish what an event started (setRemoteDescription and the like). */
const settle = (): Promise<void> => sleep(150);

/** Resolves once `callId` has rung and its offer is applied (whichever order the manager does them in). */
async function waitForRing(callId: string): Promise<void> {
  await waitFor(() => h.rang.includes(callId), `${callId} to ring`);
  await waitFor(() => call(callId).peerConnection?.remoteDescription != null, `the offer of ${callId} to be applied`);
}

type Given = 'nothing' | 'ringing' | 'invite_sent' | 'answered';

/** Sets up the existing call a row is about; returns its call id. */
async function arrange(given: Given): Promise<string | undefined> {
  switch (given) {
    case 'nothing':
      return undefined;
    case 'ringing': {
      h.port.deliver([invite({ callId: EXISTING })]);
      await waitForRing(EXISTING);
      await settle();
      expect(phaseOf(EXISTING), 'the existing inbound call rings').to.equal('ringing');
      return EXISTING;
    }
    case 'invite_sent':
    case 'answered': {
      const placed = await h.manager.placeCall({ roomId: DM, userId: PEER }, 'voice');
      const callId = placed.getSnapshot().callId;
      await waitFor(() => phaseOf(callId) === 'invite_sent', 'our invite to be sent');
      // relayOnly with no TURN server: no candidate is ever gathered, so the end-of-candidates goes now or never.
      await waitFor(() => call(callId).peerConnection?.iceGatheringState === 'complete', 'ICE gathering to complete');
      await sleep(20);
      if (given === 'invite_sent') return callId;
      const ourInvite = h.port.sent.find((sent) => sent.type === 'm.call.invite');
      const offer = (ourInvite?.content.offer as { sdp: string } | undefined)?.sdp ?? '';
      const answer = await makeAnswer(offer);
      h.port.deliver([event('m.call.answer', PEER, PEER_PARTY, callId, { answer: { type: 'answer', sdp: answer } })]);
      await waitFor(() => phaseOf(callId) === 'connecting', 'the answer to be accepted');
      await waitFor(() => call(callId).peerConnection?.remoteDescription !== null, 'the answer to be applied');
      await waitFor(() => h.port.sent.some((sent) => sent.type === 'm.call.select_answer'), 'our select_answer');
      await sleep(20);
      return callId;
    }
  }
}

interface Row {
  name: string;
  given?: Given;
  /** The batch (or batches) that arrive; `existing` is the call id `given` set up. */
  batches: (existing: string) => FakeInboundEvent[][];
  /** A line the logger must have received; omitted for inputs that must be accepted. */
  reason?: RegExp;
  /** Call ids that must ring because of the input (default: none). */
  rings?: string[];
  /** The existing call's phase afterwards (default: unchanged). */
  phaseAfter?: CallPhase;
  /** Event types the manager must send in response (default: none). */
  sends?: string[];
}

const ROWS: Row[] = [
  // Accepted input, so that the table can fail.
  { name: 'a valid invite rings', batches: () => [[invite()]], rings: [BAD] },
  { name: 'an invite with version 2 (a number) is read as version "1" and rings', batches: () => [[invite({ content: { version: 2 } })]], rings: [BAD] },
  { name: 'an invite with version "2" is read as version "1" and rings', batches: () => [[invite({ content: { version: '2' } })]], rings: [BAD] },
  { name: 'an invite with no version is read as version "1" and rings', batches: () => [[invite({ content: { version: undefined } })]], rings: [BAD] },
  { name: 'a legacy version 0 invite with no party_id rings', batches: () => [[invite({ content: { version: 0, party_id: undefined } })]], rings: [BAD] },
  { name: 'an invite with no invitee (anyone in the room may answer) rings', batches: () => [[invite({ content: { invitee: undefined } })]], rings: [BAD] },
  {
    name: 'an invite with a lifetime beyond what a timer holds (1e15 ms) rings, its lifetime read as ten minutes',
    batches: () => [[invite({ content: { lifetime: 1e15 } })]],
    reason: /lifetime: 1000000000000000 ms is more than the 600000 ms we allow; read as 600000/,
    rings: [BAD],
  },
  { name: 'an invite with a lifetime of 2^31 ms (one past setTimeout\'s limit) rings', batches: () => [[invite({ content: { lifetime: 2 ** 31 } })]], rings: [BAD] },

  // Content the validator refuses.
  { name: 'null content', batches: () => [[{ type: 'm.call.invite', sender: PEER, content: null }]], reason: /content: expected an object, got null/ },
  { name: 'array content', batches: () => [[{ type: 'm.call.invite', sender: PEER, content: [inviteContent(BAD, PEER_PARTY)] }]], reason: /content: expected an object, got an array/ },
  { name: 'string content', batches: () => [[{ type: 'm.call.invite', sender: PEER, content: 'm.call.invite' }]], reason: /content: expected an object, got a string/ },
  { name: 'an invite without call_id', batches: () => [[invite({ content: { call_id: undefined } })]], reason: /call_id: missing/ },
  { name: 'an invite with a numeric call_id', batches: () => [[invite({ content: { call_id: 1721234567890 } })]], reason: /call_id: expected a string, got a number/ },
  { name: 'an invite with a call_id outside the VoIP id grammar', batches: () => [[invite({ content: { call_id: 'has spaces/and slashes' } })]], reason: /call_id: .* is not 1–255 characters/ },
  { name: 'an invite with a 256-character call_id', batches: () => [[invite({ content: { call_id: 'a'.repeat(256) } })]], reason: /call_id: .* is not 1–255 characters/ },
  { name: 'an invite without party_id', batches: () => [[invite({ content: { party_id: undefined } })]], reason: /party_id: missing/ },
  { name: 'an invite with version 2 and no party_id (version 2 is "1", which needs one)', batches: () => [[invite({ content: { version: 2, party_id: undefined } })]], reason: /party_id: missing/ },
  { name: 'an invite with a numeric party_id', batches: () => [[invite({ content: { party_id: 42 } })]], reason: /party_id: expected a string, got a number/ },
  { name: 'an invite with an empty party_id', batches: () => [[invite({ content: { party_id: '' } })]], reason: /party_id: must be 1–255 characters/ },
  { name: 'an invite without offer', batches: () => [[invite({ content: { offer: undefined } })]], reason: /offer: missing/ },
  { name: 'an invite whose offer is a string', batches: () => [[invite({ content: { offer: 'v=0' } })]], reason: /offer: expected an object, got a string/ },
  { name: 'an invite whose offer has no sdp', batches: () => [[invite({ content: { offer: { type: 'offer' } } })]], reason: /offer\.sdp: missing/ },
  { name: 'an invite whose offer.sdp is a number', batches: () => [[invite({ content: { offer: { type: 'offer', sdp: 0 } } })]], reason: /offer\.sdp: expected a string, got a number/ },
  { name: 'an invite whose offer.sdp is empty', batches: () => [[invite({ content: { offer: { type: 'offer', sdp: '' } } })]], reason: /offer\.sdp: empty/ },
  { name: 'an invite whose offer.type is not an RTCSdpType', batches: () => [[invite({ content: { offer: { type: 'bogus', sdp: offerSdp } } })]], reason: /offer\.type: "bogus" is not an RTCSdpType/ },
  {
    name: 'an invite with a huge SDP',
    batches: () => [[invite({ content: { offer: { type: 'offer', sdp: offerSdp + 'a=x-padding\r\n'.repeat(Math.ceil(MAX_SDP_LENGTH / 13)) } } })]],
    reason: /offer\.sdp: huge SDP/,
  },
  {
    name: 'an invite whose offer.sdp is a string but not SDP',
    batches: () => [[invite({ content: { offer: { type: 'offer', sdp: 'this is not a session description' } } })]],
    reason: /not ringing|setRemoteDescription|apply_remote_description|SessionDescription/i,
  },
  { name: 'an invite without lifetime', batches: () => [[invite({ content: { lifetime: undefined } })]], reason: /lifetime: missing/ },
  { name: 'an invite with lifetime null', batches: () => [[invite({ content: { lifetime: null } })]], reason: /lifetime: missing/ },
  { name: 'an invite with lifetime as a string', batches: () => [[invite({ content: { lifetime: '90000' } })]], reason: /lifetime: expected a positive number of milliseconds, got a string/ },
  { name: 'an invite with a negative lifetime', batches: () => [[invite({ content: { lifetime: -90_000 } })]], reason: /lifetime: expected a positive number of milliseconds, got -90000/ },
  { name: 'an invite with an invitee that is not a user id', batches: () => [[invite({ content: { invitee: 'me' } })]], reason: /invitee: "me" is not a Matrix user id/ },
  { name: 'an unsupported m.call.* type', batches: () => [[event('m.call.replaces', PEER, PEER_PARTY, BAD, { replacement_id: 'x' })]], reason: /unsupported event type "m\.call\.replaces"/ },

  // Well-formed invites that must not ring.
  { name: 'an invite for someone else (invitee)', batches: () => [[invite({ content: { invitee: '@someone-else:test' } })]], reason: /not ringing: it is for @someone-else:test/ },
  { name: 'an expired invite (lifetime 90 s, 88 s old)', batches: () => [[invite({ ageMs: 88_000 })]], reason: /not ringing: expired/ },
  { name: 'an expired invite (lifetime 1 ms)', batches: () => [[invite({ content: { lifetime: 1 } })]], reason: /not ringing: expired/ },
  { name: 'an invite in a public room', batches: () => [[invite({ roomId: PUBLIC_ROOM })]], reason: /not ringing: the room is public/ },
  { name: 'an invite from a user who is not in the room', batches: () => [[invite({ sender: STRANGER, partyId: STRANGER_PARTY })]], reason: /not ringing: the sender is not in the room/ },
  { name: 'an invite in a room the client does not know', batches: () => [[invite({ roomId: UNKNOWN_ROOM })]], reason: /not ringing: .*room/ },
  { name: 'an invite from our own other device', batches: () => [[invite({ sender: ME, partyId: 'MYOTHERDEV' })]], reason: /not ringing: we sent it/ },
  { name: 'our own echoed invite', batches: () => [[invite({ sender: ME, partyId: MY_DEVICE })]], reason: /echo/i },
  {
    name: 'an invite hung up in the same batch',
    batches: () => [[invite(), event('m.call.hangup', PEER, PEER_PARTY, BAD, { reason: 'user_hangup' })]],
    reason: /settled in the same sync batch: not ringing/,
  },

  // Events for calls we do not have.
  { name: 'candidates for an unknown call', batches: () => [[event('m.call.candidates', PEER, PEER_PARTY, BAD, { candidates: [{ candidate: CANDIDATE, sdpMid: '0', sdpMLineIndex: 0 }] })]], reason: /unknown call/ },
  { name: 'an answer for a call we never made', batches: () => [[event('m.call.answer', PEER, PEER_PARTY, BAD, { answer: { type: 'answer', sdp: offerSdp } })]], reason: /m\.call\.answer for unknown call/ },
  { name: 'a select_answer for a call we never had', batches: () => [[event('m.call.select_answer', PEER, PEER_PARTY, BAD, { selected_party_id: MY_DEVICE })]], reason: /m\.call\.select_answer for unknown call/ },
  { name: 'a negotiate for a call we never had', batches: () => [[event('m.call.negotiate', PEER, PEER_PARTY, BAD, { description: { type: 'offer', sdp: offerSdp }, lifetime: 60_000 })]], reason: /m\.call\.negotiate for unknown call/ },
  { name: 'a hangup for a call we never had', batches: () => [[event('m.call.hangup', PEER, PEER_PARTY, BAD, { reason: 'user_hangup' })]], reason: /m\.call\.hangup for unknown call/ },

  // Bad input about a call that is ringing here.
  { name: 'a duplicate invite with the same call_id', given: 'ringing', batches: (id) => [[invite({ callId: id })]], reason: /already known/ },
  { name: 'a duplicate invite with the same call_id from a stranger', given: 'ringing', batches: (id) => [[invite({ callId: id, sender: STRANGER, partyId: STRANGER_PARTY })]], reason: /already known/ },
  { name: 'a hangup from a stranger', given: 'ringing', batches: (id) => [[event('m.call.hangup', STRANGER, STRANGER_PARTY, id, { reason: 'user_hangup' })]], reason: /hangup from @stranger:test\/STRANGERDV, who is not our peer/ },
  { name: 'a hangup from another member of the room', given: 'ringing', batches: (id) => [[event('m.call.hangup', OTHER, OTHER_PARTY, id, { reason: 'user_hangup' })]], reason: /hangup from @other:test\/OTHERDEVIC, who is not our peer/ },
  { name: 'a hangup from the caller\'s other device', given: 'ringing', batches: (id) => [[event('m.call.hangup', PEER, PEER_OTHER_PARTY, id, { reason: 'user_hangup' })]], reason: /who is not our peer/ },
  { name: 'a reject from a stranger', given: 'ringing', batches: (id) => [[event('m.call.reject', STRANGER, STRANGER_PARTY, id)]], reason: /reject from @stranger:test is not for us/ },
  {
    name: 'a select_answer sent by a party that is not the caller',
    given: 'ringing',
    batches: (id) => [[event('m.call.select_answer', PEER, PEER_OTHER_PARTY, id, { selected_party_id: 'ANOTHERDEV' })]],
    reason: /select_answer from @peer:test\/PEEROTHER1, who is not the caller/,
  },
  {
    name: 'a select_answer from a stranger choosing another party',
    given: 'ringing',
    batches: (id) => [[event('m.call.select_answer', STRANGER, STRANGER_PARTY, id, { selected_party_id: 'ANOTHERDEV' })]],
    reason: /who is not the caller/,
  },
  {
    // Not bad input: the spec has a ringing callee stop, silently, when the caller chose another device.
    name: 'a select_answer from the caller choosing another of our devices ends the ringing (answered elsewhere), sending nothing',
    given: 'ringing',
    batches: (id) => [[event('m.call.select_answer', PEER, PEER_PARTY, id, { selected_party_id: 'MYOTHERDEV' })]],
    reason: /ended: answered_elsewhere/,
    phaseAfter: 'ended',
  },
  { name: 'candidates from a stranger', given: 'ringing', batches: (id) => [[event('m.call.candidates', STRANGER, STRANGER_PARTY, id, { candidates: [{ candidate: CANDIDATE, sdpMid: '0' }] })]], reason: /candidates from @stranger:test, who is not our peer/ },
  { name: 'candidates from the caller\'s other device', given: 'ringing', batches: (id) => [[event('m.call.candidates', PEER, PEER_OTHER_PARTY, id, { candidates: [{ candidate: CANDIDATE, sdpMid: '0' }] })]], reason: /candidates from party PEEROTHER1, not our peer's PEERDEVICE/ },
  {
    name: 'candidates with only malformed entries',
    given: 'ringing',
    batches: (id) => [[event('m.call.candidates', PEER, PEER_PARTY, id, { candidates: [{ candidate: 5, sdpMid: '0' }, { candidate: CANDIDATE }, 'candidate', null] })]],
    reason: /candidates: no valid entry/,
  },
  { name: 'candidates that are not an array', given: 'ringing', batches: (id) => [[event('m.call.candidates', PEER, PEER_PARTY, id, { candidates: { candidate: CANDIDATE } })]], reason: /candidates: expected an array, got an object/ },
  { name: 'an empty candidates list', given: 'ringing', batches: (id) => [[event('m.call.candidates', PEER, PEER_PARTY, id, { candidates: [] })]], reason: /candidates: empty/ },
  { name: 'a negotiate while ringing', given: 'ringing', batches: (id) => [[event('m.call.negotiate', PEER, PEER_PARTY, id, { description: { type: 'offer', sdp: offerSdp }, lifetime: 60_000 })]], reason: /negotiate while ringing/ },
  { name: 'an answer on the ringing call from its caller', given: 'ringing', batches: (id) => [[event('m.call.answer', PEER, PEER_PARTY, id, { answer: { type: 'answer', sdp: offerSdp } })]], reason: /answer on an inbound call/ },
  { name: 'a hangup for the ringing call sent in another room', given: 'ringing', batches: (id) => [[event('m.call.hangup', PEER, PEER_PARTY, id, { reason: 'user_hangup' }, GROUP)]], reason: /arrived in !group:test, not the call's room/ },
  {
    name: 'a hangup from a stranger in the same batch as a valid invite does not stop it ringing',
    batches: () => [[invite(), event('m.call.hangup', STRANGER, STRANGER_PARTY, BAD, { reason: 'user_hangup' })]],
    reason: /hangup .*@stranger:test/,
    rings: [BAD],
  },

  // Bad input about our own outbound call.
  { name: 'our own echoed hangup for our outbound call', given: 'invite_sent', batches: (id) => [[event('m.call.hangup', ME, MY_DEVICE, id, { reason: 'user_hangup' })]], reason: /echo/i },
  { name: 'an answer from a stranger to our outbound call', given: 'invite_sent', batches: (id) => [[event('m.call.answer', STRANGER, STRANGER_PARTY, id, { answer: { type: 'answer', sdp: offerSdp } })]], reason: /answer from @stranger:test, who was not invited/ },
  { name: 'a select_answer on our outbound call', given: 'invite_sent', batches: (id) => [[event('m.call.select_answer', PEER, PEER_PARTY, id, { selected_party_id: MY_DEVICE })]], reason: /select_answer on an outbound call/ },
  { name: 'a reject from a stranger to our outbound call', given: 'invite_sent', batches: (id) => [[event('m.call.reject', STRANGER, STRANGER_PARTY, id)]], reason: /reject from @stranger:test is not for us/ },
  {
    name: 'a negotiate from a party that is not the chosen one',
    given: 'answered',
    batches: (id) => [[event('m.call.negotiate', PEER, PEER_OTHER_PARTY, id, { description: { type: 'offer', sdp: offerSdp }, lifetime: 60_000 })]],
    reason: /negotiate from @peer:test\/PEEROTHER1, who is not our peer/,
  },
  {
    name: 'a negotiate from a stranger',
    given: 'answered',
    batches: (id) => [[event('m.call.negotiate', STRANGER, STRANGER_PARTY, id, { description: { type: 'offer', sdp: offerSdp }, lifetime: 60_000 })]],
    reason: /negotiate from @stranger:test\/STRANGERDV, who is not our peer/,
  },
  {
    name: 'an expired negotiate from our peer',
    given: 'answered',
    batches: (id) => [[{ ...event('m.call.negotiate', PEER, PEER_PARTY, id, { description: { type: 'offer', sdp: offerSdp }, lifetime: 60_000 }), ageMs: 61_000 }]],
    reason: /negotiate.*expired|expired.*negotiate/,
  },
  { name: 'a second answer from another party after we chose one', given: 'answered', batches: (id) => [[event('m.call.answer', PEER, PEER_OTHER_PARTY, id, { answer: { type: 'answer', sdp: offerSdp } })]], reason: /we already chose PEERDEVICE/ },
  { name: 'a hangup from the unchosen party', given: 'answered', batches: (id) => [[event('m.call.hangup', PEER, PEER_OTHER_PARTY, id, { reason: 'user_hangup' })]], reason: /hangup from @peer:test\/PEEROTHER1, who is not our peer/ },
  { name: 'metadata changes from a stranger', given: 'answered', batches: (id) => [[event('m.call.sdp_stream_metadata_changed', STRANGER, STRANGER_PARTY, id, { sdp_stream_metadata: {} })]], reason: /metadata change from someone who is not our peer/ },
];

describe('CallManager: bad m.call.* input', function () {
  this.timeout(10_000);

  before(async () => {
    ({ sdp: offerSdp, streamId: offerStreamId } = await makeAudioOffer());
  });

  beforeEach(() => {
    const port = new FakeVoipPort(ME, MY_DEVICE, [
      { roomId: DM, joinRule: 'invite', joinedMembers: [ME, PEER] },
      { roomId: PUBLIC_ROOM, joinRule: 'public', joinedMembers: [ME, PEER] },
      { roomId: GROUP, joinRule: 'invite', joinedMembers: [ME, PEER, OTHER] },
    ]);
    const log = capturingLogger();
    const manager = new CallManager(port, {
      log,
      relayOnly: true,
      getUserMedia: () => Promise.resolve(new MediaStream()),
      getDisplayMedia: () => Promise.resolve(new MediaStream()),
    });
    h = { port, log, manager, rang: [], seen: new Map(), unhandled: [] };
    manager.subscribe(({ calls, ringing }) => {
      for (const c of calls) h.seen.set(c.getSnapshot().callId, c as Call);
      for (const c of ringing) {
        const { callId } = c.getSnapshot();
        if (!h.rang.includes(callId)) h.rang.push(callId);
      }
    });
    window.addEventListener('unhandledrejection', onUnhandled);
    window.addEventListener('error', onError);
  });

  afterEach(() => {
    window.removeEventListener('unhandledrejection', onUnhandled);
    window.removeEventListener('error', onError);
    h.manager.dispose();
  });

  for (const row of ROWS) {
    it(row.name, async () => {
      const existing = await arrange(row.given ?? 'nothing');
      const phaseBefore = existing === undefined ? undefined : phaseOf(existing);
      const callsBefore = h.manager.getSnapshot().calls.length;
      const rangBefore = h.rang.length;
      const sentBefore = h.port.sent.length;
      const logBefore = h.log.lines.length;

      for (const batch of row.batches(existing ?? '')) {
        expect(() => h.port.deliver(batch), 'delivering the batch').not.to.throw();
      }
      for (const callId of row.rings ?? []) await waitForRing(callId);
      await settle();
      // The manager is still sound: a new, valid invite (in a room with no call going) rings. Its offer is
      // applied after whatever the bad input started, so a call that was going to ring has rung by then.
      const followUp = '1721234567890followUpCall001';
      h.port.deliver([invite({ callId: followUp, sender: OTHER, partyId: OTHER_PARTY, roomId: GROUP })]);
      await waitForRing(followUp);
      await settle();

      const lines = h.log.since(logBefore).map((line) => `${line.level}: ${line.text}`);
      if (row.reason) {
        expect(lines.some((line) => row.reason?.test(line)), `a log line matching ${String(row.reason)} among:\n${lines.join('\n')}`).to.equal(true);
      }
      expect(h.rang.slice(rangBefore), 'calls that started ringing (the last is the follow-up invite)').to.deep.equal([...(row.rings ?? []), followUp]);
      for (const callId of row.rings ?? []) expect(phaseOf(callId), `${callId} still rings`).to.equal('ringing');
      if (existing !== undefined) {
        expect(phaseOf(existing), 'the existing call\'s phase').to.equal(row.phaseAfter ?? phaseBefore);
      }
      const endedByRow = row.phaseAfter === 'ended' ? 1 : 0;
      expect(h.manager.getSnapshot().calls.length, 'calls the manager shows').to.equal(callsBefore + (row.rings?.length ?? 0) + 1 - endedByRow);
      expect(h.port.sent.slice(sentBefore).map((sent) => sent.type), `events sent; log:\n${lines.join('\n')}`).to.deep.equal(row.sends ?? []);
      expect(lines.filter((line) => line.startsWith('error:')), 'errors logged').to.deep.equal([]);
      expect(h.unhandled, 'uncaught errors and unhandled rejections').to.deep.equal([]);
      expect(phaseOf(followUp), 'the follow-up invite still rings').to.equal('ringing');
    });
  }

  describe('candidates that arrive before their invite', () => {
    async function remoteSdpHasCandidate(callId: string): Promise<void> {
      await waitFor(() => call(callId).peerConnection?.remoteDescription?.sdp.includes('192.0.2.44') === true, 'the early candidate to be added');
    }

    it('are replayed once the invite arrives in a later batch', async () => {
      h.port.deliver([event('m.call.candidates', PEER, PEER_PARTY, BAD, { candidates: [{ candidate: CANDIDATE, sdpMid: '0', sdpMLineIndex: 0 }] })]);
      await sleep(50);
      expect(h.rang).to.deep.equal([]);
      h.port.deliver([invite()]);
      await waitForRing(BAD);
      expect(h.rang).to.deep.equal([BAD]);
      await remoteSdpHasCandidate(BAD);
      expect(h.port.sent).to.deep.equal([]);
    });

    it('are replayed when they come before the invite in the same batch', async () => {
      h.port.deliver([
        event('m.call.candidates', PEER, PEER_PARTY, BAD, { candidates: [{ candidate: CANDIDATE, sdpMid: '0', sdpMLineIndex: 0 }] }),
        invite(),
      ]);
      await waitForRing(BAD);
      expect(h.rang).to.deep.equal([BAD]);
      await remoteSdpHasCandidate(BAD);
    });

    it('from a stranger are not added when the invite arrives', async () => {
      h.port.deliver([event('m.call.candidates', STRANGER, STRANGER_PARTY, BAD, { candidates: [{ candidate: CANDIDATE, sdpMid: '0', sdpMLineIndex: 0 }] })]);
      h.port.deliver([invite()]);
      await waitForRing(BAD);
      expect(h.rang).to.deep.equal([BAD]);
      await settle();
      expect(call(BAD).peerConnection?.remoteDescription?.sdp).not.to.include('192.0.2.44');
      expect(h.log.lines.some((line) => /candidates from @stranger:test, who is not our peer/.test(line.text))).to.equal(true);
    });
  });

  describe('bad arguments from the page', () => {
    it('a device a call cannot reopen is refused with INVALID_CONFIGURATION, and the call goes on as it was', async () => {
      const callId = (await arrange('answered')) ?? '';
      const before = call(callId).getSnapshot();
      const sentBefore = h.port.sent.length;
      for (const bad of ['speaker', '', undefined, 42] as unknown[]) {
        let thrown: unknown;
        try {
          await call(callId).reopenDevice(bad as 'camera');
        } catch (error) {
          thrown = error;
        }
        expect((thrown as MxError | undefined)?.code, `reopenDevice(${String(bad)})`).to.equal('INVALID_CONFIGURATION');
      }
      await settle();
      expect(call(callId).getSnapshot()).to.equal(before);
      expect(h.port.sent.length).to.equal(sentBefore);
    });
  });
});

