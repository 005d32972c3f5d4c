import { expect } from '@open-wc/testing';
import { silentLogger } from '../../../signaling/log.js';
import type { TurnServers } from '../../../signaling/voip/port.js';
import { TurnCredentials } from '../../../signaling/voip/turn.js';

/** A client whose TURN answers are scripted, counting the requests. */
function homeserver(answers: (TurnServers | undefined | Error | (() => TurnServers))[]) {
  const port = {
    requests: 0,
    turnServers(): Promise<TurnServers | undefined> {
      const answer = answers[Math.min(port.requests, answers.length - 1)];
      port.requests += 1;
      if (answer instanceof Error) return Promise.reject(answer);
      return Promise.resolve(typeof answer === 'function' ? answer() : answer);
    },
  };
  return port;
}

let now = 1_000_000;
/** Credentials as the client holds them, valid `ttl` seconds from when they are asked for. */
const credentials = (username: string, ttl = 3600) => (): TurnServers => ({
  servers: [{ urls: ['turn:127.0.0.1:3478?transport=udp'], username, credential: `${username}-password` }],
  expiresAt: now + ttl * 1000,
});

describe('TurnCredentials', () => {
  const clock = () => now;
  const turns: TurnCredentials[] = [];
  const make = (port: ReturnType<typeof homeserver>) => {
    const turn = new TurnCredentials(port, silentLogger, clock);
    turns.push(turn);
    return turn;
  };
  afterEach(() => {
    for (const turn of turns.splice(0)) turn.dispose();
    now = 1_000_000;
  });

  it('gives the client\'s servers as RTCIceServers', async () => {
    const turn = make(homeserver([credentials('1:@a:x')]));
    expect(await turn.iceServers()).to.deep.equal([{ urls: ['turn:127.0.0.1:3478?transport=udp'], username: '1:@a:x', credential: '1:@a:x-password' }]);
  });

  it('asks once while the credentials are fresh, and shares one request between callers', async () => {
    const port = homeserver([credentials('first')]);
    const turn = make(port);
    await Promise.all([turn.iceServers(), turn.iceServers()]);
    now += 30 * 60_000;
    await turn.iceServers();
    expect(port.requests).to.equal(1);
  });

  it('refreshes before they expire: within five minutes of expiry a call gets new credentials', async () => {
    const port = homeserver([credentials('first'), credentials('second')]);
    const turn = make(port);
    await turn.iceServers();
    now += 3600_000 - 4 * 60_000;
    const [server] = await turn.iceServers();
    expect(server?.username).to.equal('second');
    expect(port.requests).to.equal(2);
  });

  it('servers the client keeps fresh itself (no expiry known, as a widget\'s client) are read again for every call', async () => {
    const held = (username: string): TurnServers => ({ servers: [{ urls: ['turn:127.0.0.1:3478'], username, credential: 'secret' }], expiresAt: undefined });
    const port = homeserver([held('first'), held('second')]);
    const turn = make(port);
    expect((await turn.iceServers())[0]?.username).to.equal('first');
    expect((await turn.iceServers())[0]?.username).to.equal('second');
    expect(port.requests).to.equal(2);
  });

  it('a homeserver without TURN gives no ICE servers and is not asked again for an hour', async () => {
    const port = homeserver([undefined]);
    const turn = make(port);
    expect(await turn.iceServers()).to.deep.equal([]);
    now += 30 * 60_000;
    await turn.iceServers();
    expect(port.requests).to.equal(1);
  });

  it('a failed request keeps the last credentials and waits a minute before asking again', async () => {
    const port = homeserver([credentials('first', 600), new Error('HTTP 500'), credentials('third')]);
    const turn = make(port);
    await turn.iceServers();
    now += 600_000; // expired
    expect((await turn.iceServers())[0]?.username).to.equal('first');
    now += 30_000;
    await turn.iceServers();
    expect(port.requests).to.equal(2);
    now += 31_000;
    expect((await turn.iceServers())[0]?.username).to.equal('third');
  });
});
