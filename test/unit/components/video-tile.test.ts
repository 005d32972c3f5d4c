import { expect, fixture, html } from '@open-wc/testing';
import type { MxVideoTile } from '../../../components/video-tile/index.js';
import '../../../define/mx-video-tile.js';
import type { CallFeed } from '../../../signaling/media/feed.js';
import { fakeFeed, paintedStream, expectSame } from '../../helpers/browser/fake-call.js';

const STATES = ['local', 'screenshare', 'mirrored', 'video-off', 'audio-muted', 'play-blocked'];

const part = (el: HTMLElement, name: string): HTMLElement => {
  const found = el.shadowRoot?.querySelector<HTMLElement>(`[part~="${name}"]`);
  if (!found) throw new Error(`no part "${name}"`);
  return found;
};
const hasPart = (el: HTMLElement, name: string) => !!el.shadowRoot?.querySelector(`[part~="${name}"]`);
const video = (el: MxVideoTile) => part(el, 'video') as HTMLVideoElement;
const states = (el: HTMLElement) => STATES.filter((s) => el.matches(`:state(${s})`));

const streams: MediaStream[] = [];
/** A stream with a live, painted video track, stopped after the test. */
function liveStream(scene: 'camera' | 'screen' = 'camera'): MediaStream {
  const stream = paintedStream({ scene });
  streams.push(stream);
  return stream;
}

async function tile(feed: CallFeed | undefined, name?: string, avatarUrl?: string): Promise<MxVideoTile> {
  return fixture<MxVideoTile>(
    html`<mx-video-tile style="width: 320px; height: 180px" .feed=${feed} .name=${name} .avatarUrl=${avatarUrl}></mx-video-tile>`,
  );
}

describe('<mx-video-tile>', () => {
  afterEach(() => {
    for (const stream of streams.splice(0)) for (const track of stream.getTracks()) track.stop();
  });

  describe('accessibility', () => {
    it('is accessible with no feed', async () => {
      await expect(await tile(undefined, 'Bob Tanaka')).to.be.accessible();
    });

    it('is accessible showing video with a muted microphone', async () => {
      await expect(await tile(fakeFeed({ stream: liveStream(), audioMuted: true }), 'Bob Tanaka')).to.be.accessible();
    });

    it('names the tile after the person and gives the muted badge an accessible name', async () => {
      const el = await tile(fakeFeed({ audioMuted: true }), 'Bob Tanaka');
      expect(part(el, 'base').getAttribute('role')).to.equal('group');
      expect(part(el, 'base').getAttribute('aria-label')).to.equal('Bob Tanaka');
      expect(part(el, 'indicator').getAttribute('role')).to.equal('img');
      expect(part(el, 'indicator').getAttribute('aria-label')).to.equal('Microphone muted');
    });
  });

  describe('rendering', () => {
    it('shows initials and no visible video without a feed', async () => {
      const el = await tile(undefined, 'Bob Tanaka');
      expect(part(el, 'avatar').textContent?.trim()).to.equal('BT');
      expect(video(el).hidden).to.equal(true);
      expect(states(el)).to.deep.equal(['video-off']);
    });

    it('plays a feed with a live video track', async () => {
      const stream = liveStream();
      const el = await tile(fakeFeed({ stream }));
      expectSame(video(el).srcObject, stream, 'video(el).srcObject to be stream');
      expect(video(el).hidden).to.equal(false);
      expect(hasPart(el, 'placeholder')).to.equal(false);
      expect(video(el).playsInline).to.equal(true);
      expect(video(el).autoplay).to.equal(true);
      expect(states(el)).to.deep.equal([]);
    });

    it('keeps an audio-only feed attached (its audio must play) behind the avatar', async () => {
      const stream = new MediaStream();
      const el = await tile(fakeFeed({ stream }), 'Bob Tanaka');
      expectSame(video(el).srcObject, stream, 'video(el).srcObject to be stream');
      expect(video(el).hidden).to.equal(true);
      expect(hasPart(el, 'avatar')).to.equal(true);
    });

    it('shows the placeholder while the video is muted, even with a live track', async () => {
      const el = await tile(fakeFeed({ stream: liveStream(), videoMuted: true }), 'Bob Tanaka');
      expect(video(el).hidden).to.equal(true);
      expect(hasPart(el, 'avatar')).to.equal(true);
      expect(states(el)).to.include('video-off');
    });

    it('switches to the placeholder when the video track ends', async () => {
      const stream = liveStream();
      const el = await tile(fakeFeed({ stream }), 'Bob Tanaka');
      const [track] = stream.getVideoTracks();
      track?.stop();
      track?.dispatchEvent(new Event('ended'));
      await el.updateComplete;
      expect(video(el).hidden).to.equal(true);
      expect(hasPart(el, 'avatar')).to.equal(true);
    });

    it('mutes and mirrors a local camera feed', async () => {
      const el = await tile(fakeFeed({ stream: liveStream(), isLocal: true }));
      expect(video(el).muted).to.equal(true);
      expect(getComputedStyle(video(el)).transform).to.equal('matrix(-1, 0, 0, 1, 0, 0)');
      expect(states(el)).to.deep.equal(['local', 'mirrored']);
    });

    it('neither mutes nor mirrors a remote feed', async () => {
      const el = await tile(fakeFeed({ stream: liveStream() }));
      expect(video(el).muted).to.equal(false);
      expect(getComputedStyle(video(el)).transform).to.equal('none');
    });

    it('does not mirror your own screen share', async () => {
      const el = await tile(fakeFeed({ stream: liveStream('screen'), isLocal: true, purpose: 'm.screenshare' }));
      expect(getComputedStyle(video(el)).transform).to.equal('none');
      expect(states(el)).to.deep.equal(['local', 'screenshare']);
    });

    it('fits a screen share inside the tile and crops a camera to fill it', async () => {
      const camera = await tile(fakeFeed({ stream: liveStream() }));
      const screen = await tile(fakeFeed({ stream: liveStream('screen'), purpose: 'm.screenshare' }));
      expect(getComputedStyle(video(camera)).objectFit).to.equal('cover');
      expect(getComputedStyle(video(screen)).objectFit).to.equal('contain');
    });

    it('lets the page change the fit through custom properties', async () => {
      const el = await tile(fakeFeed({ stream: liveStream() }));
      el.style.setProperty('--mx-video-tile-camera-fit', 'contain');
      expect(getComputedStyle(video(el)).objectFit).to.equal('contain');
    });

    it('shows an icon, not initials, for your own camera when it is off', async () => {
      const el = await tile(fakeFeed({ isLocal: true, videoMuted: true }), 'You');
      expect(hasPart(el, 'placeholder')).to.equal(true);
      expect(hasPart(el, 'avatar')).to.equal(false);
    });

    it('falls back to the feed user id for the name', async () => {
      const el = await tile(fakeFeed({ userId: '@carol:example.org' }));
      expect(part(el, 'name').textContent).to.equal('@carol:example.org');
      expect(part(el, 'avatar').textContent?.trim()).to.equal('C');
    });

    it('prefers the name attribute', async () => {
      const el = await fixture<MxVideoTile>(html`<mx-video-tile name="Carol Danvers"></mx-video-tile>`);
      el.feed = fakeFeed({ userId: '@carol:example.org' });
      await el.updateComplete;
      expect(part(el, 'name').textContent).to.equal('Carol Danvers');
    });

    it('leaves the name out of the label with hide-name, keeping the badge and the accessible name', async () => {
      const el = await tile(fakeFeed({ audioMuted: true }), 'Bob');
      el.hideName = true;
      await el.updateComplete;
      expect(hasPart(el, 'name')).to.equal(false);
      expect(hasPart(el, 'indicator')).to.equal(true);
      expect(part(el, 'base').getAttribute('aria-label')).to.equal('Bob');
      expect(el.getAttribute('hide-name')).to.equal('');
    });

    it('shows the muted badge only for a muted camera feed', async () => {
      const el = await tile(fakeFeed({ audioMuted: false }), 'Bob');
      expect(hasPart(el, 'indicator')).to.equal(false);
      el.feed = fakeFeed({ audioMuted: true });
      await el.updateComplete;
      expect(hasPart(el, 'indicator')).to.equal(true);
      expect(states(el)).to.include('audio-muted');
      el.feed = fakeFeed({ audioMuted: true, purpose: 'm.screenshare' });
      await el.updateComplete;
      expect(hasPart(el, 'indicator')).to.equal(false);
    });

    it('shows a blob: avatar and loads no other URL', async () => {
      const png = URL.createObjectURL(new Blob(['image bytes'], { type: 'image/png' }));
      const el = await tile(undefined, 'Bob Tanaka', png);
      expect(part(el, 'avatar').querySelector('img')?.getAttribute('src')).to.equal(png);
      for (const other of ['http://127.0.0.1:9/bob.png', 'https://example.org/bob.png', 'data:image/png;base64,AAAA', 'mxc://example.org/abc']) {
        el.avatarUrl = other;
        await el.updateComplete;
        expectSame(part(el, 'avatar').querySelector('img'), null, `no image for ${other}`);
        expect(part(el, 'avatar').textContent?.trim()).to.equal('BT');
      }
      URL.revokeObjectURL(png);
    });

    it('names the tile after the feed\'s user id when the name shows nothing', async () => {
      const el = await tile(fakeFeed({ userId: '@bob:example.org' }), '\u200B\u200D');
      expect(part(el, 'base').getAttribute('aria-label')).to.equal('@bob:example.org');
      expect(part(el, 'avatar').textContent?.trim()).to.equal('B');
    });

    it('releases the stream on disconnect and attaches it again on reconnect', async () => {
      const stream = liveStream();
      const el = await tile(fakeFeed({ stream }));
      const parent = el.parentNode as ParentNode;
      el.remove();
      expectSame(video(el).srcObject, null, 'video(el).srcObject to be null');
      parent.append(el);
      await el.updateComplete;
      expectSame(video(el).srcObject, stream, 'video(el).srcObject to be stream');
    });

    it('keeps the same video element when the feed object changes but the stream does not', async () => {
      const stream = liveStream();
      const el = await tile(fakeFeed({ stream }));
      const before = video(el);
      el.feed = fakeFeed({ stream, audioMuted: true });
      await el.updateComplete;
      expectSame(video(el), before, 'video(el) to be before');
      expectSame(before.srcObject, stream, 'before.srcObject to be stream');
    });
  });

  describe('events', () => {
    const realPlay = HTMLMediaElement.prototype.play;
    afterEach(() => {
      HTMLMediaElement.prototype.play = realPlay;
    });

    it('offers a play button when autoplay is blocked, and hides it once playback starts', async () => {
      HTMLMediaElement.prototype.play = () => Promise.reject(new DOMException('blocked', 'NotAllowedError'));
      const el = await tile(fakeFeed({ stream: liveStream() }));
      await el.updateComplete;
      expect(states(el)).to.include('play-blocked');
      let played = 0;
      HTMLMediaElement.prototype.play = () => {
        played += 1;
        return Promise.resolve();
      };
      part(el, 'play-button').click();
      await Promise.resolve();
      await el.updateComplete;
      expect(played).to.equal(1);
      expect(hasPart(el, 'play-button')).to.equal(false);
    });

    it('ignores an aborted play, which only means a newer stream replaced it', async () => {
      HTMLMediaElement.prototype.play = () => Promise.reject(new DOMException('replaced', 'AbortError'));
      const el = await tile(fakeFeed({ stream: liveStream() }));
      await Promise.resolve();
      await el.updateComplete;
      expect(hasPart(el, 'play-button')).to.equal(false);
    });
  });

  describe('speaker (sink-id)', () => {
    /** A stream with sound, as a remote camera feed has (Chrome routes no stream without audio). */
    const withSound = async (): Promise<MediaStream> => {
      const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
      streams.push(stream);
      return stream;
    };
    // Device ids are hidden until the page has used a microphone or camera.
    const speakers = async (): Promise<string[]> => {
      await withSound();
      return (await navigator.mediaDevices.enumerateDevices()).filter((d) => d.kind === 'audiooutput').map((d) => d.deviceId);
    };
    const sinkSettles = (el: MxVideoTile, wanted: string) =>
      new Promise<void>((resolve, reject) => {
        const started = Date.now();
        const check = () => (video(el).sinkId === wanted ? resolve() : Date.now() - started > 5_000 ? reject(new Error(`sinkId stayed ${video(el).sinkId}`)) : setTimeout(check, 10));
        check();
      });

    it('plays the feed on the chosen speaker, and back on the default when unset', async () => {
      const listed = await speakers();
      const chosen = listed.find((id) => id !== '' && id !== 'default') ?? listed.find((id) => id !== '');
      expect(chosen, `Chromium lists a fake speaker (${listed.join(', ')})`).to.be.a('string');
      const el = await fixture<MxVideoTile>(html`<mx-video-tile .feed=${fakeFeed({ stream: await withSound() })} sink-id=${chosen ?? ''}></mx-video-tile>`);
      await sinkSettles(el, chosen ?? '');
      el.sinkId = undefined;
      await el.updateComplete;
      await sinkSettles(el, '');
    });

    it('leaves a feed without sound (a screen share) alone: there is nothing to route', async () => {
      const warned: unknown[][] = [];
      const original = console.warn;
      console.warn = (...args: unknown[]) => warned.push(args);
      try {
        const [chosen] = (await speakers()).filter((id) => id !== '' && id !== 'default');
        const el = await fixture<MxVideoTile>(html`<mx-video-tile .feed=${fakeFeed({ purpose: 'm.screenshare', stream: liveStream('screen') })} sink-id=${chosen ?? 'x'}></mx-video-tile>`);
        await el.updateComplete;
        expect(video(el).sinkId).to.equal('');
        expect(warned).to.deep.equal([]);
      } finally {
        console.warn = original;
      }
    });

    it('stays on the default speaker, with a warning, for a speaker that is not there or a bad value', async () => {
      const warned: unknown[][] = [];
      const original = console.warn;
      console.warn = (...args: unknown[]) => warned.push(args);
      try {
        const el = await fixture<MxVideoTile>(html`<mx-video-tile .feed=${fakeFeed({ stream: await withSound() })} sink-id="no-such-speaker"></mx-video-tile>`);
        await new Promise<void>((resolve) => {
          const check = () => (warned.length > 0 ? resolve() : setTimeout(check, 10));
          check();
        });
        expect(video(el).sinkId).to.equal('');
        expect(String(warned[0]?.[0])).to.match(/cannot play on speaker "no-such-speaker"/);
        (el as unknown as { sinkId: unknown }).sinkId = 42;
        await el.updateComplete;
        expect(String(warned[1]?.[0])).to.match(/sink-id must be a device id string/);
        expect(video(el).sinkId).to.equal('');
      } finally {
        console.warn = original;
      }
    });
  });
});
