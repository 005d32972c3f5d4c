// The call manager: places calls, turns inbound m.call.* events into calls, decides what rings, resolves
// glare, and keeps TURN credentials fresh. Every inbound event is validated (content.ts) before anything
// acts on it; what is dropped is logged with its reason.
import { MxError } from '../errors.js';
import { consoleLogger, type Logger } from '../log.js';
import type { InboundRoomEvent, VoipPort } from './port.js';
import { createStore, type ReadableStore } from '../store/store.js';
import { Call } from './call.js';
import { INVITE_LIFETIME_MS, type CallMachineEvent } from './call-machine.js';
import { parseCallEvent, type InboundCallEvent } from './content.js';
import { EarlyCandidates } from './early-candidates.js';
import { SparePeerConnection } from './spare-peer-connection.js';
import { TurnCredentials } from './turn.js';
import type { CallHandle, CallKind, CallManagerSnapshot, CallPeer } from './types.js';

/** matrix-js-sdk drops invites with less than this left to live, so a callee has time to answer. */
const RING_GRACE_MS = 3_000;
/** Call ids of ended or refused calls are remembered this long, so late or replayed events find them. */
const REMEMBER_ENDED = 500;
/**
 * Inbound calls that may ring at once (each holds a peer connection), and how many of them may come from one
 * user; invites beyond either are not rung, and their caller hears nothing (an answer to a flood would be a
 * flood of our own). A call's invite counts from its arrival, while its offer is applied.
 */
export const RINGING_LIMITS = { calls: 8, perCaller: 2 } as const;

export interface CallManagerOptions {
  log?: Logger;
  /** Forces every call through TURN relays (iceTransportPolicy 'relay'). */
  relayOnly?: boolean;
  /** ICE servers used in addition to the homeserver's TURN server (for example a STUN server). */
  extraIceServers?: RTCIceServer[];
  getUserMedia?: (constraints: { audio: boolean; video: boolean }) => Promise<MediaStream>;
  getDisplayMedia?: () => Promise<MediaStream>;
  /**
   * Whether the camera and microphone may be used without asking; when they may, an invite or answer goes
   * out while they open. The default follows the browser's Permissions API from the manager's start.
   */
  mediaPermitted?: (kind: CallKind) => Promise<boolean>;
  /** Ring for invites in rooms anyone can join (the spec says not to). */
  ringInPublicRooms?: boolean;
  /** How long our invites live and ring for; the spec recommends at least 90 s (the default). */
  inviteLifetimeMs?: number;
  /**
   * What an invite does while another call is going on: `ring` (call waiting, the default) or `reject`, which
   * declines it at once with m.call.reject (a matrix-js-sdk caller ignores a busy hangup before an answer).
   */
  whenBusy?: 'ring' | 'reject';
}

export type CallTarget = { roomId: string; userId?: string } | { userId: string; roomId?: undefined };

export class CallManager implements ReadableStore<CallManagerSnapshot> {
  /** Calls not ended; an ended call leaves, and its id goes to `ended`. */
  private readonly calls = new Map<string, Call>();
  /** Ids of calls that ended or were refused, newest last, so late events for them are dropped as such. */
  private readonly ended = new Set<string>();
  /** Candidates that arrived before their invite, replayed once it does. */
  private readonly early: EarlyCandidates;
  private readonly store = createStore<CallManagerSnapshot>({ calls: [], ringing: [] });
  private readonly log: Logger;
  private readonly turn: TurnCredentials;
  private readonly spare = new SparePeerConnection();
  private readonly detach: (() => void)[] = [];
  /** Inbound calls that got past their invite (rang, or were answered in glare); the others are not shown. */
  private readonly shown = new WeakSet<Call>();
  private readonly mediaPermitted: (kind: CallKind) => Promise<boolean>;

  constructor(private readonly port: VoipPort, private readonly options: CallManagerOptions = {}, now: () => number = Date.now) {
    this.log = options.log ?? consoleLogger('voip');
    this.early = new EarlyCandidates(this.log, now);
    this.turn = new TurnCredentials(port, this.log);
    // Fetched now, and a connection made once they are here, so neither is on the way of the first call.
    void this.turn.iceServers().then(() => this.spare.prepare());
    if (options.mediaPermitted) {
      this.mediaPermitted = options.mediaPermitted;
    } else {
      // Watched from now on for the same reason: asking the browser when a call starts takes tens of ms.
      // A module that fails to load counts as "the browser will ask", as the Permissions API failing does.
      const watch = import('../media/index.js').then(({ watchMediaPermissions }) => watchMediaPermissions(), () => undefined);
      this.mediaPermitted = async (kind) => (await watch)?.granted(kind === 'video') ?? false;
      this.detach.push(() => void watch.then((watching) => watching?.dispose()));
    }
    this.detach.push(
      port.onCallEventBatch((events) => this.processBatch(events)),
      port.onMembershipChange((roomId, userId, membership) => {
        if (membership === 'join' || membership === 'invite') return;
        for (const call of this.calls.values()) {
          if (call.roomId === roomId && call.state.peerUserId === userId) call.dispatch({ type: 'peer_left_room' });
        }
      }),
    );
  }

  getSnapshot(): CallManagerSnapshot {
    return this.store.getSnapshot();
  }

  subscribe(listener: (snapshot: CallManagerSnapshot) => void): () => void {
    return this.store.subscribe(listener);
  }

  /** Stops listening and hangs up every call still going. */
  dispose(): void {
    for (const detach of this.detach.splice(0)) detach();
    for (const call of this.calls.values()) if (call.getSnapshot().phase !== 'ended') void call.hangup();
    this.turn.dispose();
    this.spare.dispose();
  }

  /** Calls a user (in the DM with them, made when missing) or the other member of a room. */
  async placeCall(target: CallTarget, kind: CallKind = 'video'): Promise<CallHandle> {
    const roomId = target.roomId ?? (await this.port.directRoomWith(target.userId));
    const room = this.port.room(roomId);
    const others = room?.joinedMembers.filter((member) => member !== this.port.userId) ?? [];
    const peerUserId = target.userId ?? (others.length === 1 ? others[0] : undefined);
    if (!peerUserId) {
      throw new MxError('INVALID_CONFIGURATION', `Room ${roomId} has ${others.length} other members; a 1:1 call needs exactly one, or a userId.`);
    }
    if (!others.includes(peerUserId) && (await this.port.membershipOf(roomId, peerUserId)) === 'invite') {
      await this.peerJoins(roomId, peerUserId);
    }
    const call = this.createCall({ callId: newCallId(), roomId, peerUserId, direction: 'outbound', kind });
    call.dispatch({ type: 'place', kind });
    return call;
  }

  /**
   * Call events reach only members who joined: a peer still invited to the DM (made a moment ago, or never
   * accepted) would never see the invite. So the call waits, as long as it would ring, for them to join. Only
   * a peer known to be invited is waited for: the loaded members can leave out one who joined long ago.
   */
  private peerJoins(roomId: string, userId: string): Promise<void> {
    const waitMs = this.options.inviteLifetimeMs ?? INVITE_LIFETIME_MS;
    return new Promise((resolve, reject) => {
      const done = (error?: MxError): void => {
        clearTimeout(timer);
        stop();
        if (error) reject(error);
        else resolve();
      };
      const stop = this.port.onMembershipChange((changedRoom, changedUser, membership) => {
        if (changedRoom !== roomId || changedUser !== userId) return;
        if (membership === 'join') done();
        else if (membership !== 'invite') done(new MxError('PEER_UNAVAILABLE', `${userId} declined to join the conversation (${membership})`));
      });
      const timer = setTimeout(() => done(new MxError('PEER_UNAVAILABLE', `${userId} did not join the conversation within ${Math.round(waitMs / 1000)} s`)), waitMs);
      // Joined between the room being read and the listener being added.
      if (this.port.room(roomId)?.joinedMembers.includes(userId)) done();
    });
  }

  private createCall(options: { callId: string; roomId: string; peerUserId: string; direction: 'inbound' | 'outbound'; kind: CallKind }): Call {
    const room = this.port.room(options.roomId);
    const peer: CallPeer = {
      userId: options.peerUserId,
      displayName: room?.displayName(options.peerUserId),
      avatarUrl: room?.avatarUrl(options.peerUserId),
    };
    const call = new Call(
      { ...options, ourUserId: this.port.userId, ourPartyId: this.port.deviceId, inviteLifetimeMs: this.options.inviteLifetimeMs },
      {
        port: this.port,
        log: this.log,
        peer,
        relayOnly: this.options.relayOnly,
        iceServers: async () => [...(await this.turn.iceServers()), ...(this.options.extraIceServers ?? [])],
        createPeerConnection: (configuration) => this.spare.take(configuration),
        getUserMedia: this.options.getUserMedia ?? defaultGetUserMedia,
        getDisplayMedia: this.options.getDisplayMedia ?? defaultGetDisplayMedia,
        mediaPermitted: this.mediaPermitted,
        onEnded: (ended) => this.forget(ended.callId),
      },
    );
    if (peer.displayName === undefined) {
      // Asked for once the call's first steps are under way: the name is only shown, and making the request
      // takes the page a millisecond or two that an invite or offer would otherwise wait for. A call over
      // by then (hung up, or its invite refused) shows no name, so it asks for none.
      setTimeout(() => {
        if (call.getSnapshot().phase === 'ended') return;
        this.port.profile(peer.userId).then(
          (profile) => call.updatePeer({ displayName: profile.displayName, avatarUrl: peer.avatarUrl ?? profile.avatarUrl }),
          (error: unknown) => this.log.debug(`no profile for ${peer.userId}: ${error instanceof Error ? error.message : String(error)}`),
        );
      }, 0);
    }
    this.calls.set(options.callId, call);
    call.subscribe(() => this.publish());
    this.publish();
    return call;
  }

  /** Lets an ended call go: a page open all day holds only the calls going on, and a bounded list of ids. */
  private forget(callId: string): void {
    this.calls.delete(callId);
    this.rememberEnded(callId);
    this.publish();
  }

  private rememberEnded(callId: string): void {
    this.ended.delete(callId);
    this.ended.add(callId);
    if (this.ended.size > REMEMBER_ENDED) this.ended.delete(this.ended.values().next().value as string);
  }

  private publish(): void {
    for (const call of this.calls.values()) {
      if (!['fledgling', 'ended'].includes(call.getSnapshot().phase)) this.shown.add(call);
    }
    const calls = [...this.calls.values()].filter((call) => call.getSnapshot().phase !== 'ended' && (call.state.direction === 'outbound' || this.shown.has(call)));
    this.store.set({ calls, ringing: calls.filter((call) => call.getSnapshot().phase === 'ringing') });
  }

  private processBatch(batch: readonly InboundRoomEvent[]): void {
    const parsed: { event: InboundRoomEvent; parsed: InboundCallEvent }[] = [];
    for (const event of batch) {
      const result = parseCallEvent(event.type, event.content);
      if (!result.ok) {
        this.log.info(`dropped ${event.type} ${event.eventId} from ${event.sender}: ${result.reason}`);
        continue;
      }
      if (event.sender === this.port.userId && result.value.partyId === this.port.deviceId) {
        this.log.debug(`dropped ${event.type} ${event.eventId}: our own echo`);
        continue;
      }
      for (const warning of result.value.warnings) this.log.debug(`${event.type} ${event.eventId}: ${warning}`);
      parsed.push({ event, parsed: result.value });
    }
    // An invite answered, rejected or hung up within the same batch never rings: hung up by its caller, or
    // answered or rejected by another device of ours (or answered by anyone, when it names no invitee).
    const settles = (invite: { event: InboundRoomEvent; parsed: InboundCallEvent }): boolean => invite.parsed.type === 'm.call.invite' &&
      parsed.some(({ event: e, parsed: p }) => p.callId === invite.parsed.callId && e.roomId === invite.event.roomId && (
        (p.type === 'm.call.hangup' && e.sender === invite.event.sender && p.partyId === invite.parsed.partyId) ||
        ((p.type === 'm.call.answer' || p.type === 'm.call.reject') && e.sender === this.port.userId) ||
        (p.type === 'm.call.answer' && invite.parsed.type === 'm.call.invite' && invite.parsed.invitee === undefined && e.sender !== invite.event.sender)));
    for (const item of parsed) {
      if (item.parsed.type === 'm.call.invite' && !this.calls.has(item.parsed.callId) && !this.ended.has(item.parsed.callId) && settles(item)) {
        this.log.info(`invite ${item.parsed.callId} was settled in the same sync batch: not ringing`);
        this.rememberEnded(item.parsed.callId);
        continue;
      }
      try {
        this.route(item.event, item.parsed);
      } catch (error) {
        // Nothing from the wire may throw into the host page.
        this.log.error(`handling ${item.event.type} ${item.event.eventId} failed`, error);
      }
    }
  }

  private route(event: InboundRoomEvent, parsed: InboundCallEvent): void {
    const call = this.calls.get(parsed.callId);
    if (parsed.type === 'm.call.invite') {
      if (call || this.ended.has(parsed.callId)) {
        this.log.info(`invite ${parsed.callId}: already known`);
        return;
      }
      this.onInvite(event, parsed);
      return;
    }
    if (!call) {
      if (this.ended.has(parsed.callId)) {
        this.log.info(`${parsed.type} ${event.eventId} for ended call ${parsed.callId} from ${event.sender}: dropped`);
        return;
      }
      if (parsed.type === 'm.call.candidates') {
        this.early.hold({ event, parsed });
        return;
      }
      if (parsed.type === 'm.call.hangup' || parsed.type === 'm.call.reject') {
        this.rememberEnded(parsed.callId);
      }
      this.log.info(`${parsed.type} for unknown call ${parsed.callId} from ${event.sender}: dropped`);
      return;
    }
    if (event.roomId !== call.roomId) {
      this.log.warn(`${parsed.type} for call ${parsed.callId} arrived in ${event.roomId}, not the call's room: dropped`);
      return;
    }
    if (parsed.type === 'm.call.negotiate' && parsed.lifetime !== undefined && event.ageMs > parsed.lifetime) {
      this.log.info(`m.call.negotiate ${event.eventId} for call ${parsed.callId} expired (${event.ageMs} ms old, lifetime ${parsed.lifetime} ms): dropped`);
      return;
    }
    const machineEvent = toMachineEvent(event, parsed);
    if (machineEvent) call.dispatch(machineEvent);
  }

  private onInvite(event: InboundRoomEvent, invite: Extract<InboundCallEvent, { type: 'm.call.invite' }>): void {
    const drop = (reason: string): void => {
      this.log.info(`invite ${invite.callId} from ${event.sender} not ringing: ${reason}`);
      this.rememberEnded(invite.callId);
    };
    if (event.sender === this.port.userId) return drop('we sent it (from another device)');
    if (invite.invitee !== undefined && invite.invitee !== this.port.userId) return drop(`it is for ${invite.invitee}`);
    const remainingMs = invite.lifetime - event.ageMs;
    if (remainingMs < RING_GRACE_MS) return drop(`expired (${Math.round(event.ageMs / 1000)}s old, lifetime ${Math.round(invite.lifetime / 1000)}s)`);
    const room = this.port.room(event.roomId);
    if (!room) return drop(`the room ${event.roomId} is unknown here`);
    if (!room.joinedMembers.includes(event.sender)) return drop('the sender is not in the room');
    if (room.joinRule === 'public' && !this.options.ringInPublicRooms) return drop('the room is public');
    const ringing = [...this.calls.values()].filter((other) => other.state.direction === 'inbound' && ['fledgling', 'ringing'].includes(other.state.phase));
    if (ringing.length >= RINGING_LIMITS.calls) return drop(`${RINGING_LIMITS.calls} calls are ringing already`);
    if (ringing.filter((other) => other.state.peerUserId === event.sender).length >= RINGING_LIMITS.perCaller) {
      return drop(`${RINGING_LIMITS.perCaller} calls from ${event.sender} are ringing already`);
    }

    const glare = [...this.calls.values()].find((existing) =>
      existing.roomId === event.roomId &&
      existing.state.direction === 'outbound' &&
      existing.state.peerUserId === event.sender &&
      ['fledgling', 'wait_local_media', 'create_offer', 'invite_sent'].includes(existing.state.phase));

    const hasVideo = /\bm=video\b/.test(invite.offer.sdp) && (!invite.streamMetadata || [...invite.streamMetadata.values()].some((m) => !m.videoMuted));
    const call = this.createCall({ callId: invite.callId, roomId: event.roomId, peerUserId: event.sender, direction: 'inbound', kind: hasVideo ? 'video' : 'voice' });
    call.dispatch({
      type: 'remote_invite',
      sender: event.sender,
      partyId: invite.partyId,
      version: invite.version,
      offer: invite.offer,
      metadata: invite.streamMetadata,
      remainingMs,
      kind: hasVideo ? 'video' : 'voice',
    });
    for (const early of this.early.take(invite.callId)) this.route(early.event, early.parsed);

    if (glare) {
      this.resolveGlare(glare, call);
      return;
    }
    const busy = [...this.calls.values()].some((other) => other !== call && !['ringing', 'ended'].includes(other.state.phase));
    if (busy && this.options.whenBusy === 'reject') {
      this.log.info(`invite ${invite.callId}: busy in another call, declining`);
      call.dispatch({ type: 'hangup', reason: 'user_busy' });
    }
  }

  /**
   * Both sides called each other in the same room. The lesser call id wins on both sides, so each side
   * reaches the same answer alone; the losing side answers the winning call with the media it asked for.
   */
  private resolveGlare(ours: Call, theirs: Call): void {
    const kind = ours.state.kind;
    if (ours.state.phase !== 'invite_sent' || theirs.callId < ours.callId) {
      this.log.info(`glare: ${theirs.callId} replaces our ${ours.callId}`);
      ours.dispatch({ type: 'hangup', reason: 'replaced' });
      theirs.dispatch({ type: 'answer', kind });
    } else {
      this.log.info(`glare: our ${ours.callId} wins over ${theirs.callId}`);
      // A matrix-js-sdk caller ignores a hangup from a party it has not chosen, but not a reject. The reject
      // goes out only after our invite: a MatrixCall that hears the reject first ends its call and then takes
      // ours for a plain new call, which rings instead of replacing its own.
      theirs.holdSendsUntil(ours.inviteSettled());
      theirs.dispatch({ type: 'reject' });
    }
  }
}

function toMachineEvent(event: InboundRoomEvent, parsed: InboundCallEvent): CallMachineEvent | undefined {
  const envelope = { sender: event.sender, partyId: parsed.partyId, version: parsed.version };
  switch (parsed.type) {
    case 'm.call.answer':
      return { ...envelope, type: 'remote_answer', answer: parsed.answer, metadata: parsed.streamMetadata };
    case 'm.call.select_answer':
      return { ...envelope, type: 'remote_select_answer', selectedPartyId: parsed.selectedPartyId };
    case 'm.call.reject':
      return { ...envelope, type: 'remote_reject' };
    case 'm.call.hangup':
      return { ...envelope, type: 'remote_hangup', reason: parsed.reason };
    case 'm.call.negotiate':
      return { ...envelope, type: 'remote_negotiate', description: parsed.description, metadata: parsed.streamMetadata };
    case 'm.call.candidates':
      return { ...envelope, type: 'remote_candidates', candidates: parsed.candidates };
    case 'm.call.sdp_stream_metadata_changed':
      return { ...envelope, type: 'remote_metadata_changed', metadata: parsed.streamMetadata };
    case 'm.call.invite':
    case 'm.call.asserted_identity':
      return undefined;
  }
}

/** A call id as matrix-js-sdk makes them: a timestamp and random characters, within the opaque-id grammar. */
function newCallId(): string {
  const random = new Uint8Array(12);
  crypto.getRandomValues(random);
  return `${Date.now()}${[...random].map((byte) => 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789'[byte % 62]).join('')}`;
}

async function defaultGetUserMedia(constraints: { audio: boolean; video: boolean }): Promise<MediaStream> {
  const { getUserMedia } = await import('../media/index.js');
  return getUserMedia(constraints);
}

async function defaultGetDisplayMedia(): Promise<MediaStream> {
  const { getDisplayMedia } = await import('../media/index.js');
  return getDisplayMedia();
}
