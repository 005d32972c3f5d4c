// The driver's recovery of a camera or microphone that stops by itself. The devices are
// MediaStreamTrackGenerator tracks, which end (with an `ended` event, as an unplugged device's track does)
// when their writable side is closed; the peer connection is a real one.
import { expect } from '@open-wc/testing';
import type { MxError } from '../../../signaling/errors.js';
import { silentLogger } from '../../../signaling/log.js';
import type { CallMachineEvent } from '../../../signaling/voip/call-machine.js';
import { PeerConnectionDriver } from '../../../signaling/voip/peer-connection-driver.js';
import { waitFor } from '../../helpers/browser/wait-for.js';

interface TrackGenerator extends MediaStreamTrack {
  writable: WritableStream<unknown>;
}
const Generator = (globalThis as unknown as { MediaStreamTrackGenerator: new (init: { kind: 'audio' | 'video' }) => TrackGenerator }).MediaStreamTrackGenerator;

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
    opened = [];
    reports = [];
    failures = [];
    driver = new PeerConnectionDriver({
      ourUserId: '@me:test',
      peerUserId: '@peer:test',
      iceServers: () => Promise.resolve([]),
      getUserMedia: ({ audio, video }) => {
        const tracks = [...(audio ? [new Generator({ kind: 'audio' })] : []), ...(video ? [new Generator({ kind: 'video' })] : [])];
        opened.push(...tracks);
        return Promise.resolve(new MediaStream(tracks));
      },
      getDisplayMedia: () => Promise.reject(new Error('no screen here')),
      report: (event) => reports.push(event),
      mediaFailed: (error) => failures.push(error),
      log: silentLogger,
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
