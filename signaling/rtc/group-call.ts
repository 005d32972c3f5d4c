// One MatrixRTC group call in a room, joined from this device: our membership through matrix-js-sdk's
// MatrixRTCSession (Element Call's default form: a state event with focus_active multi_sfu and our transport in
// foci_preferred), media through the transport's LiveKit SFU. This module imports livekit-client, so the kit loads
// it only at the first join.
import {
  ConnectionQuality as LivekitQuality,
  DisconnectReason,
  ExternalE2EEKeyProvider,
  LoggerNames,
  LogLevel,
  Room as LivekitRoom,
  RoomEvent,
  setLogLevel,
  Track,
  type Participant,
  type RemoteParticipant,
} from 'livekit-client';
import { RoomStateEvent, type MatrixClient, type MatrixEvent, type Room } from 'matrix-js-sdk';
import {
  MatrixRTCSession,
  MatrixRTCSessionEvent,
  MembershipManagerEvent,
  Status,
  type CallMembership,
} from 'matrix-js-sdk/lib/matrixrtc/index.js';
import { MxError } from '../errors.js';
import type { Logger } from '../log.js';
import type { CallFeed } from '../media/feed.js';
import { getDisplayMedia, type UserMediaRequest } from '../media/user-media.js';
import { createStore, type WritableStore } from '../store/store.js';
import { CALL_MEMBER_EVENT, RTC_MEMBER_EVENT } from './event-types.js';
import { followOutgoingRing } from './outgoing-ring.js';
import { clientTakingOnlyEncryptedKeys, MatrixRtcKeyProvider } from './media-keys.js';
import { CallReactions } from './call-reactions.js';
import { handOverDelayedLeave } from './delayed-leave.js';
import { nextGroupCallPhase, type GroupCallPhaseEvent } from './group-call-phase.js';
import type { ReactingMember, ReactionsState } from './reactions.js';
import { RemoteFeeds } from './remote-feeds.js';
import { RemoteSfus, ROOM_CHANGES } from './remote-sfus.js';
import { VideoStallWatch } from './video-stall.js';
import { rosterOf, type MembershipRecord, type RosterMember } from './roster.js';
import { requestSfuToken, stickyMemberIdentity, type MembershipForm, type OpenIdToken, type SfuToken } from './token-service.js';
import { parseTransport, type LivekitTransport } from './transports.js';
import type {
  ConnectionQuality,
  GroupCallHandle,
  GroupCallSnapshot,
  GroupParticipant,
  ReceivedMedia,
} from './group-call.types.js';

/**
 * Our delayed leave event's delay (MSC4140; matrix-js-sdk's default, said here because the token service that
 * takes it over is told it too): a vanished tab leaves the call within it.
 */
const DELAYED_LEAVE_MS = 8_000;

/** Distinct (participant, reason) encryption failures logged per call; the SFU decides who sends us media. */
const MAX_ENCRYPTION_ERRORS_LOGGED = 64;

/** How long leave() waits for the homeserver to take our leave before the delayed leave is left to do it. */
const LEAVE_TIMEOUT_MS = 8_000;
/**
 * After livekit-client gave up restoring the SFU link (its own retries last about 45 s), the call joins the SFU
 * again with a fresh token, waiting this long between attempts, until RECONNECT_GIVE_UP_MS have passed; then it
 * ends, and its membership with it, rather than leave a member in the room who is not in the call.
 */
const RECONNECT_DELAYS_MS = [0, 1_000, 2_000, 4_000, 8_000, 15_000] as const;
const RECONNECT_GIVE_UP_MS = 120_000;
/** Disconnections the SFU meant: another tab took our identity, or someone removed us or ended the room. */
const FINAL_DISCONNECTS: ReadonlySet<DisconnectReason | undefined> = new Set([
  DisconnectReason.DUPLICATE_IDENTITY,
  DisconnectReason.PARTICIPANT_REMOVED,
  DisconnectReason.ROOM_DELETED,
]);

export interface GroupCallDependencies {
  readonly client: MatrixClient;
  readonly room: Room;
  /** The transports this call may publish on, ours first (discovery). */
  transports(): Promise<readonly LivekitTransport[]>;
  getUserMedia(request: UserMediaRequest): Promise<MediaStream>;
  /** A screen, window or tab to share, with its audio where the browser captures it (default: the browser's picker). */
  getDisplayMedia?(): Promise<MediaStream>;
  /** How to publish our membership: Element Call's state event, or the sticky event where asked and served. */
  membershipForm(): Promise<MembershipForm>;
  /** Starts LiveKit's E2EE worker, for a call in an encrypted room. */
  createE2eeWorker(): Worker;
  readonly log: Logger;
  readonly now?: () => number;
}

/** The slot of a room's one call, as Element Call and matrix-js-sdk name it (`m.call#ROOM`). */
const ROOM_CALL_SLOT = { application: 'm.call', id: 'ROOM' };

export interface GroupJoinOptions {
  /**
   * When the call starts here (nobody is in it yet), ring the room's other members (`ring`, for a DM or a small
   * room) or notify them (`notification`) with an MSC4075 notification; the snapshot's `ring` follows it.
   */
  readonly notify?: 'ring' | 'notification';
  /** Send the camera (default true); the microphone is always sent, muted or not. */
  readonly video?: boolean;
  readonly microphoneMuted?: boolean;
  readonly cameraMuted?: boolean;
  /**
   * A secret shared by everyone in the call, to end-to-end encrypt its media in a room that is not encrypted
   * (Element Call's `password` URL parameter; same key derivation, so both join one encrypted call). An encrypted
   * room's call uses per-participant keys over Olm instead, and ignores it.
   */
  readonly password?: string;
}

/** Longer than any passphrase a person types or a link carries. */
const MAX_PASSWORD_LENGTH = 1024;

/** How the call's media is end-to-end encrypted: per participant (keys over Olm) or with a shared secret. */
type MediaEncryption =
  | { readonly kind: 'per-participant'; readonly keyProvider: MatrixRtcKeyProvider }
  | { readonly kind: 'shared-secret'; readonly keyProvider: ExternalE2EEKeyProvider; readonly password: string };

export class GroupCall implements GroupCallHandle {
  readonly roomId: string;
  readonly joined: Promise<void>;

  private readonly store: WritableStore<GroupCallSnapshot>;
  private readonly session: MatrixRTCSession;
  private readonly userId: string;
  private readonly deviceId: string;
  /** Our LiveKit identity: `${userId}:${deviceId}` in the state-event form, a hash with the member id in the sticky one. */
  private identity: string;
  private memberId: string;
  private form: MembershipForm = 'state-event';
  private readonly now: () => number;
  /** Per-participant media keys, in an encrypted room. */
  private readonly encryption: MediaEncryption | undefined;
  private livekit: LivekitRoom | undefined;
  /** The E2EE worker of the current LiveKit room (one per room), in an encrypted room. */
  private e2eeWorker: Worker | undefined;
  private localStream: MediaStream | undefined;
  /** The shared screen (and its audio) while sharing. */
  private screenStream: MediaStream | undefined;
  /** Our transport, once discovery found it. */
  private own: LivekitTransport | undefined;
  private withVideo = true;
  /** A rejoin of the SFU is under way: the disconnections of its failed attempts are its own business. */
  private rejoining = false;
  private readonly remoteFeeds = new RemoteFeeds();
  private roster: readonly RosterMember[] = [];
  private readonly droppedLogged = new Set<string>();
  private readonly encryptionErrorsLogged = new Set<string>();
  private readonly stopListening: (() => void)[] = [];
  private readonly reactions: CallReactions;
  private readonly remoteSfus: RemoteSfus;
  private readonly stallWatch: VideoStallWatch;
  /** The LiveKit server we publish on (from our token). */
  private ownLivekitUrl: string | undefined;
  /** The delayed leave event the token service was last asked to take over. */
  private delegatedDelayId: string | undefined;
  private ending: Promise<void> | undefined;

  constructor(private readonly deps: GroupCallDependencies, options: GroupJoinOptions = {}) {
    const { client, room } = deps;
    this.roomId = room.roomId;
    this.userId = client.getSafeUserId();
    const deviceId = client.getDeviceId();
    if (!deviceId) throw new MxError('INVALID_CONFIGURATION', 'Group calls need a device id (it names our membership).');
    this.deviceId = deviceId;
    // The state-event form names every membership `${userId}:${deviceId}` whatever we pass, and keys are matched
    // to memberships by it, so pass exactly that (rtc-facts.md §1).
    this.identity = `${this.userId}:${deviceId}`;
    this.memberId = this.identity;
    this.now = deps.now ?? Date.now;
    // Our own session over a client that drops plaintext media keys; the client's session manager keeps its own
    // for the room (it only reads memberships).
    this.encryption = mediaEncryptionOf(room.hasEncryptionStateEvent(), options.password, deps.log);
    this.session = MatrixRTCSession.sessionForSlot(clientTakingOnlyEncryptedKeys(client, deps.log), room, ROOM_CALL_SLOT);
    this.store = createStore<GroupCallSnapshot>({
      roomId: this.roomId,
      phase: 'joining',
      local: {
        userId: this.userId,
        deviceId,
        identity: this.identity,
        feeds: [],
        microphoneMuted: options.microphoneMuted ?? false,
        cameraMuted: options.cameraMuted ?? options.video === false,
        screenSharing: false,
        speaking: false,
        handRaisedAt: undefined,
      },
      participants: [],
      activeSpeakers: [],
      screenShares: [],
      reactions: [],
      error: undefined,
    });
    this.remoteSfus = new RemoteSfus({
      requestToken: (serviceUrl) => this.requestToken(serviceUrl),
      createRoom: () => {
        const worker = this.encryption ? this.deps.createE2eeWorker() : undefined;
        return { room: this.newLivekitRoom(worker), dispose: () => worker?.terminate() };
      },
      prepare: async (livekit) => {
        if (!this.encryption) return;
        await livekit.setE2EEEnabled(true);
        if (this.encryption.kind === 'per-participant') this.session.reemitEncryptionKeys();
      },
      ownLivekitUrl: () => this.ownLivekitUrl,
      onChange: () => this.refresh(),
      log: deps.log,
      now: this.now,
    });
    this.stallWatch = new VideoStallWatch(() => this.livekitRooms(), deps.log);
    this.reactions = new CallReactions(client, room, deps.log, (state) => this.store.update((snapshot) => withReactions(snapshot, state)), this.now);
    this.joined = this.join(options);
    // The app may never await `joined`; its failure is in the snapshot, and must not be an unhandled rejection.
    this.joined.catch(() => undefined);
  }

  getSnapshot = (): GroupCallSnapshot => this.store.getSnapshot();
  subscribe = (listener: (snapshot: GroupCallSnapshot) => void): (() => void) => this.store.subscribe(listener);

  async setMicrophoneMuted(muted: boolean): Promise<void> {
    await this.setLocalMuted(Track.Source.Microphone, muted);
    this.patchLocal({ microphoneMuted: muted });
  }

  async setCameraMuted(muted: boolean): Promise<void> {
    await this.setLocalMuted(Track.Source.Camera, muted);
    this.patchLocal({ cameraMuted: muted });
  }

  async setScreenSharing(sharing: boolean): Promise<void> {
    if (!sharing) {
      await this.stopScreenShare();
      return;
    }
    if (this.screenStream) return;
    const livekit = this.livekit;
    if (!livekit || this.store.getSnapshot().phase !== 'connected') {
      throw new MxError('INVALID_STATE', 'A screen can be shared once the call is joined and connected.');
    }
    const stream = await (this.deps.getDisplayMedia ?? (() => getDisplayMedia({ audio: true })))();
    if (this.ending || this.livekit !== livekit || this.screenStream) {
      for (const track of stream.getTracks()) track.stop();
      throw new MxError('INVALID_STATE', 'The call changed while the screen was being chosen; nothing is shared.');
    }
    this.screenStream = stream;
    try {
      for (const track of stream.getTracks()) {
        await livekit.localParticipant.publishTrack(track, { source: track.kind === 'audio' ? Track.Source.ScreenShareAudio : Track.Source.ScreenShare });
      }
    } catch (error) {
      await this.stopScreenShare();
      throw MxError.from(error);
    }
    // The browser's own "Stop sharing" ends the video track.
    stream.getVideoTracks()[0]?.addEventListener('ended', () => void this.stopScreenShare(), { once: true });
    const feed: CallFeed = { id: stream.id, purpose: 'm.screenshare', stream, isLocal: true, userId: this.userId, audioMuted: stream.getAudioTracks().length === 0, videoMuted: false };
    this.patchLocal({ screenSharing: true, feeds: [...this.store.getSnapshot().local.feeds.filter((candidate) => candidate.purpose !== 'm.screenshare'), feed] });
    this.deps.log.info(`sharing a screen in ${this.roomId}${stream.getAudioTracks().length > 0 ? ' with its audio' : ''}`);
  }

  async setHandRaised(raised: boolean): Promise<void> {
    await this.reactions.setHandRaised(raised, this.identity);
  }

  async sendReaction(reaction: { readonly emoji: string; readonly name: string }): Promise<void> {
    await this.reactions.sendReaction(reaction, this.identity);
  }

  leave(): Promise<void> {
    if (this.ending) return this.ending;
    this.transition('leave');
    this.ending = this.teardown().then(() => {
      this.transition('left');
    });
    return this.ending;
  }

  async receivedMedia(): Promise<ReadonlyMap<string, ReceivedMedia>> {
    const received = new Map<string, ReceivedMedia>();
    for (const member of this.roster) {
      const participant = this.participantIn(member);
      if (!participant) continue;
      let framesDecoded = 0;
      let audioEnergy = 0;
      for (const publication of participant.trackPublications.values()) {
        const report = await publication.track?.getRTCStatsReport();
        report?.forEach((stats: RTCStats & { framesDecoded?: number; totalAudioEnergy?: number }) => {
          if (stats.type !== 'inbound-rtp') return;
          framesDecoded += stats.framesDecoded ?? 0;
          if (publication.source === Track.Source.Microphone) audioEnergy += stats.totalAudioEnergy ?? 0;
        });
      }
      received.set(member.identity, { framesDecoded, audioEnergy });
    }
    return received;
  }

  private async join(options: GroupJoinOptions): Promise<void> {
    try {
      this.form = await this.deps.membershipForm();
      this.ensureMayPublishMembership();
      if (this.form === 'sticky') {
        // A new member id per join, so that a rejoin rotates the keys others hold for us.
        this.memberId = crypto.randomUUID();
        this.identity = await stickyMemberIdentity(this.userId, this.deviceId, this.memberId);
        this.patchLocal({ identity: this.identity });
      }
      this.withVideo = options.video ?? true;
      const [transports, localStream, openIdToken] = await Promise.all([
        this.deps.transports(),
        this.deps.getUserMedia({ audio: true, video: this.withVideo }),
        this.deps.client.getOpenIdToken() as Promise<OpenIdToken>,
        this.loadRoomMembers(),
      ]);
      this.localStream = localStream;
      this.throwIfLeft();
      const own = transports[0];
      if (!own) throw new MxError('NO_RTC_TRANSPORT', 'Transport discovery found no LiveKit SFU.');
      this.own = own;
      const token = await this.requestToken(own.livekitServiceUrl, openIdToken);
      this.throwIfLeft();

      const membershipPublished = this.publishMembership(own, options.notify);
      await this.connectMedia(token);
      await membershipPublished;
      this.throwIfLeft();
      this.transition('joined');
      this.refresh();
      this.delegateDelayedLeave();
      this.stallWatch.start();
    } catch (thrown) {
      const error = MxError.from(thrown);
      if (!this.ending) await this.fail(error);
      throw error;
    }
  }

  /**
   * matrix-js-sdk ignores the membership of anyone it does not know to be in the room, and a lazy-loading sync
   * (the kit's) names only the senders of recent events: in a busy room the people already in the call would be
   * missing. Their room memberships are fetched once, then the call's are read again.
   */
  private async loadRoomMembers(): Promise<void> {
    try {
      await this.deps.room.loadMembersIfNeeded();
    } catch (error) {
      this.deps.log.warn(`the members of ${this.roomId} could not be loaded; the call may miss members until they send something`, error);
      return;
    }
    await this.session.ensureRecalculateSessionMembers().catch((error: unknown) => this.deps.log.warn('reading the call\'s memberships failed', error));
  }

  private throwIfLeft(): void {
    if (this.ending) throw new MxError('INVALID_STATE', 'The call was left while it was being joined.');
  }

  private async requestToken(serviceUrl: string, openIdToken?: OpenIdToken): Promise<SfuToken> {
    return requestSfuToken({
      serviceUrl,
      roomId: this.roomId,
      openIdToken: openIdToken ?? (await this.deps.client.getOpenIdToken() as OpenIdToken),
      userId: this.userId,
      deviceId: this.deviceId,
      form: this.form,
      memberId: this.memberId,
    });
  }

  /** Joins the SFU and publishes our camera and microphone (opened again if they were stopped meanwhile). */
  private async connectMedia(token: SfuToken): Promise<void> {
    const livekit = this.connectLivekit();
    this.ownLivekitUrl = token.url;
    await livekit.connect(token.url, token.jwt, { autoSubscribe: false });
    // Before anything is published: no frame of ours leaves unencrypted.
    if (this.encryption?.kind === 'shared-secret') {
      await this.encryption.keyProvider.setKey(this.encryption.password);
      await livekit.setE2EEEnabled(true);
    } else if (this.encryption) {
      await livekit.setE2EEEnabled(true);
      // A rejoin's new worker knows no key yet: the session hands it every key it holds.
      if (this.store.getSnapshot().phase === 'reconnecting') this.session.reemitEncryptionKeys();
    }
    await this.publishLocalMedia(livekit, await this.liveLocalStream());
  }

  /** The local camera and microphone; livekit-client stops them when it gives a connection up. */
  private async liveLocalStream(): Promise<MediaStream> {
    const current = this.localStream;
    if (current && current.getTracks().every((track) => track.readyState === 'live')) return current;
    for (const track of current?.getTracks() ?? []) track.stop();
    const fresh = await this.deps.getUserMedia({ audio: true, video: this.withVideo });
    this.localStream = fresh;
    return fresh;
  }

  /**
   * Joins the SFU again after livekit-client gave the link up, with a fresh token each attempt; the membership
   * stays meanwhile (its delayed leave still guards it). Gives up after RECONNECT_GIVE_UP_MS and ends the call.
   */
  private async rejoinSfu(reason: DisconnectReason | undefined): Promise<void> {
    const own = this.own;
    if (!own || this.rejoining) return;
    this.rejoining = true;
    this.deps.log.warn(`the SFU link of the call in ${this.roomId} ended (LiveKit reason ${String(reason)}); joining it again`);
    this.transition('link-lost');
    // The share was published on the connection that is gone; sharing again needs the picker (a click).
    await this.stopScreenShare();
    const giveUpAt = this.now() + RECONNECT_GIVE_UP_MS;
    try {
      for (let attempt = 0; !this.ending; attempt += 1) {
        await sleep(RECONNECT_DELAYS_MS[Math.min(attempt, RECONNECT_DELAYS_MS.length - 1)]!);
        if (this.ending) return;
        try {
          await this.connectMedia(await this.requestToken(own.livekitServiceUrl));
          if (this.ending) return;
          this.deps.log.info(`the call in ${this.roomId} is back on its SFU`);
          this.transition('joined');
          this.refresh();
          this.delegateDelayedLeave();
          return;
        } catch (error) {
          await this.livekit?.disconnect().catch(() => undefined);
          if (this.now() >= giveUpAt) {
            void this.fail(new MxError('RTC_CONNECTION_LOST',
              `The call's SFU could not be reached again for ${RECONNECT_GIVE_UP_MS / 1000} s (${MxError.from(error).message}).`, { cause: error }));
            return;
          }
          this.deps.log.info(`joining the SFU again failed; trying again: ${MxError.from(error).message}`);
        }
      }
    } finally {
      this.rejoining = false;
    }
  }

  /** Fails early, with who can fix it, where the room's power levels forbid our membership event. */
  private ensureMayPublishMembership(): void {
    const state = this.deps.room.currentState;
    const sticky = this.form === 'sticky';
    const eventType = sticky ? RTC_MEMBER_EVENT : CALL_MEMBER_EVENT;
    if (sticky ? state.maySendEvent(eventType, this.userId) : state.maySendStateEvent(eventType, this.userId)) return;
    const levels = state.getStateEvents('m.room.power_levels', '')?.getContent<{ events?: Record<string, number>; state_default?: number; events_default?: number }>();
    const needed = levels?.events?.[eventType] ?? (sticky ? levels?.events_default ?? 0 : levels?.state_default ?? 50);
    const own = this.deps.room.getMember(this.userId)?.powerLevel ?? 0;
    throw new MxError('RTC_MEMBERSHIP_FORBIDDEN',
      `This room's power levels do not let ${this.userId} join its call: call membership (\`${eventType}\`) needs ` +
      `power level ${needed}, and ${this.userId} has ${own}. A room admin can let members join calls by setting that event's ` +
      'level to 0 in the room\'s power levels (Element does this in the rooms it creates).');
  }

  /** Resolves once the homeserver holds our membership; rejects with the membership manager's error. */
  private publishMembership(own: LivekitTransport, notify: GroupJoinOptions['notify']): Promise<void> {
    const published = new Promise<void>((resolve, reject) => {
      const onStatus = (_before: Status, now: Status): void => {
        if (now === Status.Connected) resolve();
      };
      const onError = (error: unknown): void => reject(membershipError(error, this.userId));
      this.session.on(MembershipManagerEvent.StatusChanged, onStatus);
      this.session.on(MatrixRTCSessionEvent.MembershipManagerError, onError);
      this.stopListening.push(() => {
        this.session.off(MembershipManagerEvent.StatusChanged, onStatus);
        this.session.off(MatrixRTCSessionEvent.MembershipManagerError, onError);
      });
    });
    const onMemberships = (): void => this.refresh();
    this.session.on(MatrixRTCSessionEvent.MembershipsChanged, onMemberships);
    this.stopListening.push(() => this.session.off(MatrixRTCSessionEvent.MembershipsChanged, onMemberships));
    // The SDK sends a new delayed leave event whenever it had to (its restart failed, it rejoined).
    const onDelayId = (): void => this.delegateDelayedLeave();
    this.session.on(MembershipManagerEvent.DelayIdChanged, onDelayId);
    this.stopListening.push(() => this.session.off(MembershipManagerEvent.DelayIdChanged, onDelayId));
    // A session recalculates its memberships on slot and sticky events by itself; for the state-event form it
    // is told, as matrix-js-sdk's session manager tells the sessions it owns.
    const onStateEvent = (event: MatrixEvent): void => {
      if (event.getRoomId() !== this.roomId || event.getType() !== CALL_MEMBER_EVENT) return;
      this.session.ensureRecalculateSessionMembers().catch((error: unknown) => this.deps.log.warn('reading the call\'s memberships failed', error));
    };
    this.deps.client.on(RoomStateEvent.Events, onStateEvent);
    this.stopListening.push(() => this.deps.client.off(RoomStateEvent.Events, onStateEvent));
    void this.session.ensureRecalculateSessionMembers().catch(() => undefined);
    const keyProvider = this.encryption?.kind === 'per-participant' ? this.encryption.keyProvider : undefined;
    if (keyProvider) {
      const onKey = (key: Uint8Array<ArrayBuffer>, index: number, _member: unknown, rtcBackendIdentity: string): void => {
        keyProvider.setKey(rtcBackendIdentity, key, index).catch((error: unknown) => this.deps.log.warn(`a media key of ${rtcBackendIdentity} could not be used`, error));
      };
      this.session.on(MatrixRTCSessionEvent.EncryptionKeyChanged, onKey);
      this.stopListening.push(() => this.session.off(MatrixRTCSessionEvent.EncryptionKeyChanged, onKey));
    }

    if (notify) {
      this.stopListening.push(followOutgoingRing(this.deps.client, this.deps.room, this.session, (ring) => this.store.update((snapshot) => ({ ...snapshot, ring }))));
    }
    // With a multi-SFU focus the SDK writes `focus_active: multi_sfu` and puts that transport first in
    // `foci_preferred`: the one we publish on, as Element Call's membership names it.
    this.session.joinRTCSession(
      { userId: this.userId, deviceId: this.deviceId, memberId: this.memberId },
      [],
      { type: 'livekit', livekit_service_url: own.livekitServiceUrl, livekit_alias: this.roomId },
      {
        manageMediaKeys: keyProvider !== undefined,
        callIntent: this.withVideo ? 'video' : 'audio',
        delayedLeaveEventDelayMs: DELAYED_LEAVE_MS,
        unstableSendStickyEvents: this.form === 'sticky',
        ...(notify ? { notificationType: notify } : {}),
      },
    );
    return published;
  }

  private connectLivekit(): LivekitRoom {
    this.livekit?.removeAllListeners();
    this.e2eeWorker?.terminate();
    this.e2eeWorker = this.encryption ? this.deps.createE2eeWorker() : undefined;
    const livekit = this.newLivekitRoom(this.e2eeWorker);
    this.livekit = livekit;
    const refresh = (): void => this.refresh();
    for (const event of ROOM_CHANGES) livekit.on(event, refresh);
    livekit.on(RoomEvent.Reconnecting, () => this.transition('link-lost'));
    livekit.on(RoomEvent.Reconnected, () => {
      this.transition('link-restored');
      this.delegateDelayedLeave();
    });
    livekit.on(RoomEvent.Disconnected, (reason) => {
      if (this.ending || this.rejoining || this.livekit !== livekit || this.store.getSnapshot().phase === 'joining') return;
      if (FINAL_DISCONNECTS.has(reason)) {
        void this.fail(new MxError('RTC_CONNECTION_LOST', `The call's SFU ended our connection (LiveKit reason ${String(reason)}).`));
        return;
      }
      void this.rejoinSfu(reason);
    });
    this.stopListening.push(() => livekit.removeAllListeners());
    return livekit;
  }

  private newLivekitRoom(worker: Worker | undefined): LivekitRoom {
    // livekit-client's E2EE logger (one for the page): the worker takes its level when the room sets it up. At its
    // default the worker warns of every frame it cannot decrypt (a key still on its way, or one never given to us):
    // hundreds of messages a second, each posted to the page and printed, when the page is busiest. Its errors
    // still come, throttled, as EncryptionError.
    if (worker) setLogLevel(LogLevel.error, LoggerNames.E2EE);
    const livekit = new LivekitRoom({
      adaptiveStream: true,
      dynacast: true,
      publishDefaults: { red: false, dtx: true },
      ...(this.encryption && worker ? { encryption: { keyProvider: this.encryption.keyProvider, worker } } : {}),
    });
    livekit.on(RoomEvent.EncryptionError, (error, participant) => this.logEncryptionError(error, participant?.identity));
    return livekit;
  }

  /**
   * Once per participant and failure: the worker repeats its errors as long as the frames keep failing. They come
   * from the worker as plain errors (their class and reason are lost on the way), told apart by their message.
   */
  private logEncryptionError(error: Error, identity: string | undefined): void {
    const what = identity ? `decrypt media of ${identity}` : 'encrypt or decrypt media';
    const key = `${what} ${error.message.replace(/\d+/g, '#')}`;
    if (this.encryptionErrorsLogged.has(key) || this.encryptionErrorsLogged.size >= MAX_ENCRYPTION_ERRORS_LOGGED) return;
    this.encryptionErrorsLogged.add(key);
    this.deps.log.warn(`could not ${what} in ${this.roomId} (said once; a key may still be on its way): ${error.message}`);
  }

  private async publishLocalMedia(livekit: LivekitRoom, stream: MediaStream): Promise<void> {
    const local = this.store.getSnapshot().local;
    for (const track of stream.getTracks()) {
      const source = track.kind === 'audio' ? Track.Source.Microphone : Track.Source.Camera;
      const publication = await livekit.localParticipant.publishTrack(track, { source, stopMicTrackOnMute: false });
      const muted = source === Track.Source.Microphone ? local.microphoneMuted : local.cameraMuted;
      if (muted) await publication.mute();
    }
    this.patchLocal({
      feeds: [{ id: stream.id, purpose: 'm.usermedia', stream, isLocal: true, userId: this.userId, audioMuted: local.microphoneMuted, videoMuted: local.cameraMuted || !this.withVideo }],
    });
  }

  /** Stops sharing: the tracks stop, leave the SFU, and the feed leaves the snapshot. */
  private async stopScreenShare(): Promise<void> {
    const stream = this.screenStream;
    if (!stream) return;
    this.screenStream = undefined;
    const livekit = this.livekit;
    for (const track of stream.getTracks()) {
      track.stop();
      await livekit?.localParticipant.unpublishTrack(track).catch((error: unknown) => this.deps.log.warn('unpublishing the shared screen failed', error));
    }
    this.patchLocal({ screenSharing: false, feeds: this.store.getSnapshot().local.feeds.filter((feed) => feed.purpose !== 'm.screenshare') });
  }

  private async setLocalMuted(source: Track.Source, muted: boolean): Promise<void> {
    const publication = this.livekit?.localParticipant.getTrackPublication(source);
    if (!publication) return;
    if (muted) await publication.mute();
    else await publication.unmute();
  }

  private patchLocal(change: Partial<GroupCallSnapshot['local']>): void {
    this.store.update((snapshot) => {
      const local = { ...snapshot.local, ...change };
      const feeds = local.feeds.map((feed) => feed.purpose === 'm.usermedia' ? { ...feed, audioMuted: local.microphoneMuted, videoMuted: local.cameraMuted } : feed);
      return { ...snapshot, local: { ...local, feeds } };
    });
  }

  /**
   * Asks our transport's token service to take the current delayed leave event over (lk-jwt-service's delegation):
   * it restarts the event while our LiveKit participant is in the room and sends it once it is gone, so the
   * membership goes even when this page is frozen or closed. Only while connected: a service that does not see
   * our participant sends the leave. Our own restarts go on whatever it answers.
   */
  private delegateDelayedLeave(): void {
    const delayId = this.session.delayId;
    const own = this.own;
    if (!delayId || !own || this.ending || delayId === this.delegatedDelayId || this.store.getSnapshot().phase !== 'connected') return;
    this.delegatedDelayId = delayId;
    void handOverDelayedLeave({
      serviceUrl: own.livekitServiceUrl,
      roomId: this.roomId,
      userId: this.userId,
      deviceId: this.deviceId,
      form: this.form,
      memberId: this.memberId,
      delayId,
      delayTimeoutMs: DELAYED_LEAVE_MS,
      csApiUrl: this.deps.client.baseUrl,
      getOpenIdToken: () => this.deps.client.getOpenIdToken() as Promise<OpenIdToken>,
      logger: this.deps.log,
    }).then((result) => {
      // A request that failed is tried again at the next chance (a new delay id, or back from reconnecting).
      if (!result.accepted && result.reason === 'failed' && this.delegatedDelayId === delayId) this.delegatedDelayId = undefined;
    });
  }

  /** The phase after `event`; a call that ended shows nobody. */
  private transition(event: GroupCallPhaseEvent): void {
    this.store.update((snapshot) => {
      const phase = nextGroupCallPhase(snapshot.phase, event);
      if (phase === snapshot.phase) return snapshot;
      const ended = phase === 'left' || phase === 'failed';
      return { ...snapshot, phase, ...(ended ? { participants: [], activeSpeakers: [], screenShares: [] } : {}) };
    });
  }

  /**
   * Recomputes who is in the call from the memberships and the SFUs, subscribes to members only (each on the SFU
   * their membership names), and keeps a connection to each other SFU a member uses.
   */
  private refresh(): void {
    if (this.ending) return;
    const records = this.membershipRecords();
    const present = new Set<string>();
    for (const record of records) {
      if ('livekitServiceUrl' in record.transport && this.roomOf(record.transport.livekitServiceUrl)?.remoteParticipants.has(record.rtcBackendIdentity)) {
        present.add(record.rtcBackendIdentity);
      }
    }
    const roster = rosterOf(records, present, this.identity, this.now());
    for (const { identity, reason } of roster.dropped) {
      if (this.droppedLogged.has(`${identity} ${reason}`)) continue;
      this.droppedLogged.add(`${identity} ${reason}`);
      this.deps.log.info(`call membership of ${identity} ignored: ${reason}`);
    }
    this.roster = roster.members;
    const own = this.own?.livekitServiceUrl;
    if (own !== undefined) {
      this.remoteSfus.want(new Set(roster.members.map((member) => member.livekitServiceUrl).filter((serviceUrl) => serviceUrl !== own)));
    }
    const members = new Set(roster.members.map((member) => member.identity));
    for (const room of this.livekitRooms()) {
      // Only members whose membership names this SFU are subscribed to here.
      const membersHere = new Set(roster.members.filter((member) => this.roomOf(member.livekitServiceUrl) === room).map((member) => member.identity));
      for (const participant of room.remoteParticipants.values()) {
        const isMember = membersHere.has(participant.identity);
        for (const publication of participant.trackPublications.values()) {
          if (publication.isDesired !== isMember) publication.setSubscribed(isMember);
        }
      }
    }
    this.remoteFeeds.keepOnly(members);
    const speakers = this.livekitRooms().flatMap((room) => room.activeSpeakers.map((speaker) => speaker.identity)).filter((identity) => identity === this.identity || members.has(identity));
    const participants = roster.members.map((member) => this.participantOf(member, this.participantIn(member), speakers));
    this.store.update((snapshot) => withReactions({
      ...snapshot,
      participants,
      activeSpeakers: speakers,
      screenShares: participants.filter((participant) => participant.screenSharing).map((participant) => participant.identity),
      local: { ...snapshot.local, speaking: speakers.includes(this.identity) },
    }, this.reactions.current));
    this.reactions.setMembers(this.reactingMembers(members));
  }

  /** The connection where members publishing through `serviceUrl` are: ours, or one to their SFU. */
  /** Our SFU's LiveKit room and those of the other SFUs members publish on. */
  private livekitRooms(): LivekitRoom[] {
    return [this.livekit, ...this.remoteSfus.rooms().map(([, room]) => room)].filter((room): room is LivekitRoom => room !== undefined);
  }

  private roomOf(serviceUrl: string): LivekitRoom | undefined {
    if (serviceUrl === this.own?.livekitServiceUrl) return this.livekit;
    const room = this.remoteSfus.roomOf(serviceUrl);
    return room === 'own' ? this.livekit : room;
  }

  private participantIn(member: RosterMember): RemoteParticipant | undefined {
    return this.roomOf(member.livekitServiceUrl)?.remoteParticipants.get(member.identity);
  }

  /** The memberships reactions may refer to: the roster's and ours. */
  private reactingMembers(members: ReadonlySet<string>): ReactingMember[] {
    const reacting: ReactingMember[] = [];
    for (const membership of this.session.memberships) {
      const identity = membership.rtcBackendIdentity;
      if (!membership.eventId || (identity !== this.identity && !members.has(identity))) continue;
      reacting.push({ identity, userId: membership.sender ?? membership.userId, membershipEventId: membership.eventId });
    }
    return reacting;
  }

  private membershipRecords(): MembershipRecord[] {
    const oldest = this.session.getOldestMembership();
    const stateKeys = new Map<string, string>();
    for (const event of this.deps.room.currentState.getStateEvents(CALL_MEMBER_EVENT)) {
      const id = event.getId();
      const stateKey = event.getStateKey();
      if (id && stateKey !== undefined) stateKeys.set(id, stateKey);
    }
    return this.session.memberships.map((membership) => recordOf(membership, oldest, stateKeys.get(membership.eventId)));
  }

  private participantOf(member: RosterMember, participant: RemoteParticipant | undefined, speakers: readonly string[]): GroupParticipant {
    const roomMember = this.deps.room.getMember(member.userId);
    const microphone = participant?.getTrackPublication(Track.Source.Microphone);
    const camera = participant?.getTrackPublication(Track.Source.Camera);
    const screen = participant?.getTrackPublication(Track.Source.ScreenShare);
    return {
      identity: member.identity,
      userId: member.userId,
      deviceId: member.deviceId,
      memberId: member.memberId,
      name: roomMember?.name ?? member.userId,
      avatarUrl: roomMember?.getMxcAvatarUrl() ?? undefined,
      status: participant ? 'connected' : 'connecting',
      feeds: participant ? this.remoteFeeds.feedsOf(member, participant) : [],
      microphoneMuted: !microphone || microphone.isMuted,
      cameraMuted: !camera || camera.isMuted,
      screenSharing: Boolean(screen && !screen.isMuted),
      speaking: speakers.includes(member.identity),
      connectionQuality: participant ? qualityOf(participant) : 'unknown',
      encrypted: participant?.isEncrypted ?? false,
      handRaisedAt: undefined,
    };
  }

  private async fail(error: MxError): Promise<void> {
    if (this.ending) return this.ending;
    this.deps.log.warn(`group call in ${this.roomId} ended: ${error.message}`);
    this.ending = this.teardown();
    await this.ending;
    this.store.update((snapshot) => ({ ...snapshot, error }));
    this.transition('failed');
  }

  /** Leaves everything the join started: the membership (always, so no ghost is left), the SFU, the camera. */
  private async teardown(): Promise<void> {
    for (const stop of this.stopListening.splice(0)) stop();
    this.stallWatch.stop();
    this.reactions.dispose();
    for (const track of [...(this.localStream?.getTracks() ?? []), ...(this.screenStream?.getTracks() ?? [])]) track.stop();
    this.screenStream = undefined;
    const leaving = this.session.isJoined()
      ? this.session.leaveRoomSession(LEAVE_TIMEOUT_MS).then((left) => {
          if (!left) this.deps.log.warn(`leaving the call in ${this.roomId} timed out; the delayed leave event will end our membership`);
        })
      : Promise.resolve();
    await Promise.allSettled([this.livekit?.disconnect(), this.remoteSfus.dispose(), leaving]);
    this.e2eeWorker?.terminate();
    await this.session.stop().catch((error: unknown) => this.deps.log.warn('stopping the call session failed', error));
    this.remoteFeeds.clear();
    this.roster = [];
  }
}

function mediaEncryptionOf(roomEncrypted: boolean, password: unknown, log: Logger): MediaEncryption | undefined {
  if (password !== undefined && (typeof password !== 'string' || password === '' || password.length > MAX_PASSWORD_LENGTH)) {
    throw new MxError('INVALID_ARGUMENT', `A group call's password must be a string of 1 to ${MAX_PASSWORD_LENGTH} characters.`);
  }
  if (roomEncrypted) {
    if (password !== undefined) log.info('the room is encrypted: its call uses per-participant media keys, not the password');
    return { kind: 'per-participant', keyProvider: new MatrixRtcKeyProvider() };
  }
  return password === undefined ? undefined : { kind: 'shared-secret', keyProvider: new ExternalE2EEKeyProvider(), password };
}

function withReactions(snapshot: GroupCallSnapshot, state: ReactionsState): GroupCallSnapshot {
  const raisedAt = (identity: string) => state.hands.get(identity)?.raisedAt;
  return {
    ...snapshot,
    local: { ...snapshot.local, handRaisedAt: raisedAt(snapshot.local.identity) },
    participants: snapshot.participants.map((participant) => ({ ...participant, handRaisedAt: raisedAt(participant.identity) })),
    reactions: state.reactions,
  };
}

function recordOf(membership: CallMembership, oldest: CallMembership | undefined, stateKey: string | undefined): MembershipRecord {
  let transport: unknown;
  try {
    transport = oldest ? membership.getTransport(oldest) : membership.transports[0];
  } catch {
    transport = undefined;
  }
  return {
    sender: membership.sender,
    userId: membership.userId,
    deviceId: membership.deviceId,
    memberId: membership.memberId,
    rtcBackendIdentity: membership.rtcBackendIdentity,
    expiresAt: membership.getAbsoluteExpiry(),
    transport: transport === undefined ? { refused: 'it names none (a focus_active the kit does not understand, or no foci_preferred)' } : parseTransport(transport),
    transportCount: membership.transports.length,
    stateKey,
  };
}

function qualityOf(participant: Participant): ConnectionQuality {
  switch (participant.connectionQuality) {
    case LivekitQuality.Excellent: return 'excellent';
    case LivekitQuality.Good: return 'good';
    case LivekitQuality.Poor: return 'poor';
    case LivekitQuality.Lost: return 'lost';
    default: return 'unknown';
  }
}

function membershipError(error: unknown, userId: string): MxError {
  const status = typeof error === 'object' && error !== null && 'httpStatus' in error ? (error as { httpStatus?: unknown }).httpStatus : undefined;
  if (status === 403) {
    return new MxError('RTC_MEMBERSHIP_FORBIDDEN',
      `The homeserver refused ${userId}'s call membership in this room (403): its power levels do not let members join calls. ` +
      `A room admin can set \`${CALL_MEMBER_EVENT}\` to level 0 in the room's power levels.`, { cause: error });
  }
  return MxError.from(error, 'HOMESERVER_REFUSED');
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
