// The caller's camera primer with a real RTCRtpSender: the camera is a MediaStreamTrackGenerator the test writes
// frames into, and what the primer puts in the sender is read back with a MediaStreamTrackProcessor.
import { expect } from '@open-wc/testing';
import { FirstFramePrimer, SETTLING_MS } from '../../../signaling/voip/first-frame-primer.js';
import { TrackGenerator, TrackProcessor } from '../../helpers/browser/insertable-streams.js';
import { waitFor } from '../../helpers/browser/wait-for.js';

interface Frame { timestamp: number; codedWidth: number; codedHeight: number; close(): void }

/** A 16×16 grey I420 frame. */
function cameraFrame(timestamp: number): Frame {
  return new VideoFrame(new Uint8Array(16 * 16 * 1.5).fill(128), { format: 'I420', codedWidth: 16, codedHeight: 16, timestamp });
}

/** Reads a track's frames one at a time; a read that times out is kept for the next call, so no frame is lost. */
class FrameReader {
  private pending: Promise<Frame | undefined> | undefined;

  constructor(private readonly reader: ReadableStreamDefaultReader<Frame>) {}

  /** The next frame, or 'none' when none comes within `withinMs`. */
  next(withinMs = 200): Promise<Frame | 'none'> {
    const pending = (this.pending ??= this.reader.read().then((read) => read.value));
    return Promise.race([
      pending.then((frame) => {
        this.pending = undefined;
        return frame ?? 'none';
      }),
      new Promise<'none'>((resolve) => setTimeout(() => resolve('none'), withinMs)),
    ]);
  }
}

/** Reads and closes what `reader` has until nothing more comes for 100 ms. */
async function drain(reader: FrameReader): Promise<void> {
  for (let frame = await reader.next(100); frame !== 'none'; frame = await reader.next(100)) frame.close();
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
  const readerOf = (track: MediaStreamTrack): FrameReader =>
    new FrameReader((new TrackProcessor({ track }).readable as ReadableStream<Frame>).getReader());

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
    expect(await reader.next(100)).to.equal('none');
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
      const frame = await reader.next();
      if (frame === 'none') throw new Error(`copy ${i + 1} did not come`);
      expect([frame.codedWidth, frame.codedHeight]).to.deep.equal([16, 16]);
      timestamps.push(frame.timestamp);
      frame.close();
    }
    expect(timestamps[1]).to.be.greaterThan(timestamps[0] ?? Infinity);
    expect(timestamps[2]).to.be.greaterThan(timestamps[1] ?? Infinity);
  });

  it('once the connection is up, sends a copy of each new camera frame only, and puts the camera back a while later', async () => {
    // Only whether the connection is up is read of it: a real one cannot come up without a peer here.
    const connection: { connectionState: RTCPeerConnectionState } = { connectionState: 'connecting' };
    primer = await FirstFramePrimer.start(camera, sender, connection);
    const reader = readerOf(primed());
    await cameraWriter.write(cameraFrame(1_000));
    await new Promise((resolve) => setTimeout(resolve, 30));
    primer?.answerArriving();
    const beforeUp = await reader.next();
    if (beforeUp === 'none') throw new Error('no copy came before the connection was up');
    beforeUp.close();
    connection.connectionState = 'connected';
    await drain(reader);
    await cameraWriter.write(cameraFrame(2_000));
    const afterUp = await reader.next();
    if (afterUp === 'none') throw new Error('the new camera frame was not copied');
    afterUp.close();
    expect(await reader.next(100)).to.equal('none');
    await waitFor(() => sender.track === camera, 'the camera back in its sender', SETTLING_MS + 2_000);
  });

  it('puts the camera back at once when the page disables it', async () => {
    primer = await FirstFramePrimer.start(camera, sender, pc);
    await cameraWriter.write(cameraFrame(1_000));
    primer?.answerArriving();
    camera.enabled = false;
    await waitFor(() => sender.track === camera, 'the camera back in its sender');
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
