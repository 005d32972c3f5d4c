import { expect } from '@open-wc/testing';
import { SparePeerConnection } from '../../../signaling/voip/spare-peer-connection.js';

const TURN: RTCConfiguration = {
  iceServers: [{ urls: ['turn:127.0.0.1:3478?transport=udp'], username: 'user', credential: 'secret' }],
  iceTransportPolicy: 'relay',
};

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SparePeerConnection', () => {
  let created: RTCPeerConnection[];
  let spares: SparePeerConnection[];

  const make = (refillDelayMs = 60_000): SparePeerConnection => {
    const spare = new SparePeerConnection({
      refillDelayMs,
      create: (configuration) => {
        const pc = new RTCPeerConnection(configuration);
        created.push(pc);
        return pc;
      },
    });
    spares.push(spare);
    return spare;
  };

  beforeEach(() => {
    created = [];
    spares = [];
  });

  afterEach(() => {
    for (const spare of spares) spare.dispose();
    for (const pc of created) pc.close();
  });

  it('hands out the connection it made ahead, with the ICE servers and policy of the call', () => {
    const spare = make();
    spare.prepare();
    expect(created).to.have.length(1);
    const pc = spare.take(TURN);
    expect(pc).to.equal(created[0]);
    expect(created).to.have.length(1);
    const configuration = pc.getConfiguration();
    expect(configuration.iceTransportPolicy).to.equal('relay');
    expect(configuration.iceServers?.[0]?.username).to.equal('user');
    expect(spare.ready).to.equal(false);
  });

  it('gives the spare the call\'s candidate pool, which a connection without a description still takes', () => {
    const spare = make();
    spare.prepare();
    const pc = spare.take({ ...TURN, iceCandidatePoolSize: 1 });
    expect(pc).to.equal(created[0]);
    expect(pc.getConfiguration().iceCandidatePoolSize).to.equal(1);
  });

  it('makes one only once, however often it is asked to prepare', () => {
    const spare = make();
    spare.prepare();
    spare.prepare();
    expect(created).to.have.length(1);
  });

  it('creates a connection when there is no spare', () => {
    const spare = make();
    const pc = spare.take(TURN);
    expect(created).to.deep.equal([pc]);
    expect(pc.getConfiguration().iceTransportPolicy).to.equal('relay');
  });

  it('never hands out a spare that was closed; it makes a new connection instead', () => {
    const spare = make();
    spare.prepare();
    created[0]?.close();
    const pc = spare.take(TURN);
    expect(pc).to.not.equal(created[0]);
    expect(pc.signalingState).to.equal('stable');
  });

  it('makes a new connection when the spare cannot take the configuration', () => {
    const spare = make();
    spare.prepare();
    // The bundle policy of a connection is fixed when it is made.
    const pc = spare.take({ ...TURN, bundlePolicy: 'max-bundle' });
    expect(created).to.have.length(2);
    expect(pc).to.equal(created[1]);
    expect(pc.getConfiguration().bundlePolicy).to.equal('max-bundle');
    expect(created[0]?.signalingState).to.equal('closed');
  });

  it('makes the next spare a while after one is taken', async () => {
    const spare = make(20);
    spare.prepare();
    spare.take(TURN);
    expect(spare.ready).to.equal(false);
    await wait(80);
    expect(spare.ready).to.equal(true);
    expect(created).to.have.length(2);
  });

  it('closes its spare and makes no more once disposed', async () => {
    const spare = make(20);
    spare.prepare();
    spare.take(TURN);
    spare.prepare();
    const waiting = created[1];
    spare.dispose();
    expect(waiting?.signalingState).to.equal('closed');
    await wait(80);
    spare.prepare();
    expect(created).to.have.length(2);
    expect(spare.ready).to.equal(false);
  });
});
