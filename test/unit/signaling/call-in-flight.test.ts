import { expect } from '@open-wc/testing';
import type { Call } from '../../../signaling/voip/call.js';
import { CallManager } from '../../../signaling/voip/call-manager.js';
import { makeAnswer } from '../../helpers/browser/session-descriptions.js';
import { waitFor } from '../../helpers/browser/wait-for.js';
import { capturingLogger, FakeVoipPort } from '../../helpers/fake-voip-port.js';

// A second click while the first is still opening the camera or the screen picker, or still hanging up: the
// real Call (not the stories' fake, which updates at once) returns the first click's promise, so no second
// picker or camera opens and no second hangup is sent.

const ME = '@me:test';
const PEER = '@peer:test';
const DM = '!dm:test';

interface Deferred<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** A stream with one silent audio track: a microphone as far as the call can tell. */
function audioStream(): MediaStream {
  return new AudioContext().createMediaStreamDestination().stream;
}

/** A stream with one video track drawn from a canvas: a camera or a screen as far as the call can tell. */
function videoStream(): MediaStream {
  const canvas = document.createElement('canvas');
  canvas.getContext('2d')?.fillRect(0, 0, 1, 1);
  return canvas.captureStream(1);
}

describe('Call: a second click while the first is in flight', () => {
  let port: FakeVoipPort;
  let manager: CallManager;
  /** What each getUserMedia call asked for, and the answer each camera request waits for. */
  let mediaRequests: { audio: boolean; video: boolean }[];
  let camera: Deferred<MediaStream>;
  let pickers: number;
  let picker: Deferred<MediaStream>;

  beforeEach(() => {
    port = new FakeVoipPort(ME, 'MYDEVICE01', [{ roomId: DM, joinRule: 'invite', joinedMembers: [ME, PEER] }]);
    mediaRequests = [];
    camera = deferred();
    pickers = 0;
    picker = deferred();
    manager = new CallManager(port, {
      log: capturingLogger(),
      relayOnly: true,
      getUserMedia: (constraints) => {
        mediaRequests.push(constraints);
        return constraints.video ? camera.promise : Promise.resolve(audioStream());
      },
      getDisplayMedia: () => {
        pickers += 1;
        return picker.promise;
      },
    });
  });

  afterEach(() => manager.dispose());

  /** A voice call we placed and the peer answered: connecting, which is when these actions are allowed. */
  async function answeredVoiceCall(): Promise<Call> {
    const call = await manager.placeCall({ roomId: DM, userId: PEER }, 'voice') as Call;
    await waitFor(() => call.getSnapshot().phase === 'invite_sent', 'our invite to be sent');
    const invite = port.sent.find((sent) => sent.type === 'm.call.invite');
    const answer = await makeAnswer((invite?.content.offer as { sdp: string } | undefined)?.sdp ?? '');
    port.deliver([{ type: 'm.call.answer', sender: PEER, roomId: DM, content: { version: '1', call_id: call.callId, party_id: 'PEERDEVICE', answer: { type: 'answer', sdp: answer } } }]);
    await waitFor(() => call.getSnapshot().phase === 'connecting', 'the call to be connecting');
    return call;
  }

  const cameraRequests = () => mediaRequests.filter((constraints) => constraints.video).length;

  /**
   * Resolves once the driver has done everything queued before now: it does one effect at a time, and the
   * microphone reopened last asks getUserMedia for audio only after the effects before it are done.
   */
  async function driverDone(call: Call): Promise<void> {
    const asked = mediaRequests.length;
    void call.reopenDevice('microphone');
    await waitFor(() => mediaRequests.slice(asked).some((constraints) => constraints.audio && !constraints.video), 'the driver to reach the microphone');
  }

  it('share screen twice: one picker, one promise, and the screen is shared once it is chosen', async () => {
    const call = await answeredVoiceCall();
    const first = call.setScreensharing(true);
    const second = call.setScreensharing(true);
    expect(second, 'the second click gets the first one\'s promise').to.equal(first);
    picker.resolve(videoStream());
    await first;
    await driverDone(call);
    expect(pickers, 'pickers opened').to.equal(1);
    expect(call.getSnapshot().screensharing).to.equal(true);

    await call.setScreensharing(true);
    expect(pickers, 'a click once it is shared opens no picker').to.equal(1);
  });

  it('start video twice: one camera, one promise, and the call is a video call once it is open', async () => {
    const call = await answeredVoiceCall();
    const first = call.upgradeToVideo();
    const second = call.upgradeToVideo();
    expect(second, 'the second click gets the first one\'s promise').to.equal(first);
    camera.resolve(videoStream());
    await first;
    await driverDone(call);
    expect(cameraRequests(), 'cameras opened').to.equal(1);
    expect(call.getSnapshot().kind).to.equal('video');

    await call.upgradeToVideo();
    expect(cameraRequests(), 'a click once video is on opens no camera').to.equal(1);
  });

  it('hang up twice: one promise and one hangup', async () => {
    const call = await answeredVoiceCall();
    const first = call.hangup();
    const second = call.hangup();
    expect(second, 'the second click gets the first one\'s promise').to.equal(first);
    await first;
    expect(port.sent.filter((sent) => sent.type === 'm.call.hangup'), 'hangups sent').to.have.length(1);
  });
});
