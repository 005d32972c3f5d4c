import { expect } from '@open-wc/testing';
import type { Call } from '../../../signaling/voip/call.js';
import { CallManager } from '../../../signaling/voip/call-manager.js';
import { makeAnswer } from '../../helpers/browser/session-descriptions.js';
import { waitFor } from '../../helpers/browser/wait-for.js';
import { capturingLogger, FakeVoipPort } from '../../helpers/fake-voip-port.js';

// When the answer arrives, the caller hands it to the browser before it sends the select_answer that
// the same answer causes: applying it is what the call's media waits for.

const ME = '@me:test';
const PEER = '@peer:test';
const PEER_PARTY = 'PEERDEVICE';
const DM = '!dm:test';

describe('CallManager: the caller and the answer', () => {
  let port: FakeVoipPort;
  let manager: CallManager;

  beforeEach(() => {
    port = new FakeVoipPort(ME, 'MYDEVICE01', [{ roomId: DM, joinRule: 'invite', joinedMembers: [ME, PEER] }]);
    manager = new CallManager(port, { log: capturingLogger(), relayOnly: true, getUserMedia: () => Promise.resolve(new MediaStream()) });
  });

  afterEach(() => manager.dispose());

  it('applies the answer before it sends select_answer', async () => {
    const call = await manager.placeCall({ roomId: DM, userId: PEER }, 'voice') as Call;
    const callId = call.getSnapshot().callId;
    await waitFor(() => call.getSnapshot().phase === 'invite_sent', 'our invite to be sent');
    const invite = port.sent.find((sent) => sent.type === 'm.call.invite');
    const answerSdp = await makeAnswer((invite?.content.offer as { sdp: string } | undefined)?.sdp ?? '');

    const order: string[] = [];
    const pc = call.peerConnection;
    if (!pc) throw new Error('the call has no peer connection');
    const applyRemote = pc.setRemoteDescription.bind(pc) as (description: RTCSessionDescriptionInit) => Promise<void>;
    pc.setRemoteDescription = (description: RTCSessionDescriptionInit) => {
      order.push(`setRemoteDescription(${description.type})`);
      return applyRemote(description);
    };
    const send = port.sendEvent.bind(port);
    port.sendEvent = (roomId, type, content) => {
      order.push(`send ${type}`);
      return send(roomId, type, content);
    };

    port.deliver([{ type: 'm.call.answer', sender: PEER, roomId: DM, content: { version: '1', call_id: callId, party_id: PEER_PARTY, answer: { type: 'answer', sdp: answerSdp } } }]);
    await waitFor(() => order.includes('send m.call.select_answer') && pc.remoteDescription !== null, 'the answer applied and select_answer sent');
    expect(order.filter((step) => step === 'setRemoteDescription(answer)' || step === 'send m.call.select_answer'))
      .to.deep.equal(['setRemoteDescription(answer)', 'send m.call.select_answer']);
  });
});
