import { expect, fixture, html } from '@open-wc/testing';
import { property } from 'lit/decorators.js';
import { peerName, visibleName } from '../../../components/internal/call-strings.js';
import type { MxCall } from '../../../components/call/index.js';
import type { MxIncomingCall } from '../../../components/incoming-call/index.js';
import { AvatarController, type AvatarRequest } from '../../../components/internal/avatar-controller.js';
import { initials, renderAvatar } from '../../../components/internal/avatar.js';
import { defineElement } from '../../../components/internal/define-element.js';
import { MxElement } from '../../../components/internal/mx-element.js';
import type { MxVideoTile } from '../../../components/video-tile/index.js';
import '../../../define/mx-call.js';
import '../../../define/mx-incoming-call.js';
import { fetchThumbnail, type MediaClient } from '../../../signaling/matrix/media.js';
import type { CallSnapshot } from '../../../signaling/voip/types.js';
import { spyOnConsole } from '../../helpers/browser/console-spy.js';
import { createFakeCall, type FakeCall } from '../../helpers/browser/fake-call.js';
import { waitFor } from '../../helpers/browser/wait-for.js';

const PNG_BYTES = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII='), (c) => c.charCodeAt(0));
const png = () => new Blob([PNG_BYTES], { type: 'image/png' });
const RINGING: Partial<CallSnapshot> = { direction: 'inbound', phase: 'ringing', kind: 'video' };

/** Resolves with whether a blob: URL still names its blob (a revoked one no longer does). */
async function isLive(url: string): Promise<boolean> {
  try {
    await fetch(url);
    return true;
  } catch {
    return false;
  }
}

class TestAvatarHost extends MxElement {
  @property({ attribute: false }) request: AvatarRequest | undefined;
  readonly avatar = new AvatarController(this, () => this.request);

  protected override render() {
    return renderAvatar({ name: 'Bob Tanaka', key: 'bob', src: this.avatar.url, onError: () => this.avatar.imageFailed() });
  }
}
defineElement('test-avatar-host', TestAvatarHost);

interface Loads {
  readonly signals: AbortSignal[];
  /** Settles the oldest load still pending. */
  resolveNext(blob: Blob | undefined): void;
  rejectNext(error: unknown): void;
  request(key: string): AvatarRequest;
}

function deferredLoads(): Loads {
  const signals: AbortSignal[] = [];
  const pending: { resolve: (blob: Blob | undefined) => void; reject: (error: unknown) => void }[] = [];
  return {
    signals,
    resolveNext: (blob) => pending.shift()?.resolve(blob),
    rejectNext: (error) => pending.shift()?.reject(error),
    request: (key) => ({
      key,
      load: (signal) => {
        signals.push(signal);
        return new Promise((resolve, reject) => pending.push({ resolve, reject }));
      },
    }),
  };
}

const img = (el: Element) => el.shadowRoot?.querySelector<HTMLImageElement>('[part~="avatar"] img') ?? null;
const avatarText = (el: Element) => el.shadowRoot?.querySelector('[part~="avatar"]')?.textContent?.trim();

describe('avatars', () => {
  describe('initials', () => {
    const table: [string, string][] = [
      ['Bob Tanaka', 'BT'],
      ['Alice (demo)', 'AD'],
      ['@bob:example.org', 'B'],
      ['@carol.danvers:example.org', 'CD'],
      ['émile', 'É'],
      ['e\u0301mile zola', 'E\u0301Z'],
      ['👩‍🚀 Sally Ride', 'SR'],
      ['🎉 Party 🎉', 'P'],
      ["Conan O'Brien", 'CO'],
      ['  --Zoë--  ', 'Z'],
      ['[Bot] Helper #2', 'BH'],
      ['王小明', '王'],
      ['Agent 007', 'A'],
      ['🎉🎉', ''],
      ['1234', ''],
      ['\u200B\u200D', ''],
      ['', ''],
    ];
    for (const [name, expected] of table) {
      it(`${JSON.stringify(name)} → ${JSON.stringify(expected)}`, () => {
        expect(initials(name)).to.equal(expected);
      });
    }
  });

  describe('names', () => {
    const table: [string | undefined, string][] = [
      ['Bob Tanaka', 'Bob Tanaka'],
      ['  Bob  ', 'Bob'],
      ['Alice (demo)', 'Alice (demo)'],
      ['🎉', '🎉'],
      [undefined, '@bob:example.org'],
      ['', '@bob:example.org'],
      ['   ', '@bob:example.org'],
      ['\u200B\u200D', '@bob:example.org'],
      ['\u200B \u2060\uFEFF\u200E\u202E', '@bob:example.org'],
      ['\u3164\u3164', '@bob:example.org'],
      ['\u2800', '@bob:example.org'],
      ['\u0301\u0301', '@bob:example.org'],
      ['\u200BBob\u200B', '\u200BBob\u200B'],
    ];
    for (const [displayName, shown] of table) {
      it(`shows ${JSON.stringify(shown)} for the display name ${JSON.stringify(displayName)}`, () => {
        expect(peerName({ userId: '@bob:example.org', displayName, avatarUrl: undefined })).to.equal(shown);
        expect(visibleName(displayName, '@bob:example.org')).to.equal(shown);
      });
    }

    it('shows the user id, and its initials, for a caller whose name is zero-width only', async () => {
      const call = createFakeCall({ ...RINGING, peer: { userId: '@bob:example.org', displayName: '\u200B\u200D', avatarUrl: undefined } });
      const el = await fixture<MxIncomingCall>(html`<mx-incoming-call .call=${call}></mx-incoming-call>`);
      expect(el.shadowRoot?.querySelector('[part~="name"]')?.textContent).to.equal('@bob:example.org');
      expect(avatarText(el)).to.equal('B');
      const inCall = await fixture<MxCall>(html`<mx-call .call=${createFakeCall({ peer: { userId: '@bob:example.org', displayName: ' \u2060 ', avatarUrl: undefined } })}></mx-call>`);
      expect(inCall.shadowRoot?.querySelector('[part~="name"]')?.textContent).to.equal('@bob:example.org');
    });

    it('takes initials from the user id when the name has no letter', async () => {
      const call = createFakeCall({ ...RINGING, peer: { userId: '@bob:example.org', displayName: '🎉🎉', avatarUrl: undefined } });
      const el = await fixture<MxIncomingCall>(html`<mx-incoming-call .call=${call}></mx-incoming-call>`);
      expect(avatarText(el)).to.equal('B');
    });
  });

  describe('renderAvatar', () => {
    for (const src of ['http://127.0.0.1:9/a.png', 'https://example.org/a.png', 'data:image/png;base64,AAAA', 'mxc://example.org/abc', '//127.0.0.1:9/a.png']) {
      it(`renders no image for ${src}`, async () => {
        const el = await fixture<HTMLElement>(html`<div>${renderAvatar({ name: 'Bob Tanaka', key: 'bob', src, onError: () => undefined })}</div>`);
        expect(el.querySelector('img')).to.equal(null);
        expect(el.textContent?.trim()).to.equal('BT');
      });
    }
  });

  describe('AvatarController', () => {
    it('shows the loaded image through an object URL', async () => {
      const loads = deferredLoads();
      const el = await fixture<TestAvatarHost>(html`<test-avatar-host .request=${loads.request('a')}></test-avatar-host>`);
      expect(avatarText(el)).to.equal('BT');
      loads.resolveNext(png());
      await waitFor(() => img(el) !== null, 'the image');
      const url = el.avatar.url ?? '';
      expect(url.startsWith('blob:')).to.equal(true);
      expect(img(el)?.getAttribute('src')).to.equal(url);
      expect(await isLive(url)).to.equal(true);
    });

    it('revokes the URL when the host is disconnected, and loads again when it is back', async () => {
      const loads = deferredLoads();
      const el = await fixture<TestAvatarHost>(html`<test-avatar-host .request=${loads.request('a')}></test-avatar-host>`);
      loads.resolveNext(png());
      await waitFor(() => el.avatar.url !== undefined, 'the image');
      const url = el.avatar.url ?? '';
      const parent = el.parentNode as ParentNode;
      el.remove();
      expect(await isLive(url)).to.equal(false);
      expect(el.avatar.url).to.equal(undefined);
      parent.append(el);
      await el.updateComplete;
      expect(loads.signals).to.have.length(2);
      loads.resolveNext(png());
      await waitFor(() => el.avatar.url !== undefined, 'the image again');
      expect(el.avatar.url).not.to.equal(url);
    });

    it('revokes the URL when the avatar changes, and when it goes away', async () => {
      const loads = deferredLoads();
      const el = await fixture<TestAvatarHost>(html`<test-avatar-host .request=${loads.request('a')}></test-avatar-host>`);
      loads.resolveNext(png());
      await waitFor(() => el.avatar.url !== undefined, 'the first image');
      const first = el.avatar.url ?? '';
      el.request = loads.request('b');
      await el.updateComplete;
      expect(await isLive(first)).to.equal(false);
      expect(avatarText(el)).to.equal('BT');
      loads.resolveNext(png());
      await waitFor(() => el.avatar.url !== undefined, 'the second image');
      const second = el.avatar.url ?? '';
      el.request = undefined;
      await el.updateComplete;
      expect(await isLive(second)).to.equal(false);
      expect(img(el)).to.equal(null);
    });

    it('keeps its URL while the same avatar is asked for again', async () => {
      const loads = deferredLoads();
      const el = await fixture<TestAvatarHost>(html`<test-avatar-host .request=${loads.request('a')}></test-avatar-host>`);
      loads.resolveNext(png());
      await waitFor(() => el.avatar.url !== undefined, 'the image');
      const url = el.avatar.url;
      el.request = loads.request('a');
      await el.updateComplete;
      expect(el.avatar.url).to.equal(url);
      expect(loads.signals).to.have.length(1);
    });

    it('aborts a load that is no longer wanted and makes no URL when it finishes late', async () => {
      const loads = deferredLoads();
      const el = await fixture<TestAvatarHost>(html`<test-avatar-host .request=${loads.request('a')}></test-avatar-host>`);
      el.request = undefined;
      await el.updateComplete;
      expect(loads.signals[0]?.aborted).to.equal(true);
      const created: string[] = [];
      const create = URL.createObjectURL;
      URL.createObjectURL = (blob: Blob | MediaSource) => {
        const url = create(blob);
        created.push(url);
        return url;
      };
      try {
        loads.resolveNext(png());
        await new Promise((resolve) => setTimeout(resolve, 0));
      } finally {
        URL.createObjectURL = create;
      }
      expect(created).to.deep.equal([]);
      expect(el.avatar.url).to.equal(undefined);
    });

    it('falls back to initials, with a warning, when a load rejects', async () => {
      const warnings = spyOnConsole('warn');
      try {
        const loads = deferredLoads();
        const el = await fixture<TestAvatarHost>(html`<test-avatar-host .request=${loads.request('a')}></test-avatar-host>`);
        loads.rejectNext(new Error('boom'));
        await waitFor(() => warnings.calls.length > 0, 'the warning');
        expect(el.avatar.url).to.equal(undefined);
        expect(avatarText(el)).to.equal('BT');
      } finally {
        warnings.restore();
      }
    });

    it('shows initials and releases the URL when the image does not decode', async () => {
      const loads = deferredLoads();
      const el = await fixture<TestAvatarHost>(html`<test-avatar-host .request=${loads.request('a')}></test-avatar-host>`);
      const created: string[] = [];
      const errors: Event[] = [];
      el.shadowRoot?.addEventListener('error', (event) => errors.push(event), true);
      const create = URL.createObjectURL;
      URL.createObjectURL = (blob: Blob | MediaSource) => {
        const url = create(blob);
        created.push(url);
        return url;
      };
      try {
        loads.resolveNext(new Blob(['not an image'], { type: 'image/png' }));
        await waitFor(() => errors.length > 0, 'the image failing to decode');
      } finally {
        URL.createObjectURL = create;
      }
      await el.updateComplete;
      expect(created).to.have.length(1);
      expect(img(el)).to.equal(null);
      expect(avatarText(el)).to.equal('BT');
      expect(el.avatar.url).to.equal(undefined);
      expect(await isLive(created[0] ?? '')).to.equal(false);
    });
  });

  // The elements over the real thumbnail fetch (signaling/matrix/media.ts), with window.fetch as the only way
  // out and a spy on it: what the page would request from the homeserver, and that nothing else is requested.
  describe('the call elements', () => {
    const realFetch = window.fetch;
    let requested: string[];

    const homeserver: MediaClient = {
      url: (mxcUri, width, height) => {
        const [server, mediaId] = mxcUri.slice('mxc://'.length).split('/');
        return `http://127.0.0.1:8008/_matrix/client/v1/media/thumbnail/${server}/${mediaId}?width=${width}&height=${height}&method=crop`;
      },
      accessToken: () => 'token',
      fetch: (url, init) => window.fetch(url, init),
    };

    function callWithAvatar(avatarUrl: string, patch: Partial<CallSnapshot> = RINGING): FakeCall {
      return createFakeCall(
        { ...patch, peer: { userId: '@bob:example.org', displayName: 'Bob Tanaka', avatarUrl } },
        { avatar: (url, { size, signal }) => fetchThumbnail(homeserver, url, { width: size, height: size, signal }).catch(() => undefined) },
      );
    }

    beforeEach(() => {
      requested = [];
      window.fetch = (input: RequestInfo | URL) => {
        const url = input instanceof Request ? input.url : String(input);
        requested.push(url);
        if (url.startsWith('blob:')) return realFetch(input);
        return Promise.resolve(new Response(PNG_BYTES, { status: 200, headers: { 'Content-Type': 'image/png' } }));
      };
    });

    afterEach(() => {
      window.fetch = realFetch;
    });

    it('<mx-incoming-call> shows an mxc avatar fetched from the homeserver as a blob: image, released when the call stops ringing', async () => {
      const call = callWithAvatar('mxc://example.org/bobavatar');
      const el = await fixture<MxIncomingCall>(html`<mx-incoming-call .call=${call}></mx-incoming-call>`);
      await waitFor(() => (img(el)?.naturalWidth ?? 0) > 0, 'the decoded avatar');
      const src = img(el)?.getAttribute('src') ?? '';
      expect(src.startsWith('blob:')).to.equal(true);
      expect(requested).to.deep.equal(['http://127.0.0.1:8008/_matrix/client/v1/media/thumbnail/example.org/bobavatar?width=240&height=240&method=crop']);
      call.set({ phase: 'ended', endReason: 'invite_timeout', endedBy: 'remote' });
      await el.updateComplete;
      expect(img(el)).to.equal(null);
      window.fetch = realFetch;
      expect(await isLive(src)).to.equal(false);
    });

    for (const avatarUrl of ['http://127.0.0.1:9/bob.png', 'https://example.org/bob.png', 'data:image/png;base64,AAAA', 'mxc://example.org/a/../b']) {
      it(`<mx-incoming-call> and <mx-call> request nothing for ${avatarUrl} and show initials`, async () => {
        const ringing = callWithAvatar(avatarUrl);
        const dialog = await fixture<MxIncomingCall>(html`<mx-incoming-call .call=${ringing}></mx-incoming-call>`);
        const inCall = await fixture<MxCall>(html`<mx-call .call=${callWithAvatar(avatarUrl, { phase: 'connected' })}></mx-call>`);
        const tile = inCall.shadowRoot?.querySelector<MxVideoTile>('[part~="remote-tile"]') as MxVideoTile;
        await new Promise((resolve) => setTimeout(resolve, 0));
        await Promise.all([dialog.updateComplete, inCall.updateComplete, tile.updateComplete]);
        expect(requested).to.deep.equal([]);
        expect(img(dialog)).to.equal(null);
        expect(avatarText(dialog)).to.equal('BT');
        expect(tile.avatarUrl).to.equal(undefined);
        expect(img(tile)).to.equal(null);
        expect(avatarText(tile)).to.equal('BT');
      });
    }

    it('<mx-call> hands the remote tile a blob: URL of the mxc avatar, revoked when the element is removed', async () => {
      const el = await fixture<MxCall>(html`<mx-call .call=${callWithAvatar('mxc://example.org/bobavatar', { phase: 'connected' })}></mx-call>`);
      const tile = el.shadowRoot?.querySelector<MxVideoTile>('[part~="remote-tile"]') as MxVideoTile;
      await waitFor(() => (img(tile)?.naturalWidth ?? 0) > 0, 'the decoded avatar in the tile');
      const src = tile.avatarUrl ?? '';
      expect(src.startsWith('blob:')).to.equal(true);
      el.remove();
      window.fetch = realFetch;
      expect(await isLive(src)).to.equal(false);
    });
  });
});
