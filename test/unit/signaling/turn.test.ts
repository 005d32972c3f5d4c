import { expect } from '@open-wc/testing';
import { silentLogger } from '../../../signaling/log.js';
import type { TurnServerCredentials } from '../../../signaling/voip/port.js';
import { TurnCredentials } from '../../../signaling/voip/turn.js';

/** A homeserver whose /voip/turnServer answers are scripted, counting the requests. */
function homeserver(answers: (TurnServerCredentials | undefined | Error)[]) {
  const port = {
    requests: 0,
    turnServer(): Promise<TurnServerCredentials | undefined> {
      const answer = answers[Math.min(port.requests, answers.length - 1)];
      port.requests += 1;
      return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
    },
  };
  return port;
}

const credentials = (username: string, ttl = 3600): TurnServerCredentials => ({
  uris: ['turn:127.0.0.1:3478?transport=udp'], username, password: `${username}-password`, ttl,
});

describe('TurnCredentials', () => {
  let now = 1_000_000;
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

  it('maps the homeserver answer to an RTCIceServer', async () => {
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
