import { expect } from '@open-wc/testing';
import { MxError } from '../../../signaling/errors.js';
import type { MatrixClient } from 'matrix-js-sdk';
import { clientTransportSources, discoverTransports, parseTransport, type TransportSources } from '../../../signaling/rtc/transports.js';
import { capturingLogger } from '../../helpers/fake-voip-port.js';

const HOMESERVER = 'https://matrix.example.org';

function sources(homeserver: () => Promise<unknown>, wellKnown: () => Promise<unknown> = () => Promise.resolve(undefined)): TransportSources {
  return { homeserverUrl: HOMESERVER, homeserverTransports: homeserver, wellKnown };
}

const notServed = () => Promise.reject(Object.assign(new Error('M_UNRECOGNIZED: 404'), { httpStatus: 404 }));

describe('parseTransport', () => {
  const table: [string, unknown, string | { refused: RegExp }][] = [
    ['livekit with livekit_service_url', { type: 'livekit', livekit_service_url: 'https://sfu.example.org/' }, 'https://sfu.example.org'],
    ['m.livekit with url (Element Call 0.29)', { type: 'm.livekit', url: 'https://sfu.example.org/jwt' }, 'https://sfu.example.org/jwt'],
    ['extra fields are ignored', { type: 'livekit', livekit_service_url: 'http://127.0.0.1:8090', livekit_alias: '!room' }, 'http://127.0.0.1:8090'],
    ['not an object', 'livekit', { refused: /not an object/ }],
    ['an array', [{ type: 'livekit' }], { refused: /not an object/ }],
    ['another transport type', { type: 'full_mesh', url: 'https://x.example' }, { refused: /"full_mesh" is not a LiveKit transport/ }],
    ['no type', { livekit_service_url: 'https://x.example' }, { refused: /undefined is not a LiveKit transport/ }],
    ['livekit with url only (the other type\'s field)', { type: 'livekit', url: 'https://x.example' }, { refused: /livekit_service_url is not a string/ }],
    ['m.livekit with a number', { type: 'm.livekit', url: 42 }, { refused: /url is not a string/ }],
    ['not a URL', { type: 'livekit', livekit_service_url: 'sfu.example.org' }, { refused: /is not a URL/ }],
    ['a javascript: URL', { type: 'livekit', livekit_service_url: 'javascript:alert(1)' }, { refused: /not an http\(s\) URL/ }],
    ['a wss: URL (the SFU, not its token service)', { type: 'livekit', livekit_service_url: 'wss://sfu.example.org' }, { refused: /not an http\(s\) URL/ }],
    ['credentials in the URL', { type: 'livekit', livekit_service_url: 'https://user:secret@sfu.example.org' }, { refused: /carries credentials/ }],
    ['a huge URL', { type: 'livekit', livekit_service_url: `https://x.example/${'a'.repeat(3000)}` }, { refused: /longer than 2048/ }],
  ];
  for (const [name, entry, expected] of table) {
    it(name, () => {
      const parsed = parseTransport(entry);
      if (typeof expected === 'string') expect(parsed).to.deep.equal({ livekitServiceUrl: expected });
      else expect('refused' in parsed && expected.refused.test(parsed.refused), JSON.stringify(parsed)).to.equal(true);
    });
  }
});

describe('discoverTransports', () => {
  it('takes the homeserver\'s list first, in its order, each URL once, and skips what it cannot use with a logged reason', async () => {
    const log = capturingLogger();
    const found = await discoverTransports(sources(() => Promise.resolve([
      { type: 'full_mesh' },
      { type: 'livekit', livekit_service_url: 'https://a.example.org' },
      { type: 'm.livekit', url: 'https://b.example.org/' },
      { type: 'livekit', livekit_service_url: 'https://a.example.org/' },
    ]), () => Promise.resolve({ 'org.matrix.msc4143.rtc_foci': [{ type: 'livekit', livekit_service_url: 'https://well-known.example.org' }] })), ['https://configured.example.org'], log);
    expect(found).to.deep.equal([
      { livekitServiceUrl: 'https://a.example.org', source: 'homeserver' },
      { livekitServiceUrl: 'https://b.example.org', source: 'homeserver' },
    ]);
    expect(log.lines.map((line) => line.text).join('\n')).to.match(/ignored: type "full_mesh" is not a LiveKit transport/);
  });

  it('falls back to .well-known rtc_foci when the homeserver does not serve MSC4143', async () => {
    const found = await discoverTransports(sources(notServed, () => Promise.resolve({
      'm.homeserver': { base_url: HOMESERVER },
      'org.matrix.msc4143.rtc_foci': [{ type: 'livekit', livekit_service_url: 'https://well-known.example.org' }],
    })), ['https://configured.example.org'], capturingLogger());
    expect(found).to.deep.equal([{ livekitServiceUrl: 'https://well-known.example.org', source: 'well-known' }]);
  });

  it('falls back to .well-known when the homeserver\'s list has nothing usable', async () => {
    const found = await discoverTransports(sources(() => Promise.resolve([{ type: 'livekit', livekit_service_url: 'ftp://x' }]), () => Promise.resolve({
      'org.matrix.msc4143.rtc_foci': [{ type: 'm.livekit', url: 'https://well-known.example.org' }],
    })), [], capturingLogger());
    expect(found.map((transport) => transport.source)).to.deep.equal(['well-known']);
  });

  it('falls back to the configuration when neither the homeserver nor .well-known has one', async () => {
    const found = await discoverTransports(sources(notServed, () => Promise.reject(new Error('404'))), ['https://configured.example.org/'], capturingLogger());
    expect(found).to.deep.equal([{ livekitServiceUrl: 'https://configured.example.org', source: 'configuration' }]);
  });

  const garbage: [string, unknown][] = [
    ['null', null],
    ['a string', 'https://a.example.org'],
    ['an object instead of a list', { type: 'livekit', livekit_service_url: 'https://a.example.org' }],
    ['a list of junk', [1, 'two', null, [], { type: 3 }]],
  ];
  for (const [name, answer] of garbage) {
    it(`a garbage answer (${name}) from both sources gives NO_RTC_TRANSPORT, saying what to configure where, and throws nothing else`, async () => {
      const log = capturingLogger();
      const error = await discoverTransports(sources(() => Promise.resolve(answer), () => Promise.resolve({ 'org.matrix.msc4143.rtc_foci': answer })), [], log)
        .then(() => undefined, (rejection: unknown) => rejection);
      expect(error).to.be.instanceOf(MxError);
      expect((error as MxError).code).to.equal('NO_RTC_TRANSPORT');
      expect((error as MxError).message).to.contain(HOMESERVER).and.to.contain('matrix_rtc.transports').and.to.contain('org.matrix.msc4143.rtc_foci');
    });
  }

  it('only the first 16 entries of a huge list are read', async () => {
    const log = capturingLogger();
    const huge = Array.from({ length: 10_000 }, (_, index) => ({ type: 'livekit', livekit_service_url: `https://sfu${index}.example.org` }));
    const found = await discoverTransports(sources(() => Promise.resolve(huge)), [], log);
    expect(found).to.have.length(16);
    expect(log.lines.some((line) => /10000 entries, only the first 16 read/.test(line.text))).to.equal(true);
  });
});

describe('clientTransportSources: .well-known', () => {
  const FOCI = { 'org.matrix.msc4143.rtc_foci': [{ type: 'livekit', livekit_service_url: 'https://sfu.example.org' }] };
  /** A client whose well-known at the server name's domain is `atDomain`; the homeserver's own is what `fetch` answers. */
  function over(atDomain: unknown, answer: () => Response) {
    const requested: string[] = [];
    const client = {
      getHomeserverUrl: () => `${HOMESERVER}/`,
      waitForClientWellKnown: () => (atDomain instanceof Error ? Promise.reject(atDomain) : Promise.resolve(atDomain)),
      cachedRtcTransports: { wait: () => Promise.resolve([]) },
    } as unknown as MatrixClient;
    const fetchWellKnown = ((url: string) => {
      requested.push(url);
      return Promise.resolve(answer());
    }) as typeof fetch;
    return { sources: clientTransportSources(client, fetchWellKnown), requested };
  }

  it('takes the server name\'s .well-known when it names rtc_foci, and fetches nothing', async () => {
    const { sources, requested } = over(FOCI, () => new Response('{}'));
    expect(await sources.wellKnown()).to.deep.equal(FOCI);
    expect(requested).to.deep.equal([]);
  });

  it('else reads the homeserver\'s own /.well-known/matrix/client', async () => {
    const { sources, requested } = over(new Error('https://example.org unreachable'), () => new Response(JSON.stringify(FOCI)));
    expect(await sources.wellKnown()).to.deep.equal(FOCI);
    expect(requested).to.deep.equal([`${HOMESERVER}/.well-known/matrix/client`]);
  });

  it('refuses an answer that is not OK, not JSON, or too large to be a .well-known document', async () => {
    for (const answer of [() => new Response('{}', { status: 404 }), () => new Response('<html>'), () => new Response(`{"x":"${'a'.repeat(70_000)}"}`)]) {
      const { sources } = over({ 'm.homeserver': { base_url: HOMESERVER } }, answer);
      const failed = await sources.wellKnown().then(() => false, () => true);
      expect(failed).to.equal(true);
    }
  });
});
