// The caller's camera primer with a real RTCRtpSender: the camera is a MediaStreamTrackGenerator the test writes
// frames into, and what the primer puts in the sender is read back with a MediaStreamTrackProcessor.
import { expect } from '@open-wc/testing';
import { FirstFramePrimer } from '../../../signaling/voip/first-frame-primer.js';
import { TrackGenerator, TrackProcessor } from '../../helpers/browser/insertable-streams.js';
import { waitFor } from '../../helpers/browser/wait-for.js';

interface Frame { timestamp: number; codedWidth: number; codedHeight: number; close(): void }

/** A 16×16 grey I420 frame. */
function cameraFrame(timestamp: number): Frame {
  return new VideoFrame(new Uint8Array(16 * 16 * 1.5).fill(128), { format: 'I420', codedWidth: 16, codedHeight: 16, timestamp });
}

/** The next frame `track` carries, or 'none' when none comes within `withinMs`. */
function nextFrameOf(reader: ReadableStreamDefaultReader<Frame>, withinMs = 200): Promise<Frame | 'none'> {
  return Promise.race([
    reader.read().then((read) => read.value ?? 'none'),
    new Promise<'none'>((resolve) => setTimeout(() => resolve('none'), withinMs)),
  ]);
}

describe('FirstFramePrimer', () => {
  let pc: RTCPeerConnection;
  let sender: RTCRtpSender;
  let camera: TrackGenerator;
  let cameraWriter: WritableStreamDefaultWriter<unknown>;
  let primer: FirstFramePrimer | undefined;

  const primed = (): MediaStreamTrack => {
    if (!sender.track || sender.track === camera) throw new Error('the sender is not primed');
    return sender.track;
  };
  const readerOf = (track: MediaStreamTrack): ReadableStreamDefaultReader<Frame> =>
    (new TrackProcessor({ track }).readable as ReadableStream<Frame>).getReader();

  beforeEach(() => {
    pc = new RTCPeerConnection();
    sender = pc.addTransceiver('video', { direction: 'sendrecv' }).sender;
    camera = new TrackGenerator({ kind: 'video' });
    cameraWriter = camera.writable.getWriter();
  });

  afterEach(async () => {
    await primer?.finish();
    camera.stop();
    pc.close();
  });

  it('puts a track of its own in the camera\'s place, and the camera back when it finishes', async () => {
    primer = await FirstFramePrimer.start(camera, sender, pc);
    const track = primed();
    expect(track.kind).to.equal('video');
    await primer?.finish();
    expect(sender.track).to.equal(camera);
    expect(track.readyState).to.equal('ended');
    expect(camera.readyState).to.equal('live');
  });

  it('sends nothing while the answer is awaited', async () => {
    primer = await FirstFramePrimer.start(camera, sender, pc);
    const reader = readerOf(primed());
    await cameraWriter.write(cameraFrame(1_000));
    expect(await nextFrameOf(reader, 100)).to.equal('none');
  });

  it('once the answer arrives, sends copies of the camera\'s latest frame, each stamped later than the one before', async () => {
    primer = await FirstFramePrimer.start(camera, sender, pc);
    const reader = readerOf(primed());
    // One camera frame only: every frame read below is a copy of it.
    await cameraWriter.write(cameraFrame(1_000));
    await new Promise((resolve) => setTimeout(resolve, 30));
    primer?.answerArriving();
    const timestamps: number[] = [];
    for (let i = 0; i < 3; i++) {
      const frame = await nextFrameOf(reader);
      if (frame === 'none') throw new Error(`copy ${i + 1} did not come`);
      expect([frame.codedWidth, frame.codedHeight]).to.deep.equal([16, 16]);
      timestamps.push(frame.timestamp);
      frame.close();
    }
    expect(timestamps[1]).to.be.greaterThan(timestamps[0] ?? Infinity);
    expect(timestamps[2]).to.be.greaterThan(timestamps[1] ?? Infinity);
  });

  it('stops, with its track ended, once the connection is closed', async () => {
    primer = await FirstFramePrimer.start(camera, sender, pc);
    const track = primed();
    await cameraWriter.write(cameraFrame(1_000));
    pc.close();
    primer?.answerArriving();
    await waitFor(() => track.readyState === 'ended', 'the primed track to end');
    expect(camera.readyState).to.equal('live');
  });

  it('leaves the camera\'s track alone when something else took the sender meanwhile', async () => {
    primer = await FirstFramePrimer.start(camera, sender, pc);
    const other = new TrackGenerator({ kind: 'video' });
    await sender.replaceTrack(other);
    await primer?.finish();
    expect(sender.track).to.equal(other);
    other.stop();
  });

  it('is not used where the browser has no track generator', async () => {
    const scope = globalThis as { MediaStreamTrackGenerator?: unknown };
    const generator = scope.MediaStreamTrackGenerator;
    delete scope.MediaStreamTrackGenerator;
    try {
      primer = await FirstFramePrimer.start(camera, sender, pc);
      expect(primer).to.equal(undefined);
      expect(sender.track).to.equal(null);
    } finally {
      scope.MediaStreamTrackGenerator = generator;
    }
  });
});
