// One 1:1 call: runs the pure machine, sends what it says to send, runs its timers, hands WebRTC effects to
// the peer-connection driver, and publishes a CallSnapshot for the UI.
import { MxError } from '../errors.js';
import type { Logger } from '../log.js';
import type { VoipPort } from './port.js';
import { createStore } from '../store/store.js';
import {
  initialCallState,
  transition,
  type CallEffect,
  type CallMachineEvent,
  type CallMachineState,
  type NewCallOptions,
  type TimerName,
} from './call-machine.js';
import { PeerConnectionDriver, type DriverFeeds } from './peer-connection-driver.js';
import { CallSendQueue, newTransactionId, systemClock, type Clock } from './send-queue.js';
import type { CallEndReason, CallHandle, CallKind, CallPeer, CallSnapshot, PeerAvatarOptions, ReopenableDevice } from './types.js';

export interface CallDependencies {
  port: VoipPort;
  log: Logger;
  iceServers: () => Promise<RTCIceServer[]>;
  relayOnly?: boolean;
  /** Where the call's RTCPeerConnection comes from (the manager keeps one ready). */
  createPeerConnection?: (configuration: RTCConfiguration) => RTCPeerConnection;
  getUserMedia: (constraints: { audio: boolean; video: boolean }) => Promise<MediaStream>;
  getDisplayMedia: () => Promise<MediaStream>;
  mediaPermitted: (kind: CallKind) => Promise<boolean>;
  /** Who the call is with; `updatePeer` completes it later. */
  peer: CallPeer;
  /** Called once, when the call reaches `ended`. */
  onEnded?: (call: Call) => void;
  /** Time for the retries of call events the homeserver could not take; the system clock by default. */
  clock?: Clock;
}

/** What the person asks for in a call (as opposed to what the peer, the network or a timer does). */
const INTENTS: ReadonlySet<CallMachineEvent['type']> = new Set([
  'answer', 'reject', 'hangup', 'set_mic_muted', 'set_camera_muted', 'set_on_hold', 'set_screensharing', 'upgrade_to_video', 'reopen_device',
]);

export class Call implements CallHandle {
  private machine: CallMachineState;
  private readonly driver: PeerConnectionDriver;
  private readonly timers = new Map<TimerName, ReturnType<typeof setTimeout>>();
  private readonly store;
  private endedAt: number | undefined;
  private error: MxError | undefined;
  /** The error is a camera or screen that could not be had mid-call; the person's next action clears it. */
  private errorIsRecoverable = false;
  private readonly log: Logger;
  private peer: CallPeer;
  /** The peer's avatar thumbnail, asked for once per avatar and size. */
  private peerAvatar: { readonly key: string; readonly blob: Promise<Blob | undefined> } | undefined;
  private readonly outbox: CallSendQueue;
  /** Our invite on its way; settles when it arrived or was given up (at once for a call without one). */
  private inviteDelivered: Promise<void> = Promise.resolve();
  /** The hangup or reject on its way: `hangup()` and `reject()` resolve when it arrived or was given up. */
  private finalEventDelivered: Promise<void> = Promise.resolve();
  /** Actions under way, by name and argument: the same action asked again gets the same promise. */
  private readonly actionsUnderWay = new Map<string, Promise<void>>();
  /** While an action is dispatched: where the driver's work for its effects is collected. */
  private driverWork: Promise<void>[] | undefined;

  constructor(options: NewCallOptions, private readonly deps: CallDependencies) {
    this.machine = initialCallState(options);
    this.peer = deps.peer;
    this.log = {
      debug: (m, ...d) => deps.log.debug(`call ${options.callId}: ${m}`, ...d),
      info: (m, ...d) => deps.log.info(`call ${options.callId}: ${m}`, ...d),
      warn: (m, ...d) => deps.log.warn(`call ${options.callId}: ${m}`, ...d),
      error: (m, ...d) => deps.log.error(`call ${options.callId}: ${m}`, ...d),
    };
    this.driver = new PeerConnectionDriver({
      ourUserId: options.ourUserId,
      peerUserId: options.peerUserId,
      iceServers: deps.iceServers,
      relayOnly: deps.relayOnly,
      createPeerConnection: deps.createPeerConnection,
      getUserMedia: deps.getUserMedia,
      getDisplayMedia: deps.getDisplayMedia,
      mediaPermitted: deps.mediaPermitted,
      report: (event) => this.dispatch(event),
      mediaFailed: (error) => {
        if (this.error && !this.errorIsRecoverable) return;
        this.error = MxError.from(error, 'MEDIA_DEVICE_NOT_FOUND');
        this.errorIsRecoverable = true;
        this.publish(this.driver.feeds.getSnapshot());
      },
      log: this.log,
    });
    const roomId = options.roomId;
    this.outbox = new CallSendQueue({
      send: (eventType, content, txnId) => deps.port.sendEvent(roomId, eventType, content, txnId),
      abandon: (txnId) => deps.port.abandonSend(roomId, txnId),
      newTxnId: newTransactionId,
      clock: deps.clock ?? systemClock,
      log: this.log,
      onUndelivered: (eventType, error, how) => this.undelivered(eventType, error, how),
    });
    this.store = createStore<CallSnapshot>(this.snapshot(this.driver.feeds.getSnapshot()));
    this.driver.feeds.subscribe((feeds) => this.publish(feeds));
  }

  /** Settles once this call's invite has reached the homeserver or was given up (at once without one). */
  inviteSettled(): Promise<void> {
    return this.inviteDelivered;
  }

  /** Sends none of this call's events until `gate` settles (another call's event must reach the peer first). */
  holdSendsUntil(gate: Promise<unknown>): void {
    this.outbox.holdUntil(gate);
  }

  /** Fills in the peer's name and avatar once known (room members load lazily). */
  updatePeer(peer: Partial<CallPeer>): void {
    this.peer = { ...this.peer, ...peer };
    this.publish(this.driver.feeds.getSnapshot());
  }

  get callId(): string {
    return this.machine.callId;
  }

  get roomId(): string {
    return this.machine.roomId;
  }

  get state(): CallMachineState {
    return this.machine;
  }

  /** For diagnostics and tests: the underlying RTCPeerConnection once it exists. */
  get peerConnection(): RTCPeerConnection | undefined {
    return this.driver.peerConnection;
  }

  getSnapshot(): CallSnapshot {
    return this.store.getSnapshot();
  }

  subscribe(listener: (snapshot: CallSnapshot) => void): () => void {
    return this.store.subscribe(listener);
  }

  /** Feeds one event through the machine and carries out its effects. Never throws. */
  dispatch(event: CallMachineEvent): void {
    if (this.errorIsRecoverable && INTENTS.has(event.type)) {
      this.error = undefined;
      this.errorIsRecoverable = false;
    }
    const before = this.machine;
    const { state, effects } = transition(before, event);
    this.machine = state;
    for (const effect of effects) this.perform(effect);
    if (state.phase === 'ended' && before.phase !== 'ended') {
      this.outbox.callEnded(state.endedBy ?? 'local');
      this.endedAt = Date.now();
      this.log.info(`ended: ${state.endReason ?? 'unknown'} (${state.endedBy ?? 'unknown'})`);
    }
    if (state !== before) this.publish(this.driver.feeds.getSnapshot());
    if (state.phase === 'ended' && before.phase !== 'ended') this.deps.onEnded?.(this);
  }

  private perform(effect: CallEffect): void {
    switch (effect.type) {
      case 'send': {
        // One at a time, in order: the homeserver stores a room's events one by one, so candidates sent
        // alongside an invite could reach the peer before it, and would delay it.
        const delivered = this.outbox.enqueue(effect.eventType, effect.content as Record<string, unknown>);
        if (effect.eventType === 'm.call.hangup' || effect.eventType === 'm.call.reject') {
          this.finalEventDelivered = delivered.then(() => undefined);
        }
        if (effect.eventType === 'm.call.invite') this.inviteDelivered = delivered.then(() => undefined);
        return;
      }
      case 'start_timer': {
        this.clearTimer(effect.name);
        const name = effect.name;
        this.timers.set(name, setTimeout(() => {
          this.timers.delete(name);
          this.dispatch({ type: 'timer', name });
        }, effect.ms));
        return;
      }
      case 'cancel_timer':
        this.clearTimer(effect.name);
        return;
      case 'ignored':
        this.log.info(`ignored: ${effect.reason}`);
        return;
      case 'close':
        for (const name of [...this.timers.keys()]) this.clearTimer(name);
        void this.driver.run(effect);
        return;
      default: {
        const work = this.driver.run(effect);
        this.driverWork?.push(work);
      }
    }
  }

  private clearTimer(name: TimerName): void {
    const timer = this.timers.get(name);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.delete(name);
  }

  /** A call event that will not reach the peer (the queue has logged why). */
  private undelivered(eventType: string, error: MxError, how: 'refused' | 'gave_up'): void {
    if (this.machine.phase === 'ended') {
      // The call ended while its invite or answer could not get out: that, not the timeout, is what went wrong.
      if (!this.error && (eventType === 'm.call.invite' || eventType === 'm.call.answer')) {
        this.error = error;
        this.publish(this.driver.feeds.getSnapshot());
      }
      return;
    }
    // A refused event leaves the peer with a call that does not match ours (and the next would be refused
    // too); a live call's event given up on (an invite whose lifetime ran out) leaves it without its start.
    this.error = error;
    this.errorIsRecoverable = false;
    this.dispatch({ type: 'driver_failed', message: `${eventType} ${how === 'refused' ? 'was refused' : 'could not be sent'}` });
  }

  private snapshot(feeds: DriverFeeds): CallSnapshot {
    const m = this.machine;
    return {
      callId: m.callId,
      roomId: m.roomId,
      direction: m.direction,
      kind: m.kind,
      phase: m.phase,
      peer: this.peer,
      localFeeds: feeds.local,
      remoteFeeds: feeds.remote,
      micMuted: m.micMuted,
      cameraMuted: m.cameraMuted,
      screensharing: m.screensharing,
      localOnHold: m.localOnHold,
      remoteOnHold: m.remoteOnHold,
      connectedAt: m.connectedAt,
      endedAt: this.endedAt,
      endReason: m.endReason,
      endedBy: m.endedBy,
      error: this.error,
    };
  }

  private publish(feeds: DriverFeeds): void {
    this.store.set(this.snapshot(feeds));
  }

  // CallHandle intents. Most resolve once the intent is handed to the machine; progress shows in snapshots.
  // Those that open a camera or a screen picker resolve when the driver is done with it, and hangup and reject
  // when their event reached the homeserver or was given up. Asked again meanwhile, they return the same
  // promise: a second click opens no second picker or camera and sends nothing twice.

  async answer(kind: CallKind = this.machine.kind): Promise<void> {
    this.requirePhase('answer', ['ringing']);
    this.dispatch({ type: 'answer', kind });
  }

  reject(): Promise<void> {
    return this.once('reject', async () => {
      this.requirePhase('reject', ['ringing']);
      this.dispatch({ type: 'reject' });
      await this.finalEventDelivered;
    });
  }

  hangup(reason?: CallEndReason): Promise<void> {
    return this.once('hangup', async () => {
      this.dispatch(reason ? { type: 'hangup', reason } : { type: 'hangup' });
      await this.finalEventDelivered;
    });
  }

  async setMicMuted(muted: boolean): Promise<void> {
    this.dispatch({ type: 'set_mic_muted', muted });
  }

  setCameraMuted(muted: boolean): Promise<void> {
    return this.once(`camera muted: ${muted}`, () => this.dispatchAndWait({ type: 'set_camera_muted', muted }));
  }

  async setOnHold(onHold: boolean): Promise<void> {
    this.requirePhase('hold', ['connecting', 'connected']);
    this.dispatch({ type: 'set_on_hold', onHold });
  }

  setScreensharing(enabled: boolean): Promise<void> {
    return this.once(`screen sharing: ${enabled}`, async () => {
      this.requirePhase('screen sharing', ['connecting', 'connected']);
      await this.dispatchAndWait({ type: 'set_screensharing', enabled });
    });
  }

  upgradeToVideo(): Promise<void> {
    return this.once('adding video', async () => {
      this.requirePhase('adding video', ['connecting', 'connected']);
      await this.dispatchAndWait({ type: 'upgrade_to_video' });
    });
  }

  async reopenDevice(device: ReopenableDevice): Promise<void> {
    if (device !== 'camera' && device !== 'microphone') {
      throw new MxError('INVALID_CONFIGURATION', `A call can reopen its camera or microphone, not ${JSON.stringify(device)}.`);
    }
    this.dispatch({ type: 'reopen_device', device });
  }

  async loadPeerAvatar({ size, signal }: PeerAvatarOptions): Promise<Blob | undefined> {
    const { avatarUrl, userId } = this.peer;
    if (avatarUrl === undefined || this.machine.phase === 'ended') {
      this.peerAvatar = undefined;
      return undefined;
    }
    const key = `${size} ${avatarUrl}`;
    if (this.peerAvatar?.key !== key) {
      // One request for every element showing it at once (the ringing dialog and the tile behind it), and none
      // again after a failure. It is not aborted with one element's signal: another may still want it, and the
      // fetch is bounded in time and size.
      const blob = this.deps.port.mediaThumbnail(avatarUrl, { width: size, height: size }).catch((error: unknown) => {
        this.log.info(`the avatar of ${userId} is not shown: ${MxError.from(error).message}`);
        return undefined;
      });
      this.peerAvatar = { key, blob };
    }
    const { blob } = this.peerAvatar;
    if (!signal) return blob;
    if (signal.aborted) return undefined;
    return Promise.race([blob, new Promise<undefined>((resolve) => signal.addEventListener('abort', () => resolve(undefined), { once: true }))]);
  }

  /** Runs `action` unless it is under way already, in which case the caller gets the running one's promise. */
  private once(action: string, run: () => Promise<void>): Promise<void> {
    const underWay = this.actionsUnderWay.get(action);
    if (underWay) return underWay;
    const done = run().finally(() => this.actionsUnderWay.delete(action));
    this.actionsUnderWay.set(action, done);
    return done;
  }

  /** Dispatches an intent; resolves when the driver has carried out the effects it set off. */
  private async dispatchAndWait(event: CallMachineEvent): Promise<void> {
    const work: Promise<void>[] = [];
    const outer = this.driverWork;
    this.driverWork = work;
    try {
      this.dispatch(event);
    } finally {
      this.driverWork = outer;
    }
    await Promise.all(work);
  }

  private requirePhase(action: string, phases: readonly string[]): void {
    if (!phases.includes(this.machine.phase)) {
      throw new MxError('INVALID_STATE', `Cannot do ${action} while the call is ${this.machine.phase}.`);
    }
  }
}
