// Carries out the call machine's WebRTC and media effects on one RTCPeerConnection, and reports what
// happened back as machine events. Perfect negotiation ("Politeness" in the spec) lives here: the machine
// says who is polite, the driver handles colliding offers.
import { MxError } from '../errors.js';
import type { Logger } from '../log.js';
import { createStore, type ReadableStore } from '../store/store.js';
import type { CallEffect, CallMachineEvent } from './call-machine.js';
import type { IceCandidate, SdpStreamMetadata, SessionDescription, WireIceCandidate } from './content.js';
import type { CallKind, ReopenableDevice } from './types.js';
import type { CallFeed } from '../media/feed.js';

/** How long to let ICE gather after setLocalDescription, so early candidates travel inside the SDP. */
const EARLY_CANDIDATE_WAIT_MS = 200;
/**
 * A muted camera keeps sending (black) frames this long before it is stopped, as matrix-js-sdk does, so the
 * peer has the mute flag before the video stops; then the camera light goes off.
 */
const CAMERA_RELEASE_DELAY_MS = 120;
/**
 * A camera or microphone that stops on its own (unplugged, or taken by the system) is opened again, on the
 * chosen device or the default; one that stops again this soon after is left stopped, with an error.
 */
const DEVICE_RECOVERY_MIN_INTERVAL_MS = 5_000;

export interface DriverFeeds {
  readonly local: readonly CallFeed[];
  readonly remote: readonly CallFeed[];
}

export interface PeerConnectionDriverOptions {
  ourUserId: string;
  peerUserId: string;
  /** Resolves with ICE servers for a new connection (TURN credentials from the homeserver). */
  iceServers: () => Promise<RTCIceServer[]>;
  /** Forces every packet through TURN (iceTransportPolicy 'relay'). */
  relayOnly?: boolean;
  getUserMedia: (constraints: { audio: boolean; video: boolean }) => Promise<MediaStream>;
  getDisplayMedia: () => Promise<MediaStream>;
  /** Whether the camera and microphone may be used without asking (so opening them will not wait for a person). */
  mediaPermitted: (kind: CallKind) => Promise<boolean>;
  report: (event: CallMachineEvent) => void;
  /** A camera or screen the person asked for mid-call could not be had; the call goes on without it. */
  mediaFailed: (error: unknown) => void;
  log: Logger;
  createPeerConnection?: (configuration: RTCConfiguration) => RTCPeerConnection;
}

export class PeerConnectionDriver {
  private pc: RTCPeerConnection | undefined;
  private creatingPc: Promise<RTCPeerConnection> | undefined;
  private userMedia: MediaStream | undefined;
  /** The sender that carries our camera, even while the muted camera is released (its track null). */
  private cameraSender: RTCRtpSender | undefined;
  private micSender: RTCRtpSender | undefined;
  private readonly lastRecovery = new Map<ReopenableDevice, number>();
  private cameraReleaseTimer: ReturnType<typeof setTimeout> | undefined;
  private screenStream: MediaStream | undefined;
  private screenSender: RTCRtpSender | undefined;
  private singleStreamScreenshare = false;
  private micMuted = false;
  private cameraMuted = false;
  private holding = false;
  private makingOffer = false;
  private initialNegotiationDone = false;
  private remoteOnHold = false;
  private remoteMetadata: SdpStreamMetadata | undefined;
  private readonly remoteStreams = new Map<string, MediaStream>();
  private pendingRemoteCandidates: IceCandidate[] = [];
  private closed = false;
  private readonly feedStore = createStore<DriverFeeds>({ local: [], remote: [] });
  /** Effects run one at a time, in order, as the machine emitted them. */
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly options: PeerConnectionDriverOptions) {}

  get feeds(): ReadableStore<DriverFeeds> {
    return this.feedStore;
  }

  /** Exposed for diagnostics and tests (getStats). */
  get peerConnection(): RTCPeerConnection | undefined {
    return this.pc;
  }

  /** Queues an effect; resolves once it is carried out (a failure is reported, never thrown). */
  run(effect: CallEffect): Promise<void> {
    return this.enqueue(effect.type, () => this.perform(effect));
  }

  /**
   * Runs `task` after everything queued before it. A failure is reported to the machine (which ends the call)
   * unless `failure` is 'only logged': a renegotiation that fails leaves the call as it was.
   */
  private enqueue(what: string, task: () => Promise<void>, failure: 'reported' | 'only logged' = 'reported'): Promise<void> {
    this.queue = this.queue.then(task).catch((error: unknown) => {
      if (this.closed) return;
      const message = error instanceof Error ? error.message : String(error);
      this.options.log.warn(`${what} failed: ${message}`);
      if (failure === 'reported') this.options.report({ type: 'driver_failed', message: `${what}: ${message}` });
    });
    return this.queue;
  }

  private async perform(effect: CallEffect): Promise<void> {
    if (this.closed) return;
    switch (effect.type) {
      case 'acquire_media':
        return this.acquireMedia(effect.kind);
      case 'create_offer':
        return this.createInitialOffer();
      case 'create_answer':
        return this.createInitialAnswer();
      case 'apply_remote_description':
        return this.applyRemoteDescription(effect.description, effect.metadata, effect.polite);
      case 'add_remote_candidates':
        return this.addRemoteCandidates(effect.candidates);
      case 'update_remote_metadata':
        this.remoteMetadata = effect.metadata;
        this.publishFeeds();
        return;
      case 'restart_ice':
        this.pc?.restartIce();
        return;
      case 'set_mic_muted':
        this.micMuted = effect.muted;
        this.applyTrackEnablement();
        this.reportMetadata();
        return;
      case 'set_camera_muted':
        this.cameraMuted = effect.muted;
        // Unmuting reopens a released camera first, so the flag reaches the peer with the video.
        if (!effect.muted) await this.restoreCamera();
        this.applyTrackEnablement();
        this.reportMetadata();
        if (effect.muted) this.scheduleCameraRelease();
        return;
      case 'set_on_hold':
        return this.setHolding(effect.onHold);
      case 'set_screensharing':
        return effect.enabled ? this.startScreenshare(effect.singleStream) : this.stopScreenshare();
      case 'upgrade_to_video':
        return this.upgradeToVideo();
      case 'reopen_device':
        return this.reopenDevice(effect.device);
      case 'close':
        this.close();
        return;
      case 'send':
      case 'start_timer':
      case 'cancel_timer':
      case 'ignored':
        return;
    }
  }

  /**
   * Opens the camera and microphone while the peer connection and its local description are prepared: the
   * description does not depend on the tracks, and both steps take tens of milliseconds (a real camera,
   * hundreds). The tracks go into the prepared senders when they arrive. When the browser already grants
   * the devices, the machine hears `media_granted` as soon as the description is ready, so the invite or
   * answer goes out while the camera is still opening; otherwise (a permission prompt) it waits for them.
   */
  private async acquireMedia(kind: CallKind): Promise<void> {
    const stream = new MediaStream();
    const capturing = this.options.getUserMedia({ audio: true, video: kind === 'video' })
      .then((media) => ({ media }), (error: unknown) => ({ error }));
    // An app's own check that throws or rejects counts as "the browser will ask".
    const permitted = Promise.resolve().then(() => this.options.mediaPermitted(kind)).catch(() => false);
    let senders: Map<string, RTCRtpTransceiver>;
    try {
      senders = await this.prepareLocalDescription(kind, stream);
    } catch (error) {
      void capturing.then((result) => { if ('media' in result) stopStream(result.media); });
      throw error;
    }
    this.userMedia = stream;
    this.cameraSender = senders.get('video')?.sender;
    this.micSender = senders.get('audio')?.sender;
    this.publishFeeds();
    const grantedBeforeCaptured = await Promise.race([capturing.then(() => false), permitted]);
    if (grantedBeforeCaptured && !this.closed) {
      this.options.report({ type: 'media_granted' });
      // The offer or answer is made next in the effect queue; the tracks join it when they come.
      void capturing.then((captured) => this.enqueue('adding the camera and microphone', () => this.useCaptured(captured, stream, senders)));
      return;
    }
    await this.useCaptured(await capturing, stream, senders);
  }

  private async useCaptured(
    captured: { media: MediaStream } | { error: unknown },
    stream: MediaStream,
    senders: Map<string, RTCRtpTransceiver>,
  ): Promise<void> {
    if ('error' in captured) {
      const message = captured.error instanceof Error ? captured.error.message : String(captured.error);
      this.options.log.warn(`camera/microphone unavailable: ${message}`);
      this.options.report({ type: 'media_failed', message });
      return;
    }
    if (this.closed) {
      stopStream(captured.media);
      return;
    }
    await Promise.all(captured.media.getTracks().map((track) => {
      this.addDeviceTrack(stream, track);
      return senders.get(track.kind)?.sender.replaceTrack(track);
    }));
    // A getUserMedia of the app's own may bring no camera: the peer then hears the video is muted.
    if (this.cameraSender && stream.getVideoTracks().length === 0) {
      this.cameraSender = undefined;
      this.reportMetadata();
    }
    this.applyTrackEnablement();
    if (this.cameraMuted) this.scheduleCameraRelease();
    this.options.report({ type: 'media_ready' });
  }

  /**
   * Sets up a sending transceiver per kind of media, bound to `stream` (the id our stream metadata names),
   * and sets the local offer, or the answer when the peer's offer is applied already. Returns the
   * transceivers by kind, for the tracks to come.
   */
  private async prepareLocalDescription(kind: CallKind, stream: MediaStream): Promise<Map<string, RTCRtpTransceiver>> {
    const pc = await this.peerConnectionNow();
    const answering = pc.signalingState === 'have-remote-offer';
    const sending = new Map<string, RTCRtpTransceiver>();
    // Video first: applying a description sets up its m-lines in order, and the caller's video send stream,
    // made when the answer is applied, is what the first frame the callee sees waits for.
    for (const media of kind === 'video' ? ['video', 'audio'] : ['audio']) {
      // Answer the peer's m-line of this kind when there is one (as addTrack would), so no new m-line appears.
      const offered = pc.getTransceivers().find((t) => t.receiver.track.kind === media && t.direction === 'recvonly' && !t.sender.track && ![...sending.values()].includes(t));
      if (offered) {
        offered.direction = 'sendrecv';
        offered.sender.setStreams(stream);
        sending.set(media, offered);
      } else {
        sending.set(media, pc.addTransceiver(media, { direction: 'sendrecv', streams: [stream] }));
      }
    }
    // A voice call still offers to receive video, so either side can add it later without a new m-line dance.
    if (!answering && kind === 'voice') pc.addTransceiver('video', { direction: 'recvonly' });
    await pc.setLocalDescription();
    if (answering) this.initialNegotiationDone = true;
    return sending;
  }

  private peerConnectionNow(): Promise<RTCPeerConnection> {
    this.creatingPc ??= (async () => {
      const iceServers = await this.options.iceServers();
      const configuration: RTCConfiguration = {
        iceServers,
        iceTransportPolicy: this.options.relayOnly ? 'relay' : 'all',
        // No candidate pool: Chromium sometimes never gathered a single candidate on a connection made with
        // one and given its description at once (the answer to a glare call: 4 calls in 90 stuck connecting
        // under load, none in 105 without). A host candidate comes within milliseconds of the description.
      };
      const pc = this.options.createPeerConnection?.(configuration) ?? new RTCPeerConnection(configuration);
      pc.addEventListener('icecandidate', (event) => {
        if (event.candidate) this.options.report({ type: 'local_candidate', candidate: candidateInit(event.candidate) });
        else this.options.report({ type: 'local_gathering_complete' });
      });
      // A connection that never connects is most often one that gathered nothing: the log says when it did.
      pc.addEventListener('icegatheringstatechange', () => {
        const gathered = (pc.localDescription?.sdp.match(/^a=candidate:/gm) ?? []).length;
        this.options.log.debug(`ICE gathering ${pc.iceGatheringState} (${gathered} candidates in the local description)`);
      });
      // connectionState, not iceConnectionState: the call is connected only once DTLS is too.
      pc.addEventListener('connectionstatechange', () => {
        this.options.report({ type: 'connection_state', state: pc.connectionState, now: Date.now() });
      });
      pc.addEventListener('track', (event) => {
        const stream = event.streams[0];
        // The spec ignores tracks without a stream: metadata is keyed by stream id.
        if (!stream) return;
        // A track that comes back (after a hold) may arrive in a new stream object with the same id: the
        // feed follows the object the browser now fills.
        if (this.remoteStreams.get(stream.id) !== stream) {
          this.remoteStreams.set(stream.id, stream);
          stream.addEventListener('removetrack', () => this.publishFeeds());
        }
        event.track.addEventListener('unmute', () => this.publishFeeds());
        // Tracks arrive while a remote description is applied, one event each: the feeds are published
        // once it is applied, with all of them, rather than once per track.
      });
      pc.addEventListener('negotiationneeded', () => this.enqueue('renegotiation', () => this.renegotiate(), 'only logged'));
      this.pc = pc;
      return pc;
    })();
    return this.creatingPc;
  }

  /** Sends the offer acquireMedia prepared, once early candidates are in it. */
  private async createInitialOffer(): Promise<void> {
    const pc = await this.peerConnectionNow();
    await this.waitForEarlyCandidates(pc);
    this.options.report({ type: 'offer_ready', description: description(pc), metadata: this.localMetadata() });
  }

  /** Sends the answer acquireMedia prepared, once early candidates are in it. */
  private async createInitialAnswer(): Promise<void> {
    const pc = await this.peerConnectionNow();
    await this.waitForEarlyCandidates(pc);
    this.options.report({ type: 'answer_ready', description: description(pc), metadata: this.localMetadata() });
    this.updateRemoteHold(pc);
  }

  private async applyRemoteDescription(remote: SessionDescription, metadata: SdpStreamMetadata | undefined, polite: boolean): Promise<void> {
    // An existing connection is used without awaiting it, so the description (the caller's answer, above
    // all) reaches the browser before the select_answer queued beside it is sent, not a millisecond or two
    // after.
    const pc = this.pc ?? await this.peerConnectionNow();
    if (metadata) this.remoteMetadata = metadata;
    const collision = remote.type === 'offer' && (this.makingOffer || pc.signalingState !== 'stable');
    if (collision && !polite) {
      this.options.log.info('ignoring a colliding offer: we are the impolite side');
      return;
    }
    await pc.setRemoteDescription({ type: remote.type, sdp: remote.sdp });
    this.publishFeeds();
    await this.flushRemoteCandidates(pc);
    if (remote.type === 'offer' && !this.initialNegotiationDone) this.options.report({ type: 'remote_offer_applied' });
    if (remote.type === 'answer') this.initialNegotiationDone = true;
    if (remote.type === 'offer' && this.initialNegotiationDone) {
      await pc.setLocalDescription();
      this.options.report({ type: 'negotiation_answer_ready', description: description(pc), metadata: this.localMetadata() });
    }
    this.updateRemoteHold(pc);
  }

  private async renegotiate(): Promise<void> {
    const pc = this.pc;
    // The first offer/answer exchange is the invite and answer themselves.
    if (!pc || this.closed || !this.initialNegotiationDone || pc.signalingState !== 'stable') return;
    try {
      this.makingOffer = true;
      await pc.setLocalDescription();
      this.options.report({ type: 'negotiation_offer_ready', description: description(pc), metadata: this.localMetadata() });
    } finally {
      this.makingOffer = false;
    }
  }

  private async addRemoteCandidates(candidates: readonly IceCandidate[]): Promise<void> {
    const pc = await this.peerConnectionNow();
    this.pendingRemoteCandidates.push(...candidates);
    if (pc.remoteDescription) await this.flushRemoteCandidates(pc);
  }

  private async flushRemoteCandidates(pc: RTCPeerConnection): Promise<void> {
    const candidates = this.pendingRemoteCandidates;
    this.pendingRemoteCandidates = [];
    for (const candidate of candidates) {
      try {
        // An empty candidate is end-of-candidates; the browser takes it as such.
        await pc.addIceCandidate(candidate.candidate === '' ? { candidate: '' } : {
          candidate: candidate.candidate, sdpMid: candidate.sdpMid, sdpMLineIndex: candidate.sdpMLineIndex, usernameFragment: candidate.usernameFragment,
        });
      } catch (error) {
        this.options.log.debug(`candidate not added: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }

  /**
   * Waits until the SDP carries a host candidate (the peer can connect with it; the rest follow in
   * m.call.candidates), gathering completes, or the spec's ~200 ms pass, whichever comes first. Waiting for
   * gathering to complete costs over 100 ms even on loopback, for TCP candidates nobody needs first.
   */
  private async waitForEarlyCandidates(pc: RTCPeerConnection): Promise<void> {
    const ready = (): boolean => pc.iceGatheringState === 'complete' || /^a=candidate:/m.test(pc.localDescription?.sdp ?? '');
    if (ready()) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        pc.removeEventListener('icegatheringstatechange', onChange);
        pc.removeEventListener('icecandidate', onChange);
        resolve();
      };
      const onChange = (): void => { if (ready()) done(); };
      const timer = setTimeout(done, EARLY_CANDIDATE_WAIT_MS);
      pc.addEventListener('icegatheringstatechange', onChange);
      pc.addEventListener('icecandidate', onChange);
    });
  }

  private async setHolding(onHold: boolean): Promise<void> {
    const pc = await this.peerConnectionNow();
    this.holding = onHold;
    // sendonly on hold, as matrix-js-sdk does: the held side sees every transceiver recvonly or inactive.
    for (const transceiver of pc.getTransceivers()) {
      if (transceiver.currentDirection === 'stopped') continue;
      transceiver.direction = onHold ? 'sendonly' : 'sendrecv';
    }
    this.applyTrackEnablement();
    this.reportMetadata();
  }

  private async startScreenshare(singleStream: boolean): Promise<void> {
    const pc = await this.peerConnectionNow();
    let stream: MediaStream;
    try {
      stream = await this.options.getDisplayMedia();
    } catch (error) {
      this.options.log.info(`screen share not started: ${error instanceof Error ? error.message : String(error)}`);
      this.options.mediaFailed(error);
      return;
    }
    const track = stream.getVideoTracks()[0];
    if (!track) return;
    this.screenStream = stream;
    this.singleStreamScreenshare = singleStream;
    track.addEventListener('ended', () => this.run({ type: 'set_screensharing', enabled: false, singleStream }));
    if (singleStream) {
      // Peers without stream metadata see one video stream: the screen replaces the camera in it.
      if (this.cameraSender) await this.cameraSender.replaceTrack(track);
      else this.screenSender = pc.addTrack(track, this.userMedia ?? stream);
    } else {
      this.screenSender = pc.addTrack(track, stream);
    }
    this.publishFeeds();
    this.options.report({ type: 'local_media_changed', kind: this.kind(), screensharing: true });
  }

  private async stopScreenshare(): Promise<void> {
    const pc = this.pc;
    const stream = this.screenStream;
    if (!pc || !stream) return;
    this.screenStream = undefined;
    if (this.singleStreamScreenshare && this.cameraSender) {
      await this.cameraSender.replaceTrack(this.userMedia?.getVideoTracks()[0] ?? null);
    }
    if (this.screenSender) {
      pc.removeTrack(this.screenSender);
      this.screenSender = undefined;
    }
    stopStream(stream);
    this.publishFeeds();
    this.options.report({ type: 'local_media_changed', kind: this.kind(), screensharing: false });
  }

  private async upgradeToVideo(): Promise<void> {
    const pc = await this.peerConnectionNow();
    const track = await this.openTrack('camera', 'no camera for video');
    if (!track) return;
    if (this.closed) {
      track.stop();
      return;
    }
    this.userMedia ??= new MediaStream();
    this.addDeviceTrack(this.userMedia, track);
    const idle = pc.getTransceivers().find((t) => t.receiver.track.kind === 'video' && !t.sender.track && t.currentDirection !== 'stopped');
    if (idle) {
      // Reuse the video m-line the offer already has: transceivers cannot be removed, and SDP size matters.
      await idle.sender.replaceTrack(track);
      idle.sender.setStreams(this.userMedia);
      idle.direction = 'sendrecv';
      this.cameraSender = idle.sender;
    } else {
      this.cameraSender = pc.addTrack(track, this.userMedia);
    }
    this.applyTrackEnablement();
    this.publishFeeds();
    this.options.report({ type: 'local_media_changed', kind: 'video', screensharing: this.screenStream !== undefined });
  }

  /**
   * Opens the camera or microphone again (getUserMedia picks the device, so a new choice applies) and puts
   * the new track where the old one was: in our stream and in its sender, so nothing is renegotiated and the
   * stream id in our metadata stays. Mute and hold carry over. When the device cannot be opened, the old
   * track stays.
   */
  private async reopenDevice(device: ReopenableDevice): Promise<void> {
    const stream = this.userMedia;
    const video = device === 'camera';
    const old = video ? stream?.getVideoTracks()[0] : stream?.getAudioTracks()[0];
    // A camera released by a mute has no track to replace; unmuting opens the chosen one.
    if (!stream || !old) return;
    const track = await this.openTrack(device, `${device} not switched`);
    if (!track) return;
    if (this.closed || !stream.getTracks().includes(old)) {
      track.stop();
      return;
    }
    const sender = video ? this.cameraSender : this.micSender;
    // During a single-stream screen share the camera's sender carries the screen; the new camera goes in when it ends.
    if (sender && sender.track === old) await sender.replaceTrack(track);
    stream.removeTrack(old);
    this.addDeviceTrack(stream, track);
    old.stop();
    this.applyTrackEnablement();
  }

  /**
   * Opens one camera or microphone track for a change in the middle of a call. When it cannot be had the call
   * goes on without it: the reason is logged, `beforeReport` runs, the error is reported, and the result is
   * undefined.
   */
  private async openTrack(device: ReopenableDevice, failure: string, beforeReport?: () => void): Promise<MediaStreamTrack | undefined> {
    const video = device === 'camera';
    try {
      const opened = await this.options.getUserMedia({ audio: !video, video });
      return (video ? opened.getVideoTracks() : opened.getAudioTracks())[0];
    } catch (error) {
      this.options.log.warn(`${failure}: ${error instanceof Error ? error.message : String(error)}`);
      beforeReport?.();
      this.options.mediaFailed(error);
      return undefined;
    }
  }

  /**
   * Puts a camera or microphone track into our stream, and opens the device again when the track ends without
   * us stopping it (`stop()` fires no `ended`): a headset unplugged mid-call moves the call to the default
   * microphone instead of leaving it mute.
   */
  private addDeviceTrack(stream: MediaStream, track: MediaStreamTrack): void {
    stream.addTrack(track);
    const device: ReopenableDevice = track.kind === 'video' ? 'camera' : 'microphone';
    track.addEventListener('ended', () => {
      if (this.closed || !this.userMedia?.getTracks().includes(track)) return;
      const now = Date.now();
      const last = this.lastRecovery.get(device);
      if (last !== undefined && now - last < DEVICE_RECOVERY_MIN_INTERVAL_MS) {
        this.options.log.warn(`the ${device} stopped again: leaving it stopped`);
        this.options.mediaFailed(new MxError('MEDIA_DEVICE_NOT_FOUND', `The ${device} keeps stopping; choose another one.`));
        return;
      }
      this.lastRecovery.set(device, now);
      this.options.log.info(`the ${device} stopped (unplugged?): opening it again`);
      this.enqueue(`reopening the ${device}`, () => this.reopenDevice(device));
    }, { once: true });
  }

  private scheduleCameraRelease(): void {
    clearTimeout(this.cameraReleaseTimer);
    this.cameraReleaseTimer = setTimeout(() => this.enqueue('releasing the camera', () => this.releaseCamera()), CAMERA_RELEASE_DELAY_MS);
  }

  private async releaseCamera(): Promise<void> {
    const camera = this.userMedia?.getVideoTracks()[0];
    if (this.closed || !this.cameraMuted || !camera) return;
    if (this.cameraSender?.track === camera) await this.cameraSender.replaceTrack(null);
    camera.stop();
    this.userMedia?.removeTrack(camera);
    this.publishFeeds();
  }

  /** Opens the camera again after a mute released it; when it cannot, the camera stays muted. */
  private async restoreCamera(): Promise<void> {
    clearTimeout(this.cameraReleaseTimer);
    if (!this.cameraSender || !this.userMedia || this.userMedia.getVideoTracks().length > 0) return;
    // The camera goes back to muted before the error is reported, so the person sees why it stayed off.
    const track = await this.openTrack('camera', 'camera not restored', () => this.options.report({ type: 'set_camera_muted', muted: true }));
    if (!track) return;
    if (this.closed || this.cameraMuted) {
      track.stop();
      return;
    }
    this.addDeviceTrack(this.userMedia, track);
    // While a single-stream screen share holds the camera's sender, the camera goes back in when it ends.
    if (!(this.screenStream && this.singleStreamScreenshare)) await this.cameraSender.replaceTrack(track);
  }

  private applyTrackEnablement(): void {
    for (const track of this.userMedia?.getAudioTracks() ?? []) track.enabled = !this.micMuted && !this.holding;
    for (const track of this.userMedia?.getVideoTracks() ?? []) track.enabled = !this.cameraMuted && !this.holding;
    this.publishFeeds();
  }

  private kind(): CallKind {
    return this.cameraSender ? 'video' : 'voice';
  }

  private localMetadata(): SdpStreamMetadata {
    const metadata = new Map<string, { purpose: 'm.usermedia' | 'm.screenshare'; audioMuted: boolean; videoMuted: boolean }>();
    if (this.userMedia) {
      metadata.set(this.userMedia.id, {
        purpose: 'm.usermedia',
        audioMuted: this.micMuted || this.holding,
        videoMuted: this.cameraMuted || this.holding || !this.cameraSender,
      });
    }
    if (this.screenStream && !this.singleStreamScreenshare) {
      metadata.set(this.screenStream.id, { purpose: 'm.screenshare', audioMuted: false, videoMuted: false });
    }
    return metadata;
  }

  private reportMetadata(): void {
    this.options.report({ type: 'local_metadata_changed', metadata: this.localMetadata() });
  }

  private updateRemoteHold(pc: RTCPeerConnection): void {
    const directions = pc.getTransceivers().map((t) => t.currentDirection).filter((d) => d && d !== 'stopped');
    const onHold = directions.length > 0 && directions.every((d) => d === 'inactive' || d === 'recvonly') && !this.holding;
    if (onHold !== this.remoteOnHold) {
      this.remoteOnHold = onHold;
      this.options.report({ type: 'remote_hold_changed', onHold });
    }
  }

  private publishFeeds(): void {
    const local: CallFeed[] = [];
    if (this.userMedia) {
      local.push({
        id: this.userMedia.id,
        purpose: 'm.usermedia',
        stream: this.userMedia,
        isLocal: true,
        userId: this.options.ourUserId,
        audioMuted: this.micMuted,
        videoMuted: this.cameraMuted || this.userMedia.getVideoTracks().length === 0,
      });
    }
    if (this.screenStream) {
      local.push({
        id: this.screenStream.id, purpose: 'm.screenshare', stream: this.screenStream, isLocal: true,
        userId: this.options.ourUserId, audioMuted: true, videoMuted: false,
      });
    }
    const remote: CallFeed[] = [];
    const streams = [...this.remoteStreams.values()].filter((stream) => stream.getTracks().some((t) => t.readyState === 'live'));
    if (this.remoteMetadata) {
      for (const stream of streams) {
        const entry = this.remoteMetadata.get(stream.id);
        // Streams the peer did not describe are ignored, as the spec says.
        if (!entry) continue;
        remote.push({
          id: stream.id, purpose: entry.purpose, stream, isLocal: false, userId: this.options.peerUserId,
          audioMuted: entry.audioMuted,
          videoMuted: entry.videoMuted || stream.getVideoTracks().length === 0,
        });
      }
    } else if (streams[0]) {
      // A peer without metadata sends one stream: the first one is its camera and microphone.
      const stream = streams[0];
      remote.push({
        id: stream.id, purpose: 'm.usermedia', stream, isLocal: false, userId: this.options.peerUserId,
        audioMuted: false, videoMuted: stream.getVideoTracks().length === 0,
      });
    }
    this.feedStore.set({ local, remote });
  }

  private close(): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.cameraReleaseTimer);
    stopStream(this.userMedia);
    stopStream(this.screenStream);
    this.pc?.close();
    this.feedStore.set({ local: [], remote: [] });
  }
}

function stopStream(stream: MediaStream | undefined): void {
  for (const track of stream?.getTracks() ?? []) track.stop();
}

function description(pc: RTCPeerConnection): SessionDescription {
  const local = pc.localDescription;
  if (!local) throw new Error('no local description');
  return { type: local.type, sdp: local.sdp };
}

function candidateInit(candidate: RTCIceCandidate): WireIceCandidate {
  return { candidate: candidate.candidate, sdpMid: candidate.sdpMid, sdpMLineIndex: candidate.sdpMLineIndex };
}
