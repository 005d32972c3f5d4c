// Glare won by our call: the peer's call is rejected, but the reject reaches the homeserver only after our
// invite. A matrix-js-sdk caller that heard the reject first would end its call and then take ours for a plain
// new call that rings, instead of replacing its own with it (seen in the e2e glare test, 2 runs in 10).
import { expect } from '@open-wc/testing';
import { CallManager } from '../../../signaling/voip/call-manager.js';
import { makeAudioOffer } from '../../helpers/browser/session-descriptions.js';
import { waitFor } from '../../helpers/browser/wait-for.js';
import { capturingLogger, FakeVoipPort } from '../../helpers/fake-voip-port.js';

const ME = '@me:test';
const PEER = '@peer:test';
const DM = '!dm:test';
/** Greater than any call id the kit makes (they start with digits), so our call wins. */
const THEIR_CALL = 'zzzz-their-call';

describe('CallManager: glare our call wins', () => {
  let port: FakeVoipPort;
  let manager: CallManager;

  beforeEach(() => {
    port = new FakeVoipPort(ME, 'MYDEVICE01', [{ roomId: DM, joinRule: 'invite', joinedMembers: [ME, PEER] }]);
    manager = new CallManager(port, { log: capturingLogger(), relayOnly: true, getUserMedia: () => Promise.resolve(new MediaStream()) });
  });

  afterEach(() => {
    port.sendOutcome = undefined;
    manager.dispose();
  });

  it('sends the reject of their call only once our invite has reached the homeserver', async () => {
    let releaseInvite!: () => void;
    const inviteHeld = new Promise<void>((resolve) => {
      releaseInvite = resolve;
    });
    port.sendOutcome = (event) => (event.type === 'm.call.invite' ? inviteHeld : Promise.resolve());
    const ours = await manager.placeCall({ roomId: DM, userId: PEER }, 'voice');
    await waitFor(() => port.sent.some((event) => event.type === 'm.call.invite'), 'our invite to be under way');
    expect(ours.getSnapshot().phase).to.equal('invite_sent');

    const { sdp } = await makeAudioOffer();
    port.deliver([{ type: 'm.call.invite', sender: PEER, roomId: DM, content: { version: '1', call_id: THEIR_CALL, party_id: 'PEERDEVICE', offer: { type: 'offer', sdp }, lifetime: 90_000, invitee: ME } }]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(port.sent.map((event) => event.type), 'nothing of their call goes out before our invite').to.not.include('m.call.reject');

    releaseInvite();
    await waitFor(() => port.accepted.some((event) => event.type === 'm.call.reject'), 'the reject of their call');
    const order = port.accepted.map((event) => `${event.type} ${String(event.content.call_id)}`);
    expect(order.indexOf(`m.call.invite ${ours.getSnapshot().callId}`)).to.be.lessThan(order.indexOf(`m.call.reject ${THEIR_CALL}`));
  });
});
