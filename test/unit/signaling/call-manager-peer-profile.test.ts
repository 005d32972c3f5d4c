import { expect } from '@open-wc/testing';
import { CallManager } from '../../../signaling/voip/call-manager.js';
import { makeAudioOffer } from '../../helpers/browser/session-descriptions.js';
import { waitFor } from '../../helpers/browser/wait-for.js';
import { capturingLogger, FakeVoipPort, type CapturingLogger, type FakeInboundEvent } from '../../helpers/fake-voip-port.js';

// The peer's name for a call whose room does not know it comes from their profile, asked for just after
// the call's first steps; a call that is over by then asks for nothing.

const ME = '@me:test';
const PEER = '@peer:test';
const PEER_PARTY = 'PEERDEVICE';
const DM = '!dm:test';
const CALL_ID = '1721234567890profileCall001';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('CallManager: the peer profile', () => {
  let port: FakeVoipPort;
  let manager: CallManager;
  let log: CapturingLogger;
  let invite: FakeInboundEvent;

  beforeEach(async () => {
    const offer = await makeAudioOffer();
    invite = {
      type: 'm.call.invite',
      sender: PEER,
      roomId: DM,
      ageMs: 0,
      content: {
        version: '1', call_id: CALL_ID, party_id: PEER_PARTY, invitee: ME, lifetime: 90_000,
        offer: { type: 'offer', sdp: offer.sdp },
        sdp_stream_metadata: { [offer.streamId]: { purpose: 'm.usermedia', audio_muted: false, video_muted: false } },
      },
    };
    port = new FakeVoipPort(ME, 'MYDEVICE01', [{ roomId: DM, joinRule: 'invite', joinedMembers: [ME, PEER] }]);
    port.profiles[PEER] = 'Pat Peer';
    log = capturingLogger();
    manager = new CallManager(port, { log, relayOnly: true, getUserMedia: () => Promise.resolve(new MediaStream()) });
  });

  afterEach(() => manager.dispose());

  it('names the caller from their profile when the room has no name for them', async () => {
    port.deliver([invite]);
    await waitFor(() => manager.getSnapshot().calls[0]?.getSnapshot().peer.displayName === 'Pat Peer', 'the profile name on the call');
    expect(port.profileRequests).to.deep.equal([PEER]);
  });

  it('asks for no profile when the call is over before the request would go', async () => {
    port.deliver([invite]);
    port.deliver([{ type: 'm.call.hangup', sender: PEER, roomId: DM, content: { version: '1', call_id: CALL_ID, party_id: PEER_PARTY, reason: 'user_hangup' } }]);
    await waitFor(() => log.lines.some((line) => line.text.includes('ended: user_hangup (remote)')), 'the call to end');
    // The manager's zero-delay timer was set before this one, so it has run by the time this resolves.
    await sleep(0);
    expect(port.profileRequests).to.deep.equal([]);
  });
});
