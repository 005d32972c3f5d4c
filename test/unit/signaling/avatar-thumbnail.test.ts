import { expect } from '@open-wc/testing';
// matrix-js-sdk's own URL builder (the one JsSdkVoipPort uses through MatrixClient.mxcUrlToHttp); the SDK's
// index does not load in the test runner, this module does.
import { getHttpUriForMxc } from 'matrix-js-sdk/lib/content-repo.js';
import { MxError } from '../../../signaling/errors.js';
import { fetchThumbnail, type MediaClient } from '../../../signaling/matrix/media.js';
import { parseMxcUri } from '../../../signaling/matrix/media.js';
import { CallManager } from '../../../signaling/voip/call-manager.js';
import type { CallHandle } from '../../../signaling/voip/types.js';
import { makeAudioOffer } from '../../helpers/browser/session-descriptions.js';
import { waitFor } from '../../helpers/browser/wait-for.js';
import { capturingLogger, FakeVoipPort, type CapturingLogger } from '../../helpers/fake-voip-port.js';

// Avatars are fetched only as thumbnails of mxc:// media, through the homeserver's authenticated media API;
// no other URL a peer sets is ever requested.

const BASE_URL = 'http://127.0.0.1:8008';
const PNG = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII='), (c) => c.charCodeAt(0));

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('parseMxcUri', () => {
  const wellFormed: [string, string, string][] = [
    ['mxc://example.org/abc', 'example.org', 'abc'],
    ['mxc://localhost:8448/AbC_d-1', 'localhost:8448', 'AbC_d-1'],
    ['mxc://127.0.0.1/x', '127.0.0.1', 'x'],
    ['mxc://[::1]:8448/x', '[::1]:8448', 'x'],
  ];
  for (const [uri, serverName, mediaId] of wellFormed) {
    it(`accepts ${uri}`, () => {
      expect(parseMxcUri(uri)).to.deep.equal({ serverName, mediaId });
    });
  }

  const refused: unknown[] = [
    'http://127.0.0.1:9/a.png',
    'https://example.org/a.png',
    'data:image/png;base64,AAAA',
    'blob:http://127.0.0.1/abc',
    'MXC://example.org/abc',
    ' mxc://example.org/abc',
    'mxc://example.org/abc ',
    'mxc://example.org/abc/def',
    'mxc://example.org/',
    'mxc:///abc',
    'mxc://example.org',
    'mxc://exa mple.org/abc',
    'mxc://example.org/abc?width=1',
    'mxc://example.org/abc#x',
    'mxc://user@example.org/abc',
    'mxc://example.org/%2e%2e',
    'mxc://example.org/../abc',
    'mxc://example.org:123456/abc',
    'mxc://[not-ipv6]/abc',
    `mxc://example.org/${'a'.repeat(256)}`,
    '',
    undefined,
    42,
    { toString: () => 'mxc://example.org/abc' },
  ];
  for (const uri of refused) {
    it(`refuses ${JSON.stringify(String(uri)).slice(0, 60)}`, () => {
      expect(parseMxcUri(uri)).to.equal(undefined);
    });
  }
});

describe('fetchThumbnail', () => {
  let requests: { url: string; headers: Headers; credentials: RequestCredentials | undefined }[];
  let respond: () => Response | Promise<Response>;
  let token: string | null;
  // As JsSdkVoipPort wires it, with the SDK's URL builder and a fetch spy.
  const client: MediaClient = {
    url: (uri, width, height) => getHttpUriForMxc(BASE_URL, uri, width, height, 'crop', false, true, true),
    accessToken: () => token,
    fetch: (url, init) => {
      requests.push({ url, headers: new Headers(init.headers), credentials: init.credentials });
      return Promise.resolve(respond());
    },
  };
  const port = { mediaThumbnail: (uri: string, options: { width: number; height: number; signal?: AbortSignal }) => fetchThumbnail(client, uri, options) };

  beforeEach(() => {
    requests = [];
    token = 'secret-token';
    respond = () => new Response(PNG, { status: 200, headers: { 'Content-Type': 'image/png' } });
  });

  it('asks the authenticated media API for a cropped thumbnail with the session token, and returns the image', async () => {
    const blob = await port.mediaThumbnail('mxc://example.org/abc', { width: 95.6, height: 96 });
    expect(requests).to.have.length(1);
    const url = new URL(requests[0]?.url ?? '');
    expect(`${url.origin}${url.pathname}`).to.equal(`${BASE_URL}/_matrix/client/v1/media/thumbnail/example.org/abc`);
    expect(url.searchParams.get('width')).to.equal('96');
    expect(url.searchParams.get('height')).to.equal('96');
    expect(url.searchParams.get('method')).to.equal('crop');
    expect(requests[0]?.headers.get('Authorization')).to.equal('Bearer secret-token');
    expect(requests[0]?.credentials).to.equal('omit');
    expect(blob.type).to.equal('image/png');
    expect(new Uint8Array(await blob.arrayBuffer())).to.deep.equal(PNG);
  });

  for (const uri of ['http://127.0.0.1:9/a.png', 'https://example.org/a.png', 'data:image/png;base64,AAAA', 'mxc://example.org/abc/../x', 'mxc://example.org/abc?x=1']) {
    it(`never requests ${uri}`, async () => {
      const error = await rejection(port.mediaThumbnail(uri, { width: 96, height: 96 }));
      expect(error).to.be.instanceOf(MxError);
      expect((error as MxError).code).to.equal('INVALID_CONFIGURATION');
      expect(requests).to.deep.equal([]);
    });
  }

  it('refuses a size that is not a positive number, before any request', async () => {
    const error = await rejection(port.mediaThumbnail('mxc://example.org/abc', { width: Number.NaN, height: 96 }));
    expect((error as MxError).code).to.equal('INVALID_CONFIGURATION');
    expect(requests).to.deep.equal([]);
  });

  const refusedResponses: [string, () => Response][] = [
    ['a 404', () => new Response('{"errcode":"M_NOT_FOUND"}', { status: 404, headers: { 'Content-Type': 'application/json' } })],
    ['an HTML page', () => new Response('<html></html>', { status: 200, headers: { 'Content-Type': 'text/html' } })],
    ['an SVG document', () => new Response('<svg xmlns="http://www.w3.org/2000/svg"/>', { status: 200, headers: { 'Content-Type': 'image/svg+xml' } })],
    ['an untyped body', () => new Response(new Blob([PNG]), { status: 200 })],
    ['a body that says it is over 1 MiB', () => new Response(PNG, { status: 200, headers: { 'Content-Type': 'image/png', 'Content-Length': String(2 * 1024 * 1024) } })],
    ['a streamed body that grows past 1 MiB', () => new Response(endlessStream(), { status: 200, headers: { 'Content-Type': 'image/jpeg' } })],
  ];
  for (const [what, response] of refusedResponses) {
    it(`rejects ${what} with an MxError`, async () => {
      respond = response;
      const error = await rejection(port.mediaThumbnail('mxc://example.org/abc', { width: 96, height: 96 }));
      expect(error).to.be.instanceOf(MxError);
      expect(requests).to.have.length(1);
    });
  }

  it('rejects an unreachable homeserver as HOMESERVER_UNREACHABLE', async () => {
    respond = () => Promise.reject(new TypeError('Failed to fetch'));
    const error = await rejection(port.mediaThumbnail('mxc://example.org/abc', { width: 96, height: 96 }));
    expect((error as MxError).code).to.equal('HOMESERVER_UNREACHABLE');
  });

  it('requests nothing without an access token (a widget\'s client)', async () => {
    token = null;
    const error = await rejection(port.mediaThumbnail('mxc://example.org/abc', { width: 96, height: 96 }));
    expect((error as MxError).code).to.equal('INVALID_STATE');
    expect(requests).to.deep.equal([]);
  });

  it('rejects with the abort reason when the caller aborts', async () => {
    const abort = new AbortController();
    respond = () => new Promise((_resolve, reject) => abort.signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    const pending = rejection(port.mediaThumbnail('mxc://example.org/abc', { width: 96, height: 96, signal: abort.signal }));
    abort.abort(new Error('gone'));
    expect(((await pending) as Error).message).to.equal('gone');
  });
});

/** A body that never ends, 64 KiB a chunk; `cancel` is how the reader stops it. */
function endlessStream(): ReadableStream<Uint8Array<ArrayBuffer>> {
  return new ReadableStream({ pull: (controller) => controller.enqueue(new Uint8Array(64 * 1024)) });
}

describe('Call.loadPeerAvatar', () => {
  const ME = '@me:test';
  const PEER = '@peer:test';
  const DM = '!dm:test';
  let port: FakeVoipPort;
  let manager: CallManager;
  let log: CapturingLogger;

  async function ringingCallWithAvatar(avatarUrl: string): Promise<CallHandle> {
    port = new FakeVoipPort(ME, 'MYDEVICE01', [{ roomId: DM, joinRule: 'invite', joinedMembers: [ME, PEER], displayNames: { [PEER]: 'Pat' }, avatarUrls: { [PEER]: avatarUrl } }]);
    log = capturingLogger();
    manager = new CallManager(port, { log, relayOnly: true, getUserMedia: () => Promise.resolve(new MediaStream()) });
    const offer = await makeAudioOffer();
    port.deliver([{
      type: 'm.call.invite', sender: PEER, roomId: DM,
      content: {
        version: '1', call_id: `avatar${Date.now()}`, party_id: 'PEERDEVICE', invitee: ME, lifetime: 90_000,
        offer: { type: 'offer', sdp: offer.sdp },
        sdp_stream_metadata: { [offer.streamId]: { purpose: 'm.usermedia', audio_muted: false, video_muted: false } },
      },
    }]);
    await waitFor(() => manager.getSnapshot().ringing.length === 1, 'the call rings');
    return manager.getSnapshot().ringing[0] as CallHandle;
  }

  afterEach(() => manager.dispose());

  it('loads an mxc avatar as a thumbnail of the size asked for', async () => {
    const image = new Blob([PNG], { type: 'image/png' });
    const call = await ringingCallWithAvatar('mxc://test/avatar1');
    port.media.set('mxc://test/avatar1', image);
    expect(await call.loadPeerAvatar({ size: 240 })).to.equal(image);
    expect(port.mediaRequests).to.deep.equal([{ mxcUri: 'mxc://test/avatar1', width: 240, height: 240 }]);
  });

  it('makes one request for loads of the same avatar at once; an aborted one resolves undefined, the other gets the image', async () => {
    const image = new Blob([PNG], { type: 'image/png' });
    const call = await ringingCallWithAvatar('mxc://test/avatar1');
    port.media.set('mxc://test/avatar1', image);
    const abort = new AbortController();
    const first = call.loadPeerAvatar({ size: 240, signal: abort.signal });
    const second = call.loadPeerAvatar({ size: 240, signal: new AbortController().signal });
    abort.abort();
    expect(await first).to.equal(undefined);
    expect(await second).to.equal(image);
    expect(await call.loadPeerAvatar({ size: 240 })).to.equal(image);
    expect(port.mediaRequests).to.have.length(1);
  });

  for (const avatarUrl of ['http://127.0.0.1:9/avatar.png', 'https://example.org/a.png', 'data:image/png;base64,AAAA', 'mxc://test/a/b']) {
    it(`fetches nothing for ${avatarUrl}, resolves undefined and logs why`, async () => {
      const call = await ringingCallWithAvatar(avatarUrl);
      expect(await call.loadPeerAvatar({ size: 240 })).to.equal(undefined);
      expect(port.mediaRequests).to.deep.equal([]);
      expect(log.lines.some((line) => line.text.includes('avatar of @peer:test is not shown') && line.text.includes('Not an mxc:// content URI'))).to.equal(true);
    });
  }

  it('resolves undefined for media the homeserver does not have, without rejecting', async () => {
    const call = await ringingCallWithAvatar('mxc://test/gone');
    expect(await call.loadPeerAvatar({ size: 240 })).to.equal(undefined);
    expect(port.mediaRequests).to.have.length(1);
  });

  it('loads nothing once the call has ended', async () => {
    const call = await ringingCallWithAvatar('mxc://test/avatar1');
    port.media.set('mxc://test/avatar1', new Blob([PNG], { type: 'image/png' }));
    await call.reject();
    expect(await call.loadPeerAvatar({ size: 240 })).to.equal(undefined);
    expect(port.mediaRequests).to.deep.equal([]);
  });
});
