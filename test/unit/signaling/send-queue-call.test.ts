import { expect } from '@open-wc/testing';
import { MxError } from '../../../signaling/errors.js';
import { HomeserverUnavailableError } from '../../../signaling/errors.js';
import { Call } from '../../../signaling/voip/call.js';
import { waitFor } from '../../helpers/browser/wait-for.js';
import { FakeClock } from '../../helpers/fake-clock.js';
import { capturingLogger, FakeVoipPort } from '../../helpers/fake-voip-port.js';

// The real Call over the fake port, with the send queue's clock injected: a homeserver that goes away while a
// call is up delays its events but loses none of them, and a homeserver that refuses one ends the call.

const ME = '@me:test';
const PEER = '@peer:test';
const DM = '!dm:test';

const unreachable = (): Promise<void> => Promise.reject(new HomeserverUnavailableError('fetch failed', undefined));
const settle = async (): Promise<void> => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('Call: its events and the homeserver', () => {
  let port: FakeVoipPort;
  let clock: FakeClock;
  let call: Call;

  const placeCall = async (): Promise<void> => {
    call = new Call(
      { callId: `call${Math.random().toString(36).slice(2)}`, roomId: DM, ourUserId: ME, ourPartyId: 'MYDEVICE01', peerUserId: PEER, direction: 'outbound', kind: 'voice' },
      {
        port,
        clock,
        log: capturingLogger(),
        peer: { userId: PEER, displayName: undefined, avatarUrl: undefined },
        iceServers: () => Promise.resolve([]),
        relayOnly: true,
        getUserMedia: () => Promise.resolve(new MediaStream()),
        getDisplayMedia: () => Promise.reject(new Error('no screen in this test')),
        mediaPermitted: () => Promise.resolve(true),
      },
    );
    call.dispatch({ type: 'place', kind: 'voice' });
  };
  const sentTypes = () => port.sent.map((event) => event.type);
  const acceptedTypes = () => port.accepted.map((event) => event.type);

  beforeEach(() => {
    port = new FakeVoipPort(ME, 'MYDEVICE01', [{ roomId: DM, joinRule: 'invite', joinedMembers: [ME, PEER] }]);
    clock = new FakeClock();
  });

  afterEach(() => {
    port.sendOutcome = undefined;
    void call.hangup();
  });

  it('a hangup made while the homeserver is unreachable goes out once it is back, and hangup() resolves then', async () => {
    await placeCall();
    await waitFor(() => acceptedTypes().includes('m.call.invite'), 'the invite to be sent');
    port.sendOutcome = unreachable;

    let hungUp = false;
    const hangup = call.hangup().then(() => {
      hungUp = true;
    });
    expect(call.getSnapshot()).to.include({ phase: 'ended', endReason: 'user_hangup', endedBy: 'local' });
    await settle();
    await clock.advance(4_000, settle);
    expect(sentTypes().filter((type) => type === 'm.call.hangup').length, 'attempts while unreachable').to.be.greaterThan(1);
    expect(hungUp, 'hangup() resolved before the hangup went out').to.equal(false);

    port.sendOutcome = undefined;
    await clock.advance(3_000, settle);
    await hangup;
    expect(acceptedTypes(), 'what reached the homeserver').to.deep.equal(['m.call.invite', 'm.call.hangup']);
    const hangupTxns = new Set(port.sent.filter((event) => event.type === 'm.call.hangup').map((event) => event.txnId));
    expect(hangupTxns.size, 'one transaction id for every attempt at the hangup').to.equal(1);
    expect(call.getSnapshot().error, 'an outage the hangup outlived is no error').to.equal(undefined);
  });

  it('an invite held up by an outage goes out when the homeserver is back, and the call goes on', async () => {
    port.sendOutcome = unreachable;
    await placeCall();
    await waitFor(() => sentTypes().includes('m.call.invite'), 'a first attempt at the invite');
    await clock.advance(10_000, settle);
    expect(call.getSnapshot().phase).to.equal('invite_sent');

    port.sendOutcome = undefined;
    await clock.advance(3_000, settle);
    expect(acceptedTypes()).to.deep.equal(['m.call.invite']);
    expect(call.getSnapshot()).to.include({ phase: 'invite_sent', error: undefined });
  });

  it('a call hung up before its invite could go out sends nothing, and says the homeserver was unreachable', async () => {
    port.sendOutcome = unreachable;
    await placeCall();
    await waitFor(() => sentTypes().includes('m.call.invite'), 'a first attempt at the invite');
    await call.hangup();
    port.sendOutcome = undefined;
    await clock.advance(10_000, settle);
    expect(acceptedTypes()).to.deep.equal([]);
    expect(call.getSnapshot().error?.code).to.equal('HOMESERVER_UNREACHABLE');
    expect(port.abandoned.length, 'the failed invite abandoned').to.equal(1);
  });

  it('an invite the homeserver refuses ends the call with its error, and is not tried again', async () => {
    port.sendOutcome = () => Promise.reject(new MxError('HOMESERVER_REFUSED', 'the homeserver refused it: M_FORBIDDEN'));
    await placeCall();
    await waitFor(() => call.getSnapshot().phase === 'ended', 'the call to end');
    await clock.advance(10_000, settle);
    expect(call.getSnapshot().error?.code).to.equal('HOMESERVER_REFUSED');
    expect(sentTypes().filter((type) => type === 'm.call.invite')).to.have.length(1);
    expect(acceptedTypes()).to.deep.equal([]);
  });
});
