import { expect } from '@open-wc/testing';
import { MxError } from '../../../signaling/errors.js';
import { CallManager } from '../../../signaling/voip/call-manager.js';
import { waitFor } from '../../helpers/browser/wait-for.js';
import { capturingLogger, FakeVoipPort } from '../../helpers/fake-voip-port.js';

// Call events reach only members who joined: calling someone still invited to the DM (a DM made a moment
// ago, as a website visitor's is) waits for them to join before the invite goes out.

const ME = '@me:test';
const PEER = '@peer:test';
const DM = '!dm:test';

describe('CallManager: a peer not yet in the room', () => {
  let port: FakeVoipPort;
  let manager: CallManager;

  const start = (inviteLifetimeMs?: number) => {
    port = new FakeVoipPort(ME, 'MYDEVICE01', [{ roomId: DM, joinRule: 'invite', joinedMembers: [ME], invitedMembers: [PEER] }]);
    manager = new CallManager(port, { log: capturingLogger(), relayOnly: true, inviteLifetimeMs, getUserMedia: () => Promise.resolve(new MediaStream()) });
  };

  afterEach(() => manager.dispose());

  it('sends no invite until the peer joins, then places the call', async () => {
    start();
    let placed = false;
    const placing = manager.placeCall({ roomId: DM, userId: PEER }, 'voice').then((call) => {
      placed = true;
      return call;
    });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(placed).to.equal(false);
    expect(port.sent.filter((sent) => sent.type === 'm.call.invite')).to.have.length(0);
    port.setMembership(DM, PEER, 'invite');
    expect(placed, 'an invite to the room is not a join').to.equal(false);
    port.setMembership(DM, PEER, 'join');
    const call = await placing;
    await waitFor(() => call.getSnapshot().phase === 'invite_sent', 'the call invite');
    expect(port.sent.filter((sent) => sent.type === 'm.call.invite')).to.have.length(1);
  });

  it('fails with PEER_UNAVAILABLE when the peer leaves (declines the room) instead', async () => {
    start();
    const listening = port.listenerCount;
    const placing = manager.placeCall({ roomId: DM, userId: PEER }, 'voice');
    await waitFor(() => port.listenerCount > listening, 'the call to wait for the peer');
    port.setMembership(DM, PEER, 'leave');
    const error = await placing.then(() => undefined, (failure: unknown) => failure);
    expect(error).to.be.instanceOf(MxError);
    expect((error as MxError).code).to.equal('PEER_UNAVAILABLE');
    expect(manager.getSnapshot().calls).to.have.length(0);
    expect(port.sent).to.have.length(0);
  });

  it('fails with PEER_UNAVAILABLE when the peer does not join while the call would ring', async () => {
    start(100);
    const error = await manager.placeCall({ roomId: DM, userId: PEER }, 'voice').then(() => undefined, (failure: unknown) => failure);
    expect((error as MxError).code).to.equal('PEER_UNAVAILABLE');
    expect(port.sent).to.have.length(0);
  });

  it('places the call at once when the peer is not known to be invited (members not loaded: joined long ago)', async () => {
    start(100);
    port.setMembership(DM, PEER, 'leave');
    const call = await manager.placeCall({ roomId: DM, userId: PEER }, 'voice');
    await waitFor(() => call.getSnapshot().phase === 'invite_sent', 'the call invite');
  });

  it('ignores other rooms and other users', async () => {
    start(200);
    const listening = port.listenerCount;
    const placing = manager.placeCall({ roomId: DM, userId: PEER }, 'voice');
    await waitFor(() => port.listenerCount > listening, 'the call to wait for the peer');
    port.setMembership('!other:test', PEER, 'join');
    port.setMembership(DM, '@someone:test', 'join');
    const error = await placing.then(() => undefined, (failure: unknown) => failure);
    expect((error as MxError).code).to.equal('PEER_UNAVAILABLE');
  });
});
