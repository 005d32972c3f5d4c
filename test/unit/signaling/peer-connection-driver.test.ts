// The driver with real peer connections: what it reports while the camera and microphone open, and its
// recovery of a device that stops by itself. The devices are MediaStreamTrackGenerator tracks, which end (with
// an `ended` event, as an unplugged device's track does) when their writable side is closed.
import { expect } from '@open-wc/testing';
import type { MxError } from '../../../signaling/errors.js';
import { silentLogger } from '../../../signaling/log.js';
import type { CallMachineEvent } from '../../../signaling/voip/call-machine.js';
import { PeerConnectionDriver, type PeerConnectionDriverOptions } from '../../../signaling/voip/peer-connection-driver.js';
import { TrackGenerator } from '../../helpers/browser/insertable-streams.js';
import { waitFor } from '../../helpers/browser/wait-for.js';

/** A driver for a call with @peer:test, without ICE servers (or screens, unless given); the test says how media opens. */
function driverWith(options: Pick<PeerConnectionDriverOptions, 'getUserMedia' | 'mediaPermitted' | 'report' | 'mediaFailed'> & Partial<Pick<PeerConnectionDriverOptions, 'log' | 'getDisplayMedia'>>): PeerConnectionDriver {
  return new PeerConnectionDriver({
    ourUserId: '@me:test',
    peerUserId: '@peer:test',
    iceServers: () => Promise.resolve([]),
    getDisplayMedia: () => Promise.reject(new Error('no screen here')),
    log: silentLogger,
    ...options,
  });
}

describe('PeerConnectionDriver: a device that stops by itself', () => {
  let driver: PeerConnectionDriver;
  let opened: TrackGenerator[];
  let reports: CallMachineEvent[];
  let failures: unknown[];

  const unplug = (track: TrackGenerator | undefined): Promise<void> => {
    if (!track) throw new Error('no such track');
    return track.writable.getWriter().close();
  };
  const microphone = (): MediaStreamTrack | undefined => driver.feeds.getSnapshot().local[0]?.stream.getAudioTracks()[0];
  const microphonesOpened = (): TrackGenerator[] => opened.filter((track) => track.kind === 'audio');

  beforeEach(async () => {
    // This test's driver reports into this test's arrays: the last test's driver may still finish an effect.
    const ownOpened: TrackGenerator[] = [];
    const ownReports: CallMachineEvent[] = [];
    const ownFailures: unknown[] = [];
    opened = ownOpened;
    reports = ownReports;
    failures = ownFailures;
    driver = driverWith({
      getUserMedia: ({ audio, video }) => {
        const tracks = [...(audio ? [new TrackGenerator({ kind: 'audio' })] : []), ...(video ? [new TrackGenerator({ kind: 'video' })] : [])];
        ownOpened.push(...tracks);
        return Promise.resolve(new MediaStream(tracks));
      },
      mediaPermitted: () => Promise.resolve(false),
      report: (event) => ownReports.push(event),
      mediaFailed: (error) => ownFailures.push(error),
    });
    driver.run({ type: 'acquire_media', kind: 'video' });
    await waitFor(() => reports.some((event) => event.type === 'media_ready'), 'media_ready');
  });

  afterEach(() => {
    driver.run({ type: 'close' });
  });

  it('opens an unplugged microphone again and sends the new one in its place', async () => {
    const first = microphonesOpened()[0];
    await unplug(first);
    await waitFor(() => microphonesOpened().length === 2 && microphone() === microphonesOpened()[1], 'the new microphone in the stream');
    const sender = driver.peerConnection?.getSenders().find((s) => s.track?.kind === 'audio');
    expect(sender?.track).to.equal(microphonesOpened()[1]);
    expect(failures).to.deep.equal([]);
  });

  it('leaves a microphone that keeps stopping off, with an error, instead of reopening it again and again', async () => {
    await unplug(microphonesOpened()[0]);
    await waitFor(() => microphone() === microphonesOpened()[1], 'the first recovery');
    await unplug(microphonesOpened()[1]);
    await waitFor(() => failures.length === 1, 'the error');
    expect((failures[0] as MxError).code).to.equal('MEDIA_DEVICE_NOT_FOUND');
    expect(String((failures[0] as MxError).message)).to.match(/microphone keeps stopping/);
    expect(microphonesOpened()).to.have.length(2);
  });

  it('does not reopen a device the kit stopped itself (a muted camera released, the call closed)', async () => {
    driver.run({ type: 'set_camera_muted', muted: true });
    await waitFor(() => (driver.feeds.getSnapshot().local[0]?.stream.getVideoTracks().length ?? 1) === 0, 'the camera to be released');
    driver.run({ type: 'close' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(opened.filter((track) => track.kind === 'video')).to.have.length(1);
    expect(microphonesOpened()).to.have.length(1);
    expect(failures).to.deep.equal([]);
  });
});

describe('PeerConnectionDriver: the camera and microphone still opening', () => {
  let driver: PeerConnectionDriver;
  let reports: CallMachineEvent[];
  let opening: { resolve: (stream: MediaStream) => void; reject: (error: Error) => void };
  let opened: TrackGenerator[];

  let screen: TrackGenerator | undefined;

  const start = (permitted: boolean | 'throws'): void => {
    // This test's driver reports into this test's array: the last test's driver may still finish an effect
    // (its media_granted, say) after this test has begun.
    const ownReports: CallMachineEvent[] = [];
    reports = ownReports;
    opened = [];
    screen = undefined;
    driver = driverWith({
      getUserMedia: () => new Promise<MediaStream>((resolve, reject) => { opening = { resolve, reject }; }),
      getDisplayMedia: () => {
        screen = new TrackGenerator({ kind: 'video' });
        return Promise.resolve(new MediaStream([screen]));
      },
      mediaPermitted: () => {
        if (permitted === 'throws') throw new Error('an app check that fails');
        return Promise.resolve(permitted);
      },
      report: (event) => ownReports.push(event),
      mediaFailed: () => undefined,
    });
    driver.run({ type: 'acquire_media', kind: 'video' });
  };
  const devices = (kinds: readonly ('audio' | 'video')[]): MediaStream => {
    const tracks = kinds.map((kind) => new TrackGenerator({ kind }));
    opened.push(...tracks);
    return new MediaStream(tracks);
  };
  /** What the driver reported, less the ICE candidates it gathers along the way. */
  const types = (): string[] => reports.map((event) => event.type).filter((type) => type !== 'local_candidate' && type !== 'local_gathering_complete');
  const sentTracks = (): (MediaStreamTrack | null)[] => driver.peerConnection?.getSenders().map((sender) => sender.track) ?? [];
  /** A caller whose devices opened with permission granted, the offer still unanswered. */
  const callerWithDevices = async (): Promise<void> => {
    start(true);
    await waitFor(() => types().includes('media_granted'), 'media_granted');
    opening.resolve(devices(['audio', 'video']));
    await waitFor(() => types().includes('media_ready'), 'media_ready');
  };
  /** The camera and microphone the devices gave, each in its own sender and nothing else sent. */
  const expectCallerSenders = (): void => {
    expect(sentTracks().filter(Boolean)).to.have.members(opened);
  };

  afterEach(() => {
    driver.run({ type: 'close' });
  });

  it('with permission granted: media_granted once the offer is set, media_ready when the tracks are in the senders', async () => {
    start(true);
    await waitFor(() => types().includes('media_granted'), 'media_granted');
    expect(driver.peerConnection?.localDescription?.type).to.equal('offer');
    expect(types()).to.not.include('media_ready');
    expect(sentTracks().filter(Boolean)).to.have.length(0);
    opening.resolve(devices(['audio', 'video']));
    await waitFor(() => types().includes('media_ready'), 'media_ready');
    expectCallerSenders();
    expect(driver.feeds.getSnapshot().local[0]?.stream.getTracks()).to.have.members(opened);
  });

  it('a camera muted before the answer is released from its sender, and the camera stopped', async () => {
    await callerWithDevices();
    const camera = opened.find((t) => t.kind === 'video');
    driver.run({ type: 'set_camera_muted', muted: true });
    await waitFor(() => camera?.readyState === 'ended', 'the camera to be released');
    expect(sentTracks()).to.not.include(camera);
  });

  it('a screen shared in the camera\'s place (a peer without metadata): one video sender, and stopping brings the camera back', async () => {
    await callerWithDevices();
    driver.run({ type: 'set_screensharing', enabled: true, singleStream: true });
    await waitFor(() => screen !== undefined && sentTracks().includes(screen), 'the screen in the camera\'s sender');
    expect(sentTracks().filter((track) => track?.kind === 'video')).to.have.length(1);
    driver.run({ type: 'set_screensharing', enabled: false, singleStream: true });
    const camera = opened.find((t) => t.kind === 'video');
    await waitFor(() => sentTracks().includes(camera ?? null), 'the camera back in its sender');
    expect(screen?.readyState).to.equal('ended');
  });

  it('with the browser still to ask: nothing until the person allows the devices, then media_ready alone', async () => {
    start(false);
    await waitFor(() => driver.peerConnection?.localDescription?.type === 'offer', 'the offer');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(types()).to.deep.equal([]);
    opening.resolve(devices(['audio', 'video']));
    await waitFor(() => types().includes('media_ready'), 'media_ready');
    expect(types()).to.not.include('media_granted');
    expectCallerSenders();
  });

  it('an app permission check that throws counts as "the browser will ask": media_ready alone', async () => {
    start('throws');
    await waitFor(() => driver.peerConnection?.localDescription?.type === 'offer', 'the offer');
    opening.resolve(devices(['audio', 'video']));
    await waitFor(() => types().includes('media_ready'), 'media_ready');
    expect(types()).to.deep.equal(['media_ready']);
  });

  it('a device failing after media_granted reports media_failed (the machine ends the call)', async () => {
    start(true);
    await waitFor(() => types().includes('media_granted'), 'media_granted');
    opening.reject(new Error('NotReadableError: the camera is in use'));
    await waitFor(() => types().includes('media_failed'), 'media_failed');
    expect(types()).to.not.include('media_ready');
    expect(reports.find((event) => event.type === 'media_failed')).to.deep.include({ message: 'NotReadableError: the camera is in use' });
  });

  it('an app getUserMedia that brings no camera after media_granted: the metadata says the video is muted', async () => {
    start(true);
    await waitFor(() => types().includes('media_granted'), 'media_granted');
    opening.resolve(devices(['audio']));
    await waitFor(() => types().includes('media_ready'), 'media_ready');
    const changed = reports.find((event) => event.type === 'local_metadata_changed');
    expect(changed?.type === 'local_metadata_changed' ? [...changed.metadata.values()][0] : undefined).to.deep.include({ videoMuted: true, audioMuted: false });
  });

  it('asks for no candidate pool (a connection given its description at once sometimes never gathered with one)', async () => {
    start(true);
    await waitFor(() => driver.peerConnection !== undefined, 'the connection');
    expect(driver.peerConnection?.getConfiguration().iceCandidatePoolSize).to.equal(0);
  });

  it("offers video before audio: applying the answer then makes the video send stream first, which the callee's first frame waits for", async () => {
    start(true);
    await waitFor(() => types().includes('media_granted'), 'media_granted');
    const kinds = [...(driver.peerConnection?.localDescription?.sdp ?? '').matchAll(/^m=(\w+) /gm)].map((line) => line[1]);
    expect(kinds).to.deep.equal(['video', 'audio']);
  });

  it('closed while the devices open: their tracks are stopped when they come', async () => {
    start(true);
    await waitFor(() => types().includes('media_granted'), 'media_granted');
    driver.run({ type: 'close' });
    opening.resolve(devices(['audio', 'video']));
    await waitFor(() => opened.every((track) => track.readyState === 'ended'), 'the tracks to stop');
    expect(types()).to.not.include('media_ready');
  });
});

describe('PeerConnectionDriver: a renegotiation that fails', () => {
  it('is logged and leaves the call as it was: no driver_failed, and later effects still run', async () => {
    const reports: CallMachineEvent[] = [];
    const warnings: string[] = [];
    const peer = new RTCPeerConnection();
    const driver = driverWith({
      getUserMedia: () => Promise.resolve(new MediaStream([new TrackGenerator({ kind: 'audio' })])),
      mediaPermitted: () => Promise.resolve(true),
      mediaFailed: () => undefined,
      report: (event) => reports.push(event),
      log: { ...silentLogger, warn: (message) => warnings.push(message) },
    });
    try {
      driver.run({ type: 'acquire_media', kind: 'voice' });
      driver.run({ type: 'create_offer' });
      await waitFor(() => reports.some((event) => event.type === 'offer_ready'), 'the offer');
      const offer = reports.find((event) => event.type === 'offer_ready');
      if (offer?.type !== 'offer_ready') throw new Error('no offer');
      await peer.setRemoteDescription(offer.description);
      await peer.setLocalDescription();
      driver.run({ type: 'apply_remote_description', description: { type: 'answer', sdp: peer.localDescription?.sdp ?? '' }, metadata: undefined, polite: false });
      await waitFor(() => driver.peerConnection?.signalingState === 'stable' && driver.peerConnection.remoteDescription !== null, 'the answer applied');

      const pc = driver.peerConnection as RTCPeerConnection;
      pc.setLocalDescription = () => Promise.reject(new Error('the browser refused the offer'));
      pc.addTransceiver('video');
      await waitFor(() => warnings.some((warning) => warning.includes('the browser refused the offer')), 'the warning');
      expect(warnings.find((warning) => warning.includes('the browser refused the offer'))).to.match(/^renegotiation failed/);

      const before = reports.length;
      driver.run({ type: 'set_mic_muted', muted: true });
      await waitFor(() => reports.slice(before).some((event) => event.type === 'local_metadata_changed'), 'the next effect');
      expect(reports.map((event) => event.type)).to.not.include('driver_failed');
    } finally {
      driver.run({ type: 'close' });
      peer.close();
    }
  });
});

describe('PeerConnectionDriver: the connection it reports', () => {
  /**
   * A caller's driver answered by a plain peer connection on loopback. With `wrongFingerprint`, the answer
   * names a certificate the peer does not hold: ICE connects, DTLS never does, and no media can flow (as with
   * a device whose answer was not the one chosen).
   */
  async function callAnswered(wrongFingerprint: boolean): Promise<{ driver: PeerConnectionDriver; peer: RTCPeerConnection; reports: CallMachineEvent[] }> {
    // Granted camera access lets Chromium show host addresses instead of mDNS names, which loopback cannot resolve.
    for (const track of (await navigator.mediaDevices.getUserMedia({ audio: true })).getTracks()) track.stop();
    const reports: CallMachineEvent[] = [];
    const peer = new RTCPeerConnection();
    const driver = driverWith({
      getUserMedia: () => Promise.resolve(new MediaStream([new TrackGenerator({ kind: 'audio' })])),
      mediaPermitted: () => Promise.resolve(true),
      mediaFailed: () => undefined,
      report: (event) => reports.push(event),
    });
    driver.run({ type: 'acquire_media', kind: 'voice' });
    driver.run({ type: 'create_offer' });
    // Each side's description once gathering is complete carries all its candidates.
    await waitFor(() => reports.some((event) => event.type === 'offer_ready') && reports.some((event) => event.type === 'local_gathering_complete'), 'the offer and its candidates');
    await peer.setRemoteDescription({ type: 'offer', sdp: driver.peerConnection?.localDescription?.sdp ?? '' });
    await peer.setLocalDescription();
    await waitFor(() => peer.iceGatheringState === 'complete', 'the answer\'s candidates');
    const sdp = peer.localDescription?.sdp ?? '';
    // Another certificate's fingerprint: the last byte of the hash changed.
    const answer = wrongFingerprint ? sdp.replace(/^(a=fingerprint:\S+ \S+)([0-9A-F]{2})$/m, (_, head: string, last: string) => `${head}${last === '00' ? '01' : '00'}`) : sdp;
    if (wrongFingerprint && answer === sdp) throw new Error('no fingerprint to change');
    driver.run({ type: 'apply_remote_description', description: { type: 'answer', sdp: answer }, metadata: undefined, polite: false });
    return { driver, peer, reports };
  }
  const connectedReports = (reports: readonly CallMachineEvent[]): CallMachineEvent[] => reports.filter((event) => 'state' in event && event.state === 'connected');

  it('reports connected once ICE and DTLS both are', async () => {
    const { driver, peer, reports } = await callAnswered(false);
    try {
      await waitFor(() => connectedReports(reports).length > 0, 'connected');
      expect(driver.peerConnection?.connectionState).to.equal('connected');
      expect(driver.peerConnection?.sctp?.transport.state ?? driver.peerConnection?.getSenders()[0]?.transport?.state).to.equal('connected');
    } finally {
      driver.run({ type: 'close' });
      peer.close();
    }
  });

  it('does not report connected when ICE connects but DTLS does not', async () => {
    const { driver, peer, reports } = await callAnswered(true);
    try {
      await waitFor(() => driver.peerConnection?.iceConnectionState === 'connected' || driver.peerConnection?.iceConnectionState === 'completed', 'ICE to connect');
      await waitFor(() => driver.peerConnection?.connectionState === 'failed', 'DTLS to fail');
      expect(connectedReports(reports)).to.deep.equal([]);
      expect(reports.filter((event) => event.type === 'connection_state').map((event) => 'state' in event && event.state)).to.include('failed');
    } finally {
      driver.run({ type: 'close' });
      peer.close();
    }
  });
});
