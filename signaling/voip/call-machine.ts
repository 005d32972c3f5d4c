// The 1:1 call as a pure state machine: transition(state, event) -> { state, effects }.
//
// It decides what a call does with each local intent, remote Matrix event, WebRTC report and timer: which
// events to accept from which party, what to send, when to ring, and how the call ends. It performs nothing
// itself. The peer-connection driver carries out effects that touch WebRTC and media and reports back with
// events; the call object sends the Matrix events and runs the timers. Spec: "Voice over IP", version "1".
import {
  buildAnswer,
  buildCandidates,
  buildHangup,
  buildInvite,
  buildNegotiate,
  buildReject,
  buildSdpStreamMetadataChanged,
  buildSelectAnswer,
  HANGUP_REASONS,
  type CallProtocolVersion,
  type HangupReason,
  type IceCandidate,
  type SdpStreamMetadata,
  type SessionDescription,
  type WireIceCandidate,
} from './content.js';
import type { CallDirection, CallEndReason, CallKind, CallPhase, ReopenableDevice } from './types.js';

/** `m.call.invite` lifetime we send: the spec's recommended minimum for a callee to answer. */
export const INVITE_LIFETIME_MS = 90_000;
/** `m.call.negotiate` lifetime we send (matrix-js-sdk sends the same). */
export const NEGOTIATE_LIFETIME_MS = 60_000;
/** Candidate batching windows from the spec's "ICE Candidate Batching". */
export const CANDIDATE_BATCH_MS = { outbound: 2_000, inbound: 500 } as const;
/** After the connection goes `disconnected`: restart ICE after this long, and give up after the second. */
export const ICE_RESTART_AFTER_MS = 2_000;
export const ICE_GIVE_UP_AFTER_MS = 30_000;
/**
 * Remote candidates one call takes per ICE generation (the count starts again when the peer's description
 * brings a new ICE username fragment), counting those held for a party before it is chosen: a browser gathers
 * a dozen or so, while a peer that sent thousands (unroutable ones) stalled its own call's ICE checks and
 * getStats. An event that would go beyond it is ignored whole.
 */
export const MAX_REMOTE_CANDIDATES = 200;
/** Answering parties an outbound call holds candidates for before it chooses one. */
export const MAX_UNCHOSEN_PARTIES = 10;

const CAPABILITIES = { transferee: false, dtmf: false } as const;
/** The phases in which our camera and microphone are open and in their senders. */
const HAS_LOCAL_MEDIA: readonly CallPhase[] = ['create_offer', 'invite_sent', 'create_answer', 'connecting', 'connected'];

export type TimerName = 'invite' | 'ring' | 'candidates' | 'ice_restart' | 'ice_give_up';

export interface CallMachineState {
  readonly phase: CallPhase;
  readonly direction: CallDirection;
  readonly callId: string;
  readonly roomId: string;
  readonly ourUserId: string;
  readonly ourPartyId: string;
  readonly peerUserId: string;
  /** The opponent: the invite's party for inbound calls, the selected answer's party for outbound ones. */
  readonly peerPartyId: string | undefined;
  readonly peerVersion: CallProtocolVersion | undefined;
  /** Whether the peer sent `sdp_stream_metadata`; without it we send and expect a single stream. */
  readonly peerSupportsMetadata: boolean;
  readonly kind: CallKind;
  /** The `lifetime` of the invite we send, and how long we wait for an answer. */
  readonly inviteLifetimeMs: number;
  /** Perfect negotiation: the callee is polite, and so is a caller that gave way in glare. */
  readonly polite: boolean;
  readonly wasConnected: boolean;
  /**
   * When the connection last came up (ICE and DTLS both connected), if it is up now; it may come up before
   * our answer is out.
   */
  readonly transportConnectedAt: number | undefined;
  readonly localGatheringComplete: boolean;
  readonly connectedAt: number | undefined;
  readonly micMuted: boolean;
  readonly cameraMuted: boolean;
  /** The offer or answer went out on `media_granted`: the camera and microphone are still opening. */
  readonly mediaPending: boolean;
  readonly screensharing: boolean;
  readonly localOnHold: boolean;
  readonly remoteOnHold: boolean;
  /** Local candidates waiting for the next batch. */
  readonly pendingCandidates: readonly WireIceCandidate[];
  /** Remote candidates from answering parties we have not chosen yet (outbound calls), by party. */
  readonly unchosenCandidates: Readonly<Record<string, readonly IceCandidate[]>>;
  /** Remote candidates handed to the driver in this ICE generation (at most MAX_REMOTE_CANDIDATES). */
  readonly remoteCandidatesTaken: number;
  /** The ICE username fragment of the peer's last description; a new one is an ICE restart. */
  readonly remoteIceUfrag: string | undefined;
  readonly timers: readonly TimerName[];
  readonly endReason: CallEndReason | undefined;
  readonly endedBy: 'local' | 'remote' | undefined;
}

interface RemoteEnvelope {
  sender: string;
  partyId: string | undefined;
  version: CallProtocolVersion;
}

export type CallMachineEvent =
  // Local intents
  | { type: 'place'; kind: CallKind }
  | { type: 'answer'; kind: CallKind }
  | { type: 'reject' }
  | { type: 'hangup'; reason?: CallEndReason }
  | { type: 'set_mic_muted'; muted: boolean }
  | { type: 'set_camera_muted'; muted: boolean }
  | { type: 'set_on_hold'; onHold: boolean }
  | { type: 'set_screensharing'; enabled: boolean }
  | { type: 'upgrade_to_video' }
  | { type: 'reopen_device'; device: ReopenableDevice }
  // Reports from the peer-connection driver
  | { type: 'media_ready' }
  /** Permission is granted and the local description is ready: the tracks are on their way. */
  | { type: 'media_granted' }
  /** The invite's offer is set as the remote description: an inbound call may ring now. */
  | { type: 'remote_offer_applied' }
  | { type: 'media_failed'; message: string }
  | { type: 'offer_ready'; description: SessionDescription; metadata: SdpStreamMetadata }
  | { type: 'answer_ready'; description: SessionDescription; metadata: SdpStreamMetadata }
  | { type: 'negotiation_offer_ready'; description: SessionDescription; metadata: SdpStreamMetadata }
  | { type: 'negotiation_answer_ready'; description: SessionDescription; metadata: SdpStreamMetadata }
  | { type: 'local_metadata_changed'; metadata: SdpStreamMetadata }
  | { type: 'local_candidate'; candidate: WireIceCandidate }
  | { type: 'local_gathering_complete' }
  /**
   * The peer connection's `connectionState`: ICE and DTLS together. ICE alone is not enough: it can connect
   * (to a callee's device that answered at the same moment, say) while DTLS never does, and no media flows.
   */
  | { type: 'connection_state'; state: RTCPeerConnectionState; now: number }
  | { type: 'remote_hold_changed'; onHold: boolean }
  | { type: 'local_media_changed'; kind: CallKind; screensharing: boolean }
  | { type: 'driver_failed'; message: string }
  // Remote Matrix events, validated before they get here
  | (RemoteEnvelope & { type: 'remote_invite'; offer: SessionDescription; metadata: SdpStreamMetadata | undefined; remainingMs: number; kind: CallKind })
  | (RemoteEnvelope & { type: 'remote_answer'; answer: SessionDescription; metadata: SdpStreamMetadata | undefined })
  | (RemoteEnvelope & { type: 'remote_select_answer'; selectedPartyId: string })
  | (RemoteEnvelope & { type: 'remote_reject' })
  | (RemoteEnvelope & { type: 'remote_hangup'; reason: CallEndReason })
  | (RemoteEnvelope & { type: 'remote_negotiate'; description: SessionDescription; metadata: SdpStreamMetadata | undefined })
  | (RemoteEnvelope & { type: 'remote_candidates'; candidates: readonly IceCandidate[] })
  | (RemoteEnvelope & { type: 'remote_metadata_changed'; metadata: SdpStreamMetadata })
  | { type: 'peer_left_room' }
  | { type: 'timer'; name: TimerName };

export type CallEffect =
  | { type: 'acquire_media'; kind: CallKind }
  | { type: 'create_offer' }
  | { type: 'create_answer' }
  | { type: 'apply_remote_description'; description: SessionDescription; metadata: SdpStreamMetadata | undefined; polite: boolean }
  | { type: 'add_remote_candidates'; candidates: readonly IceCandidate[] }
  | { type: 'update_remote_metadata'; metadata: SdpStreamMetadata }
  | { type: 'send'; eventType: string; content: object }
  | { type: 'start_timer'; name: TimerName; ms: number }
  | { type: 'cancel_timer'; name: TimerName }
  | { type: 'restart_ice' }
  | { type: 'set_mic_muted'; muted: boolean }
  | { type: 'set_camera_muted'; muted: boolean }
  | { type: 'set_on_hold'; onHold: boolean }
  | { type: 'set_screensharing'; enabled: boolean; singleStream: boolean }
  | { type: 'upgrade_to_video' }
  | { type: 'reopen_device'; device: ReopenableDevice }
  | { type: 'close' }
  /** An event was not acted on; the call logs why. */
  | { type: 'ignored'; reason: string };

export interface Transition {
  readonly state: CallMachineState;
  readonly effects: readonly CallEffect[];
}

export interface NewCallOptions {
  callId: string;
  roomId: string;
  ourUserId: string;
  ourPartyId: string;
  peerUserId: string;
  direction: CallDirection;
  kind: CallKind;
  inviteLifetimeMs?: number;
}

export function initialCallState(options: NewCallOptions): CallMachineState {
  return {
    phase: 'fledgling',
    direction: options.direction,
    callId: options.callId,
    roomId: options.roomId,
    ourUserId: options.ourUserId,
    ourPartyId: options.ourPartyId,
    peerUserId: options.peerUserId,
    peerPartyId: undefined,
    peerVersion: undefined,
    peerSupportsMetadata: false,
    kind: options.kind,
    inviteLifetimeMs: options.inviteLifetimeMs ?? INVITE_LIFETIME_MS,
    polite: options.direction === 'inbound',
    wasConnected: false,
    transportConnectedAt: undefined,
    localGatheringComplete: false,
    connectedAt: undefined,
    micMuted: false,
    cameraMuted: false,
    mediaPending: false,
    screensharing: false,
    localOnHold: false,
    remoteOnHold: false,
    pendingCandidates: [],
    unchosenCandidates: {},
    remoteCandidatesTaken: 0,
    remoteIceUfrag: undefined,
    timers: [],
    endReason: undefined,
    endedBy: undefined,
  };
}

const isHangupReason = (reason: CallEndReason): reason is HangupReason => (HANGUP_REASONS as readonly string[]).includes(reason);

/** Phases in which this side has told the peer about the call, so ending it must be announced. */
function peerKnowsOurSide(state: CallMachineState): boolean {
  if (state.direction === 'outbound') return ['invite_sent', 'connecting', 'connected'].includes(state.phase);
  return ['connecting', 'connected'].includes(state.phase);
}

function canSendCandidates(state: CallMachineState): boolean {
  return peerKnowsOurSide(state);
}

const ignored = (state: CallMachineState, reason: string): Transition => ({ state, effects: [{ type: 'ignored', reason }] });

class Builder {
  readonly effects: CallEffect[] = [];
  constructor(public state: CallMachineState) {}

  set(patch: Partial<CallMachineState>): this {
    this.state = { ...this.state, ...patch };
    return this;
  }

  effect(effect: CallEffect): this {
    this.effects.push(effect);
    return this;
  }

  /** Our call and party ids, for the content builders. */
  get ids(): { callId: string; partyId: string } {
    return { callId: this.state.callId, partyId: this.state.ourPartyId };
  }

  // Like matrix-js-sdk, we send version "1" events even to legacy peers: they read them, and only the
  // behaviour differs (no renegotiation, a hangup instead of a reject).
  send(eventType: string, content: object): this {
    return this.effect({ type: 'send', eventType, content });
  }

  startTimer(name: TimerName, ms: number): this {
    this.state = { ...this.state, timers: [...this.state.timers.filter((t) => t !== name), name] };
    return this.effect({ type: 'start_timer', name, ms: Math.max(0, ms) });
  }

  cancelTimer(name: TimerName): this {
    if (!this.state.timers.includes(name)) return this;
    this.state = { ...this.state, timers: this.state.timers.filter((t) => t !== name) };
    return this.effect({ type: 'cancel_timer', name });
  }

  flushCandidates(): this {
    if (this.state.pendingCandidates.length === 0) return this.cancelTimer('candidates');
    const candidates = this.state.pendingCandidates;
    this.set({ pendingCandidates: [] });
    this.cancelTimer('candidates');
    return this.send('m.call.candidates', buildCandidates({ ...this.ids, candidates }));
  }

  end(reason: CallEndReason, endedBy: 'local' | 'remote'): this {
    for (const timer of this.state.timers) this.effect({ type: 'cancel_timer', name: timer });
    this.set({ phase: 'ended', endReason: reason, endedBy, timers: [], pendingCandidates: [], unchosenCandidates: {} });
    return this.effect({ type: 'close' });
  }

  done(): Transition {
    return { state: this.state, effects: this.effects };
  }
}

/** Ends the call from this side, telling the peer when it knows of the call. */
function endLocally(state: CallMachineState, reason: CallEndReason): Transition {
  const b = new Builder(state);
  if (state.direction === 'inbound' && !peerKnowsOurSide(state)) {
    // A device that failed to capture media or to answer has not decided for the person: it goes quiet and
    // their other devices keep ringing (the spec's "ignore", and what matrix-js-sdk does).
    if (reason !== 'user_media_failed' && reason !== 'unknown_error') {
      // Declining before answering: m.call.reject stops every device of ours from ringing, and a
      // matrix-js-sdk caller ignores a hangup from a party it has not chosen. Legacy peers only know hangup.
      if (state.peerVersion === 0) b.send('m.call.hangup', buildHangup({ ...b.ids, reason: isHangupReason(reason) ? reason : 'user_hangup' }));
      else b.send('m.call.reject', buildReject(b.ids));
    }
  } else if (peerKnowsOurSide(state)) {
    b.flushCandidates();
    b.send('m.call.hangup', buildHangup({ ...b.ids, reason: isHangupReason(reason) ? reason : 'user_hangup' }));
  }
  return b.end(reason, 'local').done();
}

/**
 * End-of-candidates waits for the candidate batch like any candidate (as matrix-js-sdk's does): sent at once,
 * it would queue in the homeserver beside the invite, answer or select_answer that the call is waiting for.
 */
function queueEndOfCandidates(b: Builder): Builder {
  b.set({ pendingCandidates: [...b.state.pendingCandidates, { candidate: '' }] });
  if (!b.state.timers.includes('candidates')) b.startTimer('candidates', CANDIDATE_BATCH_MS[b.state.direction]);
  return b;
}

/** An inbound call whose invite arrived but whose offer is not applied yet (so it does not ring yet). */
function inviteBeingApplied(state: CallMachineState): boolean {
  return state.direction === 'inbound' && state.phase === 'fledgling' && state.peerVersion !== undefined;
}

/** The ICE username fragment of a session description (the first, as every m-line shares it when bundled). */
function iceUfrag(sdp: string): string | undefined {
  return /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1];
}

function fromChosenPeer(state: CallMachineState, event: RemoteEnvelope): boolean {
  if (event.sender !== state.peerUserId) return false;
  // Legacy peers have no party ids: the user is all there is to match.
  if (state.peerVersion === 0) return true;
  return state.peerPartyId !== undefined && event.partyId === state.peerPartyId;
}

export function transition(state: CallMachineState, event: CallMachineEvent): Transition {
  if (state.phase === 'ended') {
    return ignored(state, `call ${state.callId} has ended; ${event.type} ignored`);
  }
  const b = new Builder(state);
  switch (event.type) {
    case 'place':
      if (state.phase !== 'fledgling' || state.direction !== 'outbound') return ignored(state, 'place: the call is not a new outbound call');
      return b.set({ phase: 'wait_local_media', kind: event.kind }).effect({ type: 'acquire_media', kind: event.kind }).done();

    case 'remote_invite':
      if (state.phase !== 'fledgling' || state.direction !== 'inbound' || state.peerVersion !== undefined) return ignored(state, 'invite: the call already exists');
      // It rings once the offer is applied (remote_offer_applied): an offer WebRTC refuses never rings.
      return b
        .set({
          peerPartyId: event.partyId,
          peerVersion: event.version,
          peerSupportsMetadata: event.metadata !== undefined,
          kind: event.kind,
          remoteIceUfrag: iceUfrag(event.offer.sdp),
        })
        .effect({ type: 'apply_remote_description', description: event.offer, metadata: event.metadata, polite: true })
        .startTimer('ring', event.remainingMs)
        .done();

    case 'remote_offer_applied':
      if (!inviteBeingApplied(state)) return b.done();
      return b.set({ phase: 'ringing' }).done();

    case 'answer':
      // Glare answers the incoming call at once, before its offer is applied; the driver runs effects in order.
      if (state.phase !== 'ringing' && !inviteBeingApplied(state)) return ignored(state, `answer: the call is ${state.phase}, not ringing`);
      return b.cancelTimer('ring').set({ phase: 'wait_local_media', kind: event.kind }).effect({ type: 'acquire_media', kind: event.kind }).done();

    case 'media_granted':
    case 'media_ready':
      if (state.phase !== 'wait_local_media') {
        if (event.type === 'media_ready' && state.mediaPending) return b.set({ mediaPending: false }).done();
        return ignored(state, `${event.type}: not waiting for media`);
      }
      // With permission already granted the offer or answer need not wait for the camera to open: the
      // connection is set up while it does, and a device that then fails ends the call as before.
      b.set({ mediaPending: event.type === 'media_granted' });
      if (state.direction === 'outbound') return b.set({ phase: 'create_offer' }).effect({ type: 'create_offer' }).done();
      return b.set({ phase: 'create_answer' }).effect({ type: 'create_answer' }).done();

    case 'media_failed':
      if (state.phase !== 'wait_local_media' && !state.mediaPending) return ignored(state, 'media_failed: not waiting for media');
      return endLocally(state, 'user_media_failed');

    case 'offer_ready':
      if (state.phase !== 'create_offer') return ignored(state, 'offer_ready: not creating an offer');
      // Candidates gathered so far are already in the offer's SDP.
      b.set({ phase: 'invite_sent', pendingCandidates: [] });
      b.send('m.call.invite', buildInvite({
        ...b.ids,
        offer: event.description,
        lifetime: state.inviteLifetimeMs,
        invitee: state.peerUserId,
        streamMetadata: event.metadata,
        capabilities: CAPABILITIES,
      }));
      if (state.localGatheringComplete) queueEndOfCandidates(b);
      return b.startTimer('invite', state.inviteLifetimeMs).done();

    case 'answer_ready':
      if (state.phase !== 'create_answer') return ignored(state, 'answer_ready: not creating an answer');
      b.set({ pendingCandidates: [] });
      enterConnecting(b);
      b.send('m.call.answer', buildAnswer({ ...b.ids, answer: event.description, streamMetadata: event.metadata, capabilities: CAPABILITIES }));
      if (state.localGatheringComplete) queueEndOfCandidates(b);
      return b.done();

    case 'local_candidate': {
      b.set({ pendingCandidates: [...state.pendingCandidates, event.candidate] });
      if (canSendCandidates(state) && !state.timers.includes('candidates')) {
        b.startTimer('candidates', CANDIDATE_BATCH_MS[state.direction]);
      }
      return b.done();
    }

    case 'local_gathering_complete':
      b.set({ localGatheringComplete: true });
      // Before the invite or answer is sent, every candidate is in its SDP and end-of-candidates follows it.
      if (!canSendCandidates(state)) return b.done();
      return queueEndOfCandidates(b).done();

    case 'remote_answer': {
      if (state.direction === 'inbound') {
        if (event.sender === state.ourUserId && (state.phase === 'ringing' || inviteBeingApplied(state))) return b.end('answered_elsewhere', 'remote').done();
        return ignored(state, 'answer on an inbound call');
      }
      if (event.sender !== state.peerUserId) return ignored(state, `answer from ${event.sender}, who was not invited`);
      if (state.phase !== 'invite_sent') {
        return ignored(state, `answer from party ${event.partyId ?? '(none)'}: we already chose ${state.peerPartyId ?? 'another party'}`);
      }
      const partyId = event.partyId;
      const buffered = partyId !== undefined ? state.unchosenCandidates[partyId] ?? [] : [];
      b.cancelTimer('invite').set({
        peerPartyId: partyId,
        peerVersion: event.version,
        peerSupportsMetadata: event.metadata !== undefined,
        unchosenCandidates: {},
        remoteCandidatesTaken: buffered.length,
        remoteIceUfrag: iceUfrag(event.answer.sdp),
      });
      enterConnecting(b);
      b.effect({ type: 'apply_remote_description', description: event.answer, metadata: event.metadata, polite: state.polite });
      if (buffered.length > 0) b.effect({ type: 'add_remote_candidates', candidates: buffered });
      if (event.version !== 0 && partyId !== undefined) b.send('m.call.select_answer', buildSelectAnswer({ ...b.ids, selectedPartyId: partyId }));
      return b.done();
    }

    case 'remote_select_answer':
      if (state.direction !== 'inbound') return ignored(state, 'select_answer on an outbound call');
      if (event.sender !== state.peerUserId || event.partyId !== state.peerPartyId) {
        return ignored(state, `select_answer from ${event.sender}/${event.partyId ?? '(none)'}, who is not the caller`);
      }
      if (event.selectedPartyId === state.ourPartyId) return ignored(state, 'select_answer chose us: nothing to do');
      // Another device answered; it says nothing to the caller about us, so we send nothing.
      return b.end('answered_elsewhere', 'remote').done();

    case 'remote_reject':
      if (event.sender === state.ourUserId && state.direction === 'inbound') {
        if (state.phase !== 'ringing' && !inviteBeingApplied(state)) return ignored(state, 'reject from our other device after we answered');
        return b.end('rejected_elsewhere', 'remote').done();
      }
      if (state.direction !== 'outbound' || event.sender !== state.peerUserId) return ignored(state, `reject from ${event.sender} is not for us`);
      if (state.phase !== 'invite_sent') return ignored(state, 'reject after an answer was chosen');
      // The spec has the caller select the rejecting party, which stops the callee's other devices ringing.
      if (event.partyId !== undefined) b.send('m.call.select_answer', buildSelectAnswer({ ...b.ids, selectedPartyId: event.partyId }));
      return b.end('rejected', 'remote').done();

    case 'remote_hangup': {
      // Before an answer, a callee device may still say no with a hangup: legacy callees have no reject, and
      // a busy callee says so with the spec's `user_busy`. Other hangups from unchosen parties are ignored, as
      // matrix-js-sdk ignores them, so one device cannot end a call another device may still answer.
      const declinedByHangup = state.phase === 'invite_sent' && event.sender === state.peerUserId && (event.version === 0 || event.reason === 'user_busy');
      if (!fromChosenPeer(state, event) && !declinedByHangup) {
        return ignored(state, `hangup from ${event.sender}/${event.partyId ?? '(none)'}, who is not our peer`);
      }
      return b.end(event.reason, 'remote').done();
    }

    case 'remote_negotiate':
      if (!fromChosenPeer(state, event)) return ignored(state, `negotiate from ${event.sender}/${event.partyId ?? '(none)'}, who is not our peer`);
      if (state.peerVersion === 0) return ignored(state, 'negotiate from a legacy peer');
      if (state.phase !== 'connecting' && state.phase !== 'connected') return ignored(state, `negotiate while ${state.phase}`);
      if (event.metadata) b.set({ peerSupportsMetadata: true });
      if (iceUfrag(event.description.sdp) !== state.remoteIceUfrag) {
        b.set({ remoteIceUfrag: iceUfrag(event.description.sdp), remoteCandidatesTaken: 0 });
      }
      return b.effect({ type: 'apply_remote_description', description: event.description, metadata: event.metadata, polite: state.polite }).done();

    case 'remote_candidates': {
      if (event.sender !== state.peerUserId) return ignored(state, `candidates from ${event.sender}, who is not our peer`);
      if (state.direction === 'outbound' && state.phase === 'invite_sent') {
        if (event.partyId === undefined) return ignored(state, 'candidates without a party_id before an answer');
        const held = state.unchosenCandidates[event.partyId];
        if (held === undefined && Object.keys(state.unchosenCandidates).length >= MAX_UNCHOSEN_PARTIES) {
          return ignored(state, `candidates from party ${event.partyId}: already holding candidates for ${MAX_UNCHOSEN_PARTIES} parties`);
        }
        if ((held?.length ?? 0) + event.candidates.length > MAX_REMOTE_CANDIDATES) {
          return ignored(state, `${event.candidates.length} candidates from party ${event.partyId}: beyond the ${MAX_REMOTE_CANDIDATES} a call takes (${held?.length ?? 0} held)`);
        }
        return b.set({ unchosenCandidates: { ...state.unchosenCandidates, [event.partyId]: [...(held ?? []), ...event.candidates] } }).done();
      }
      if (state.peerPartyId !== undefined && event.partyId !== state.peerPartyId) {
        return ignored(state, `candidates from party ${event.partyId ?? '(none)'}, not our peer's ${state.peerPartyId}`);
      }
      const taken = state.remoteCandidatesTaken + event.candidates.length;
      if (taken > MAX_REMOTE_CANDIDATES) {
        return ignored(state, `${event.candidates.length} candidates: beyond the ${MAX_REMOTE_CANDIDATES} a call takes (${state.remoteCandidatesTaken} taken)`);
      }
      return b.set({ remoteCandidatesTaken: taken }).effect({ type: 'add_remote_candidates', candidates: event.candidates }).done();
    }

    case 'remote_metadata_changed':
      if (!fromChosenPeer(state, event)) return ignored(state, 'metadata change from someone who is not our peer');
      return b.set({ peerSupportsMetadata: true }).effect({ type: 'update_remote_metadata', metadata: event.metadata }).done();

    case 'negotiation_offer_ready':
      if (state.phase !== 'connecting' && state.phase !== 'connected') return ignored(state, `renegotiation while ${state.phase}`);
      if (state.peerVersion === 0) return ignored(state, 'a legacy peer cannot renegotiate');
      return b.send('m.call.negotiate', buildNegotiate({ ...b.ids, description: event.description, lifetime: NEGOTIATE_LIFETIME_MS, streamMetadata: event.metadata })).done();

    case 'negotiation_answer_ready':
      if (state.phase !== 'connecting' && state.phase !== 'connected') return ignored(state, `renegotiation while ${state.phase}`);
      return b.send('m.call.negotiate', buildNegotiate({ ...b.ids, description: event.description, lifetime: NEGOTIATE_LIFETIME_MS, streamMetadata: event.metadata })).done();

    case 'local_metadata_changed':
      if (!peerKnowsOurSide(state) || !state.peerSupportsMetadata || state.peerVersion === 0) return b.done();
      return b.send('m.call.sdp_stream_metadata_changed', buildSdpStreamMetadataChanged({ ...b.ids, streamMetadata: event.metadata })).done();

    case 'connection_state':
      return connectionTransition(b, state, event.state, event.now);

    case 'remote_hold_changed':
      return b.set({ remoteOnHold: event.onHold }).done();

    case 'local_media_changed':
      return b.set({ kind: event.kind, screensharing: event.screensharing }).done();

    case 'set_mic_muted':
      if (state.micMuted === event.muted) return b.done();
      return b.set({ micMuted: event.muted }).effect({ type: 'set_mic_muted', muted: event.muted }).done();

    case 'set_camera_muted':
      if (state.cameraMuted === event.muted) return b.done();
      return b.set({ cameraMuted: event.muted }).effect({ type: 'set_camera_muted', muted: event.muted }).done();

    case 'set_on_hold':
      if (state.phase !== 'connected' && state.phase !== 'connecting') return ignored(state, `hold while ${state.phase}`);
      if (state.peerVersion === 0) return ignored(state, 'a legacy peer cannot be put on hold (no renegotiation)');
      if (state.localOnHold === event.onHold) return b.done();
      return b.set({ localOnHold: event.onHold }).effect({ type: 'set_on_hold', onHold: event.onHold }).done();

    case 'set_screensharing':
      if (state.phase !== 'connected' && state.phase !== 'connecting') return ignored(state, `screen sharing while ${state.phase}`);
      // Without metadata the screen replaces the camera track, which needs no renegotiation on a video call.
      if (state.peerVersion === 0 && state.kind !== 'video') return ignored(state, 'a legacy peer cannot renegotiate for a screen share');
      if (state.screensharing === event.enabled) return b.done();
      return b.effect({ type: 'set_screensharing', enabled: event.enabled, singleStream: !state.peerSupportsMetadata }).done();

    case 'upgrade_to_video':
      if (state.phase !== 'connected' && state.phase !== 'connecting') return ignored(state, `upgrade while ${state.phase}`);
      if (state.peerVersion === 0) return ignored(state, 'a legacy peer cannot renegotiate to add video');
      if (state.kind === 'video') return b.done();
      return b.effect({ type: 'upgrade_to_video' }).done();

    case 'reopen_device':
      // Before the tracks are ours there is nothing to replace: getUserMedia, still to come, opens the new choice.
      if (!HAS_LOCAL_MEDIA.includes(state.phase)) return ignored(state, `switching the ${event.device} while ${state.phase}`);
      return b.effect({ type: 'reopen_device', device: event.device }).done();

    case 'reject':
      // Glare and busy handling decline an incoming call at once, before its offer is applied.
      if (state.phase !== 'ringing' && !inviteBeingApplied(state)) return ignored(state, `reject while ${state.phase}`);
      return endLocally(state, 'rejected');

    case 'hangup':
      return endLocally(state, event.reason ?? 'user_hangup');

    case 'driver_failed':
      return endLocally(state, 'unknown_error');

    case 'peer_left_room':
      return b.end('user_hangup', 'remote').done();

    case 'timer':
      return timerTransition(b, state, event.name);
  }
}

/** Moves to `connecting`, or straight to `connected` when the connection came up first. */
function enterConnecting(b: Builder): void {
  const { transportConnectedAt, connectedAt } = b.state;
  if (transportConnectedAt === undefined) b.set({ phase: 'connecting' });
  else b.set({ phase: 'connected', wasConnected: true, connectedAt: connectedAt ?? transportConnectedAt });
}

function connectionTransition(b: Builder, state: CallMachineState, connection: RTCPeerConnectionState, now: number): Transition {
  if (connection !== 'connected') b.set({ transportConnectedAt: undefined });
  switch (connection) {
    case 'connected':
      b.cancelTimer('ice_restart').cancelTimer('ice_give_up').set({ transportConnectedAt: state.transportConnectedAt ?? now });
      if (state.phase === 'connecting') {
        b.set({ phase: 'connected', wasConnected: true, connectedAt: state.connectedAt ?? now });
      }
      return b.done();
    case 'disconnected':
      if (state.phase !== 'connected' && state.phase !== 'connecting') return b.done();
      b.set({ phase: 'connecting' });
      if (!state.timers.includes('ice_restart')) b.startTimer('ice_restart', ICE_RESTART_AFTER_MS);
      if (!state.timers.includes('ice_give_up')) b.startTimer('ice_give_up', ICE_GIVE_UP_AFTER_MS);
      return b.done();
    case 'failed':
      if (state.phase !== 'connected' && state.phase !== 'connecting') return b.done();
      b.set({ phase: 'connecting' }).cancelTimer('ice_restart').effect({ type: 'restart_ice' });
      if (!state.timers.includes('ice_give_up')) b.startTimer('ice_give_up', ICE_GIVE_UP_AFTER_MS);
      return b.done();
    default:
      return b.done();
  }
}

function timerTransition(b: Builder, state: CallMachineState, name: TimerName): Transition {
  if (!state.timers.includes(name)) return ignored(state, `timer ${name} was cancelled`);
  b.set({ timers: state.timers.filter((t) => t !== name) });
  switch (name) {
    case 'invite':
      if (state.phase !== 'invite_sent') return b.done();
      return endLocally(b.state, 'invite_timeout');
    case 'ring':
      // The invite expired unanswered: end quietly, as the caller ends its side itself.
      if (state.phase !== 'ringing' && !inviteBeingApplied(state)) return b.done();
      return b.end('invite_timeout', 'remote').done();
    case 'candidates':
      return canSendCandidates(state) ? b.flushCandidates().done() : b.done();
    case 'ice_restart':
      return b.effect({ type: 'restart_ice' }).done();
    case 'ice_give_up':
      return endLocally(b.state, state.wasConnected ? 'ice_timeout' : 'ice_failed');
  }
}
