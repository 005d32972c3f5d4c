import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { MxGroupCall } from '../../../components/group-call/index.js';
import { gridShape, MAX_TILES_PER_PAGE, MIN_TILE_HEIGHT, MIN_TILE_WIDTH, pageCapacity, paginate } from '../../../components/group-call/group-call-layout.js';
import { groupCallAnnouncement } from '../../../components/group-call/group-call-strings.js';
import { qualityText } from '../../../components/internal/call-strings.js';
import '../../../define/mx-group-call.js';
import { MxError } from '../../../signaling/errors.js';
import { CALL_REACTIONS, type GroupCallHandle, type GroupParticipant } from '../../../signaling/rtc/group-call.types.js';
import { fakeCall, feed, liveStream, local, participant, people, reaction, stopFakeTracks, type FakeGroupCall } from '../../helpers/browser/fake-group-call.js';
import { waitFor } from '../../helpers/browser/wait-for.js';

// ---- reading the element ----

const STATES = ['empty', 'joining', 'connected', 'reconnecting', 'leaving', 'left', 'failed', 'grid', 'spotlight', 'presentation', 'paginated', 'mic-muted', 'camera-muted', 'hand-raised'];
const states = (el: HTMLElement) => STATES.filter((s) => el.matches(`:state(${s})`));
const all = <T extends Element = HTMLElement>(el: HTMLElement, selector: string) => [...(el.shadowRoot?.querySelectorAll<T>(selector) ?? [])];
const part = <T extends HTMLElement = HTMLElement>(el: HTMLElement, name: string) => el.shadowRoot?.querySelector<T>(`[part~="${name}"]`) ?? null;
const parts = (el: HTMLElement | Element, name: string) => [...((el.shadowRoot ?? el).querySelectorAll<HTMLElement>(`[part~="${name}"]`))];
const text = (el: HTMLElement, name: string) => part(el, name)?.textContent?.trim().replace(/\s+/g, ' ') ?? null;
const tiles = (el: HTMLElement) => all(el, '[part~="tile"]');
const tileNames = (el: HTMLElement) => tiles(el).map((tile) => tile.getAttribute('aria-label'));
const tileOf = (el: HTMLElement, name: string) => tiles(el).find((tile) => tile.getAttribute('aria-label') === name) ?? null;
const videoOf = (tile: Element) => tile.querySelector('video') as HTMLVideoElement;
const liveText = (el: HTMLElement) => el.shadowRoot?.querySelector('[aria-live]')?.textContent?.trim() ?? '';
const button = (el: HTMLElement, name: string) => part<HTMLButtonElement>(el, `${name}-button`) as HTMLButtonElement;
const columns = (el: HTMLElement) => Number(part(el, 'stage')?.style.getPropertyValue('--_columns'));

/** Identity check that names what it compared: chai would walk a whole element or stream to print a failure. */
function expectSame(actual: unknown, expected: unknown, what: string): void {
  if (actual !== expected) throw new Error(`expected ${what} to be the same object`);
}

const nextFrame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

async function settle(el: MxGroupCall): Promise<void> {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
  await el.updateComplete;
}

async function render(call: GroupCallHandle | undefined, { width = 800, height = 600, layout = 'grid' } = {}): Promise<MxGroupCall> {
  const el = await fixture<MxGroupCall>(html`<mx-group-call style="width: ${width}px; height: ${height}px" layout=${layout} .call=${call}></mx-group-call>`);
  // The grid follows the stage's measured size: ResizeObserver reports it in the rendering step after layout.
  await nextFrame();
  await nextFrame();
  await settle(el);
  return el;
}

/** Waits for the ResizeObserver to have measured the stage (the grid then matches its real size). */
async function measured(el: MxGroupCall, expectedColumns: number): Promise<void> {
  await waitFor(() => columns(el) === expectedColumns, `${expectedColumns} columns (now ${columns(el)})`);
}

describe('<mx-group-call>', () => {
  afterEach(stopFakeTracks);

  describe('layout geometry', () => {
    it('fits as many minimum-size tiles as the stage holds, at least one and at most the page maximum', () => {
      const table: [number, number, number][] = [
        [100, 80, 1],
        [344, 500, 8],
        [784, 480, MAX_TILES_PER_PAGE],
        [320, 240, 4],
        [700, 110, 4],
      ];
      for (const [width, height, expected] of table) expect(pageCapacity({ width, height }, 8), `${width}×${height}`).to.equal(expected);
    });

    it('chooses the columns that give the largest 16:9 picture', () => {
      const table: [number, number, number, number][] = [
        [1, 800, 450, 1],
        [2, 800, 450, 2],
        [4, 800, 450, 2],
        [4, 360, 640, 1],
        [9, 1200, 700, 3],
        [12, 1200, 500, 4],
        [2, 360, 640, 1],
      ];
      for (const [count, width, height, expected] of table) {
        expect(gridShape(count, { width, height }, 8).columns, `${count} tiles on ${width}×${height}`).to.equal(expected);
      }
    });

    it('pages items in order, keeping pinned items on the first page', () => {
      const items = ['a', 'b', 'c', 'd', 'e', 'f', 'g'];
      const id = (item: string) => item;
      expect(paginate(items, 3, id, [])).to.deep.equal([['a', 'b', 'c'], ['d', 'e', 'f'], ['g']]);
      expect(paginate(items, 3, id, ['f', 'g'])).to.deep.equal([['a', 'f', 'g'], ['b', 'c', 'd'], ['e']]);
      expect(paginate(items, 2, id, ['g', 'f', 'e'])).to.deep.equal([['f', 'g'], ['a', 'b'], ['c', 'd'], ['e']]);
      expect(paginate(items, 3, id, ['missing', 'g'])).to.deep.equal([['a', 'b', 'g'], ['c', 'd', 'e'], ['f']]);
      expect(paginate([], 3, id, ['a'])).to.deep.equal([[]]);
    });
  });

  describe('accessibility', () => {
    const cases: [string, () => FakeGroupCall | undefined, string?][] = [
      ['no call', () => undefined],
      ['joining', () => fakeCall({ phase: 'joining' })],
      ['one other participant', () => fakeCall({ participants: people(1) })],
      ['four participants with every indicator', () =>
        fakeCall({
          participants: [
            participant(0, { microphoneMuted: true, connectionQuality: 'poor' }),
            participant(1, { speaking: true, encrypted: false, connectionQuality: 'excellent' }),
            participant(2, { status: 'connecting', feeds: [], connectionQuality: 'unknown' }),
            participant(3, { cameraMuted: true, connectionQuality: 'lost' }),
          ],
          activeSpeakers: ['@user1:example.org:DEVICE1'],
          local: local({ microphoneMuted: true, cameraMuted: true }),
        })],
      ['raised hands, a reaction and the reactions menu', () =>
        fakeCall({
          participants: [participant(0, { handRaisedAt: 2000 }), participant(1)],
          local: local({ handRaisedAt: 1000 }),
          reactions: [reaction(1, 'ev1', '🎉', 'party')],
        })],
      ['twenty participants over pages', () => fakeCall({ participants: people(20) })],
      ['a screen share in the spotlight', () => fakeCall({ participants: [participant(0, { screenSharing: true, feeds: [feed('m.usermedia'), feed('m.screenshare')] }), participant(1)], screenShares: ['@user0:example.org:DEVICE0'] }), 'spotlight'],
      ['reconnecting', () => fakeCall({ phase: 'reconnecting', participants: people(2) })],
      ['failed', () => fakeCall({ phase: 'failed', error: new MxError('RTC_CONNECTION_LOST', 'The connection to the call server was lost.') })],
      ['left', () => fakeCall({ phase: 'left' })],
    ];
    for (const [name, make, layout] of cases) {
      it(`is accessible: ${name}`, async () => {
        const el = await render(make(), { layout: layout ?? 'grid' });
        if (name.includes('reactions menu')) {
          button(el, 'reactions').click();
          await settle(el);
        }
        await expect(el).to.be.accessible();
      });
    }

    it('is accessible at phone width', async () => {
      const el = await render(fakeCall({ participants: people(9) }), { width: 360, height: 640 });
      await expect(el).to.be.accessible();
    });

    it('has one polite live region', async () => {
      const el = await render(fakeCall({ participants: people(2) }));
      const regions = all(el, '[aria-live]');
      expect(regions.length).to.equal(1);
      expect(regions[0]?.getAttribute('aria-live')).to.equal('polite');
    });

    it('reaches every control with the keyboard, in order', async () => {
      const el = await render(fakeCall({ participants: people(20) }));
      el.focus();
      const focused = () => el.shadowRoot?.activeElement?.getAttribute('part');
      const seen = [focused()];
      for (let i = 0; i < 7; i += 1) {
        await sendKeys({ press: 'Tab' });
        seen.push(focused());
      }
      // "Previous page" is disabled on the first page.
      expect(seen).to.deep.equal([
        'button next-button',
        'button mic-button',
        'button camera-button',
        'button screenshare-button',
        'button hand-button',
        'button reactions-button',
        'button layout-button',
        'button leave-button',
      ]);
    });
  });

  describe('grid', () => {
    it('shows a tile for every participant and a muted self-view, in the grid by default', async () => {
      const call = fakeCall({ participants: people(3) });
      const el = await render(call);
      expect(states(el)).to.deep.equal(['connected', 'grid']);
      expect(tileNames(el)).to.deep.equal(['Alice Aalto', 'Bob Tanaka', 'Carol Chen', 'You']);
      const self = tileOf(el, 'You') as HTMLElement;
      expect(self.getAttribute('part')).to.contain('local-tile');
      const selfVideo = videoOf(self);
      expectSame(selfVideo.srcObject, call.getSnapshot().local.feeds[0]?.stream, 'the self-view stream');
      expect(selfVideo.muted).to.equal(true);
      for (const tile of tiles(el)) expect(videoOf(tile).muted, tile.getAttribute('aria-label') ?? '').to.equal(true);
    });

    it('fills the size a page gives it, also when the page makes it display: block (tiles are not squashed to nothing)', async () => {
      for (const display of ['block', 'flex', 'grid']) {
        const el = await fixture<MxGroupCall>(html`<mx-group-call style="display: ${display}; width: 960px; height: 600px" .call=${fakeCall({ participants: people(1) })}></mx-group-call>`);
        await nextFrame();
        await nextFrame();
        await settle(el);
        for (const tile of tiles(el)) {
          const { width, height } = tile.getBoundingClientRect();
          expect(height, `${display}: the height of ${tile.getAttribute('aria-label') ?? ''}'s tile`).to.be.greaterThan(100);
          expect(width, `${display}: the width of ${tile.getAttribute('aria-label') ?? ''}'s tile`).to.be.greaterThan(100);
        }
      }
    });

    it('picks columns from its width and the number of tiles', async () => {
      const wide = await render(fakeCall({ participants: people(3) }), { width: 900, height: 560 });
      await measured(wide, 2);
      const phone = await render(fakeCall({ participants: people(3) }), { width: 360, height: 720 });
      await measured(phone, 1);
      const nine = await render(fakeCall({ participants: people(8) }), { width: 1200, height: 760 });
      await measured(nine, 3);
    });

    it('pages past the tiles that fit, with labelled previous and next buttons', async () => {
      const el = await render(fakeCall({ participants: people(20) }), { width: 800, height: 600 });
      await waitFor(() => text(el, 'page-status') === 'Page 1 of 2', 'two pages');
      expect(states(el)).to.include('paginated');
      expect(tiles(el).length).to.equal(MAX_TILES_PER_PAGE);
      const firstPage = tileNames(el);
      expect(firstPage).to.include('You');
      expect(button(el, 'previous').disabled).to.equal(true);
      expect(button(el, 'previous').getAttribute('aria-label')).to.equal('Previous page');
      expect(button(el, 'next').getAttribute('aria-label')).to.equal('Next page');
      button(el, 'next').click();
      await settle(el);
      expect(text(el, 'page-status')).to.equal('Page 2 of 2');
      await settle(el);
      expect(liveText(el)).to.equal('Page 2 of 2');
      expect(tiles(el).length).to.equal(21 - MAX_TILES_PER_PAGE);
      expect(tileNames(el).some((name) => firstPage.includes(name))).to.equal(false);
      expect(button(el, 'next').disabled).to.equal(true);
      // Focus left the disabled button for the one that still works.
      expectSame(el.shadowRoot?.activeElement, button(el, 'previous'), 'the focused button');
      button(el, 'previous').click();
      await settle(el);
      expect(tileNames(el)).to.deep.equal(firstPage);
    });

    it('has more pages at phone width', async () => {
      const el = await render(fakeCall({ participants: people(20) }), { width: 360, height: 640 });
      await waitFor(() => text(el, 'page-status') === 'Page 1 of 3', `three pages (now ${text(el, 'page-status')})`);
      expect(columns(el)).to.equal(2);
    });

    it('never draws a tile below the minimum size, the pager included, from phone to desktop', async () => {
      const sizes: [number, number][] = [[360, 520], [360, 546], [360, 640], [390, 700], [800, 500], [1024, 600]];
      for (const [width, height] of sizes) {
        const el = await render(fakeCall({ participants: people(20) }), { width, height });
        const small = tiles(el)
          .map((tile) => tile.getBoundingClientRect())
          .filter((box) => box.width < MIN_TILE_WIDTH - 1 || box.height < MIN_TILE_HEIGHT - 1);
        expect(small.map((box) => `${Math.round(box.width)}×${Math.round(box.height)}`), `${width}×${height}`).to.deep.equal([]);
        el.remove();
      }
    });

    it('keeps the active speaker on the first page', async () => {
      const call = fakeCall({ participants: people(20) });
      const el = await render(call);
      await waitFor(() => text(el, 'page-status') === 'Page 1 of 2', 'two pages');
      const speaker = call.getSnapshot().participants[18] as GroupParticipant;
      expect(tileNames(el)).not.to.include(speaker.name);
      call.patch({ activeSpeakers: [speaker.identity] });
      await settle(el);
      expect(tileNames(el)).to.include(speaker.name);
      expect(tileNames(el)).to.include('You');
      // Once quiet, the last speaker stays where they are.
      call.patch({ activeSpeakers: [] });
      await settle(el);
      expect(tileNames(el)).to.include(speaker.name);
    });

    it('keeps the page within the pages there are when people leave', async () => {
      const call = fakeCall({ participants: people(20) });
      const el = await render(call);
      await waitFor(() => text(el, 'page-status') === 'Page 1 of 2', 'two pages');
      button(el, 'next').click();
      await settle(el);
      call.patch({ participants: people(3) });
      await settle(el);
      expectSame(part(el, 'pager'), null, 'the pager');
      expect(tileNames(el)).to.deep.equal(['Alice Aalto', 'Bob Tanaka', 'Carol Chen', 'You']);
    });

    it('plays the sound of every remote feed, screen shares included, whatever page shows them, and never our own', async () => {
      const call = fakeCall({
        participants: [...people(19), participant(19, { feeds: [feed('m.usermedia'), feed('m.screenshare')], screenSharing: true })],
        screenShares: ['@user19:example.org:DEVICE19'],
        local: local({ feeds: [feed('m.usermedia', { isLocal: true }), feed('m.screenshare', { isLocal: true })] }),
      });
      const el = await render(call, { layout: 'grid' });
      const audio = all<HTMLAudioElement>(el, 'audio');
      const remote = call.getSnapshot().participants.flatMap((p) => p.feeds.map((f) => f.stream));
      expect(audio.map((a) => (a.srcObject as MediaStream).id)).to.have.members(remote.map((stream) => stream.id));
      expect(audio.every((a) => !a.muted)).to.equal(true);
      const own = call.getSnapshot().local.feeds.map((f) => f.stream);
      expect(audio.some((a) => own.includes(a.srcObject as MediaStream))).to.equal(false);
      await waitFor(() => audio.every((a) => !a.paused), 'the audio to play');
    });
  });

  describe('speaker choice', () => {
    const original = HTMLMediaElement.prototype.setSinkId;
    afterEach(() => {
      HTMLMediaElement.prototype.setSinkId = original;
    });

    it('plays every remote feed on the speaker asked for with sink-id, and back on the default when unset', async () => {
      const asked: string[] = [];
      HTMLMediaElement.prototype.setSinkId = function (this: HTMLMediaElement, id: string) {
        asked.push(`${(this.srcObject as MediaStream).id}=${id}`);
        Object.defineProperty(this, 'sinkId', { value: id, configurable: true });
        return Promise.resolve();
      };
      const call = fakeCall({ participants: [participant(0, { feeds: [feed('m.usermedia'), feed('m.screenshare')] }), participant(1)] });
      const el = await render(call);
      expect(asked).to.deep.equal([]);
      el.sinkId = 'speaker-2';
      await settle(el);
      const streams = call.getSnapshot().participants.flatMap((p) => p.feeds.map((f) => f.stream.id));
      expect(asked).to.have.members(streams.map((id) => `${id}=speaker-2`));
      asked.length = 0;
      el.sinkId = undefined;
      await settle(el);
      expect(asked).to.have.members(streams.map((id) => `${id}=`));
    });
  });

  describe('spotlight', () => {
    it('shows the active speaker large and the others in a strip', async () => {
      const call = fakeCall({ participants: people(4), activeSpeakers: ['@user2:example.org:DEVICE2'] });
      const el = await render(call, { layout: 'spotlight' });
      expect(states(el)).to.deep.equal(['connected', 'spotlight']);
      expect(part(el, 'spotlight-tile')?.getAttribute('aria-label')).to.equal('Carol Chen');
      expect(parts(part(el, 'strip') as HTMLElement, 'tile').map((t) => t.getAttribute('aria-label'))).to.deep.equal(['Alice Aalto', 'Bob Tanaka', 'Dan Diaz', 'You']);
      call.patch({ activeSpeakers: ['@me:example.org:MYDEVICE', '@user0:example.org:DEVICE0'] });
      await settle(el);
      expect(part(el, 'spotlight-tile')?.getAttribute('aria-label')).to.equal('Alice Aalto');
      call.patch({ activeSpeakers: [] });
      await settle(el);
      expect(part(el, 'spotlight-tile')?.getAttribute('aria-label')).to.equal('Alice Aalto');
    });

    it('shows the first connected member when nobody has spoken, and yourself when alone', async () => {
      const el = await render(fakeCall({ participants: [participant(0, { status: 'connecting', feeds: [] }), participant(1)] }), { layout: 'spotlight' });
      expect(part(el, 'spotlight-tile')?.getAttribute('aria-label')).to.equal('Bob Tanaka');
      const alone = await render(fakeCall(), { layout: 'spotlight' });
      expect(part(alone, 'spotlight-tile')?.getAttribute('aria-label')).to.equal('You');
      expectSame(part(alone, 'strip'), null, 'the strip');
    });

    it('puts a screen share in the spotlight ahead of the speaker', async () => {
      const share = feed('m.screenshare');
      const call = fakeCall({
        participants: [participant(0), participant(1, { screenSharing: true, feeds: [feed('m.usermedia'), share] })],
        screenShares: ['@user1:example.org:DEVICE1'],
        activeSpeakers: ['@user0:example.org:DEVICE0'],
      });
      const el = await render(call, { layout: 'spotlight' });
      const spotlight = part(el, 'spotlight-tile') as HTMLElement;
      expect(spotlight.getAttribute('aria-label')).to.equal('Bob Tanaka (screen)');
      expect(spotlight.getAttribute('part')).to.contain('screenshare-tile');
      expectSame(videoOf(spotlight).srcObject, share.stream, 'the spotlight stream');
      expect(states(el)).to.include('presentation');
    });

    it('switches to the spotlight when a screen share starts, and back when it ends', async () => {
      const call = fakeCall({ participants: people(3) });
      const el = await render(call);
      const requests: string[] = [];
      el.addEventListener('mx-layout-change-request', (e) => requests.push(`${e.detail.layout}:${e.detail.reason}`));
      const sharer = participant(1, { screenSharing: true, feeds: [feed('m.usermedia'), feed('m.screenshare')] });
      call.patch({ participants: [participant(0), sharer, participant(2)], screenShares: [sharer.identity] });
      await settle(el);
      expect(el.layout).to.equal('spotlight');
      expect(el.getAttribute('layout')).to.equal('spotlight');
      expect(part(el, 'spotlight-tile')?.getAttribute('aria-label')).to.equal('Bob Tanaka (screen)');
      call.patch({ participants: people(3), screenShares: [] });
      await settle(el);
      expect(el.layout).to.equal('grid');
      expect(requests).to.deep.equal(['spotlight:screenshare', 'grid:screenshare']);
    });

    it('stays in the grid when the layout request is cancelled, with the share as a tile', async () => {
      const call = fakeCall({ participants: people(2) });
      const el = await render(call);
      el.addEventListener('mx-layout-change-request', (e) => e.preventDefault());
      const sharer = participant(1, { screenSharing: true, feeds: [feed('m.usermedia'), feed('m.screenshare')] });
      call.patch({ participants: [participant(0), sharer], screenShares: [sharer.identity] });
      await settle(el);
      expect(el.layout).to.equal('grid');
      expect(tileNames(el)).to.deep.equal(['Bob Tanaka (screen)', 'Alice Aalto', 'Bob Tanaka', 'You']);
    });
  });

  describe('tiles', () => {
    it('shows the muted microphone, speaking outline, connection quality and lock of each member', async () => {
      const el = await render(
        fakeCall({
          participants: [
            participant(0, { microphoneMuted: true, connectionQuality: 'poor', encrypted: true }),
            participant(1, { speaking: true, connectionQuality: 'excellent', encrypted: false }),
          ],
        }),
      );
      const alice = tileOf(el, 'Alice Aalto') as HTMLElement;
      const bob = tileOf(el, 'Bob Tanaka') as HTMLElement;
      expect(alice.querySelector('[part~="mic-muted"]')?.getAttribute('aria-label')).to.equal('Microphone muted');
      expectSame(bob.querySelector('[part~="mic-muted"]'), null, "Bob's muted icon");
      expect(bob.getAttribute('part')).to.contain('speaking-tile');
      expect(alice.getAttribute('part')).not.to.contain('speaking-tile');
      expect(getComputedStyle(bob, '::after').boxShadow).not.to.equal(getComputedStyle(alice, '::after').boxShadow);
      const aliceQuality = alice.querySelector('[part~="quality"]') as HTMLElement;
      expect(aliceQuality.getAttribute('role')).to.equal('img');
      expect(aliceQuality.getAttribute('aria-label')).to.equal('Connection poor');
      expect(aliceQuality.querySelectorAll('.lit').length).to.equal(1);
      expect(bob.querySelector('[part~="quality"]')?.querySelectorAll('.lit').length).to.equal(3);
      expect(alice.querySelector('[part~="encrypted"]')?.getAttribute('aria-label')).to.equal('End-to-end encrypted');
      expectSame(bob.querySelector('[part~="encrypted"]'), null, "Bob's lock");
      expectSame(tileOf(el, 'You')?.querySelector('[part~="quality"]'), null, 'the self-view quality');
    });

    it('outlines members the call lists as active speakers, yourself included', async () => {
      const el = await render(fakeCall({ participants: people(2), activeSpeakers: ['@user1:example.org:DEVICE1'], local: local({ speaking: true }) }));
      expect(tiles(el).filter((t) => t.getAttribute('part')?.includes('speaking-tile')).map((t) => t.getAttribute('aria-label'))).to.deep.equal(['Bob Tanaka', 'You']);
    });

    it('shows "Connecting…" and the initials, never a picture, for a member whose media has not arrived', async () => {
      const el = await render(fakeCall({ participants: [participant(0, { status: 'connecting' })] }));
      const alice = tileOf(el, 'Alice Aalto') as HTMLElement;
      expect(alice.querySelector('[part~="connecting"]')?.textContent?.trim()).to.equal('Connecting…');
      expect(alice.querySelector('[part~="avatar"]')?.textContent?.trim()).to.equal('AA');
      expectSame(videoOf(alice).srcObject, null, "Alice's video stream");
      expect(videoOf(alice).hidden).to.equal(true);
      expect(alice.getAttribute('part')).to.contain('connecting-tile');
    });

    it('shows the initials instead of the picture when a camera is off, and the picture when it is back', async () => {
      const call = fakeCall({ participants: [participant(1, { cameraMuted: true })] });
      const el = await render(call);
      const bob = () => tileOf(el, 'Bob Tanaka') as HTMLElement;
      expect(bob().querySelector('[part~="avatar"]')?.textContent?.trim()).to.equal('BT');
      expect(videoOf(bob()).hidden).to.equal(true);
      const stream = call.getSnapshot().participants[0]?.feeds[0]?.stream;
      call.patch({ participants: [participant(1, { feeds: call.getSnapshot().participants[0]?.feeds ?? [] })] });
      await settle(el);
      expect(videoOf(bob()).hidden).to.equal(false);
      expectSame(videoOf(bob()).srcObject, stream, "Bob's video stream");
      expectSame(bob().querySelector('[part~="avatar"]'), null, "Bob's avatar");
    });

    it('draws a track that replaced another in the same stream (a reconnection) in a new <video>', async () => {
      const camera = feed('m.usermedia');
      const call = fakeCall({ participants: [participant(0, { feeds: [camera] })] });
      const el = await render(call);
      const before = videoOf(tileOf(el, 'Alice Aalto')!);
      expectSame(before.srcObject, camera.stream, 'the first video to show the stream');
      const [old] = camera.stream.getVideoTracks();
      old!.stop();
      camera.stream.removeTrack(old!);
      const [replacement] = liveStream().getVideoTracks();
      camera.stream.addTrack(replacement!);
      call.patch({ participants: [participant(0, { feeds: [{ ...camera }] })] });
      await settle(el);
      const after = videoOf(tileOf(el, 'Alice Aalto')!);
      expect(after === before, 'a new <video> for the new track').to.equal(false);
      expectSame(after.srcObject, camera.stream, 'the new video to show the same stream');
      expect(after.hidden).to.equal(false);
    });

        it('shows a camera-off icon in the self-view when your camera is off', async () => {
      const el = await render(fakeCall({ local: local({ cameraMuted: true }) }));
      const self = tileOf(el, 'You') as HTMLElement;
      expect(videoOf(self).hidden).to.equal(true);
      expect(!!self.querySelector('[part~="placeholder"] svg')).to.equal(true);
      expect(states(el)).to.include('camera-muted');
    });
  });

  describe('controls', () => {
    it('toggles the microphone and camera through cancelable requests, with aria-pressed', async () => {
      const call = fakeCall({ participants: people(1) });
      const el = await render(call);
      const mic = button(el, 'mic');
      expect(mic.getAttribute('aria-pressed')).to.equal('false');
      expect(mic.getAttribute('aria-label')).to.equal('Mute microphone');
      const micRequest = oneEvent(el, 'mx-mic-toggle-request');
      mic.click();
      expect((await micRequest).detail.muted).to.equal(true);
      await settle(el);
      expect(call.calls).to.deep.equal(['mic:true']);
      expect(mic.getAttribute('aria-pressed')).to.equal('true');
      expect(mic.getAttribute('aria-label')).to.equal('Unmute microphone');
      expect(states(el)).to.include('mic-muted');

      const camera = button(el, 'camera');
      const cameraRequest = oneEvent(el, 'mx-camera-toggle-request');
      camera.click();
      expect((await cameraRequest).detail.muted).to.equal(true);
      await settle(el);
      expect(call.calls).to.deep.equal(['mic:true', 'camera:true']);
      expect(camera.getAttribute('aria-pressed')).to.equal('true');
      expect(camera.getAttribute('aria-label')).to.equal('Turn on camera');
    });

    it('shares the screen through a cancelable request, with aria-pressed, shows your screen, and stops it', async () => {
      const call = fakeCall({ participants: people(1) });
      const el = await render(call);
      const share = button(el, 'screenshare');
      expect(share.getAttribute('aria-label')).to.equal('Share screen');
      expect(share.getAttribute('aria-pressed')).to.equal('false');
      const start = oneEvent(el, 'mx-screenshare-toggle-request');
      share.click();
      expect((await start).detail.enabled).to.equal(true);
      await settle(el);
      expect(call.calls).to.deep.equal(['screen:true']);
      expect(share.getAttribute('aria-pressed')).to.equal('true');
      expect(tileNames(el)).to.include('Your screen');
      const stop = oneEvent(el, 'mx-screenshare-toggle-request');
      share.click();
      expect((await stop).detail.enabled).to.equal(false);
      await settle(el);
      expect(call.calls).to.deep.equal(['screen:true', 'screen:false']);
      expect(share.getAttribute('aria-pressed')).to.equal('false');
      expect(tileNames(el)).not.to.include('Your screen');
    });

    it('says why a screen could not be shared (the picker was cancelled), and keeps the button off', async () => {
      const call = fakeCall({ participants: people(1) });
      const el = await render(call);
      call.failNext('screen');
      const error = oneEvent(el, 'mx-error');
      button(el, 'screenshare').click();
      await error;
      await settle(el);
      expect(text(el, 'error')).to.match(/^Could not share your screen: /);
      expect(button(el, 'screenshare').getAttribute('aria-pressed')).to.equal('false');
    });

    it('does nothing when a request is cancelled', async () => {
      const call = fakeCall({ participants: people(1) });
      const el = await render(call);
      for (const type of ['mx-mic-toggle-request', 'mx-camera-toggle-request', 'mx-screenshare-toggle-request', 'mx-leave-request'] as const) {
        el.addEventListener(type, (e) => e.preventDefault());
      }
      button(el, 'mic').click();
      button(el, 'camera').click();
      button(el, 'screenshare').click();
      button(el, 'leave').click();
      await settle(el);
      expect(call.calls).to.deep.equal([]);
      expect(call.getSnapshot().phase).to.equal('connected');
    });

    it('leaves through mx-leave-request, then fires mx-call-left and says so', async () => {
      const call = fakeCall({ participants: people(2) });
      const el = await render(call);
      expect(button(el, 'leave').getAttribute('aria-label')).to.equal('Leave call');
      const request = oneEvent(el, 'mx-leave-request');
      const left = oneEvent(el, 'mx-call-left');
      button(el, 'leave').click();
      await request;
      await left;
      expect(call.calls).to.deep.equal(['leave']);
      expect(text(el, 'message')).to.equal('You left the call');
      expect(liveText(el)).to.equal('You left the call');
    });

    it('toggles the layout with aria-pressed', async () => {
      const el = await render(fakeCall({ participants: people(2) }));
      const toggle = button(el, 'layout');
      expect(toggle.getAttribute('aria-label')).to.equal('Spotlight layout');
      expect(toggle.getAttribute('aria-pressed')).to.equal('false');
      const request = oneEvent(el, 'mx-layout-change-request');
      toggle.click();
      expect((await request).detail).to.deep.equal({ layout: 'spotlight', reason: 'user' });
      await settle(el);
      expect(el.layout).to.equal('spotlight');
      expect(toggle.getAttribute('aria-pressed')).to.equal('true');
      expect(!!part(el, 'spotlight-tile')).to.equal(true);
      toggle.click();
      await settle(el);
      expect(el.layout).to.equal('grid');
    });

    it('shows a refused request and fires mx-error', async () => {
      const call = fakeCall({ participants: people(1) });
      const el = await render(call);
      call.failNext('camera');
      const error = oneEvent(el, 'mx-error');
      button(el, 'camera').click();
      expect((await error).detail.error.code).to.equal('MEDIA_DEVICE_IN_USE');
      await settle(el);
      expect(text(el, 'error')).to.equal('Could not turn off the camera: The camera is busy.');
      expect(part(el, 'error')?.getAttribute('role')).to.equal('alert');
    });
  });

  describe('hands and reactions', () => {
    it('raises and lowers the hand through a cancelable request, with aria-pressed', async () => {
      const call = fakeCall({ participants: people(1) });
      const el = await render(call);
      const hand = button(el, 'hand');
      expect(hand.getAttribute('aria-label')).to.equal('Raise hand');
      expect(hand.getAttribute('aria-pressed')).to.equal('false');
      const request = oneEvent(el, 'mx-hand-raise-request');
      hand.click();
      expect((await request).detail.raised).to.equal(true);
      await settle(el);
      expect(call.calls).to.deep.equal(['hand:true']);
      expect(hand.getAttribute('aria-pressed')).to.equal('true');
      expect(states(el)).to.include('hand-raised');
      expect(tileOf(el, 'You')?.querySelector('[part~="hand"]')?.getAttribute('aria-label')).to.equal('Hand raised, number 1');
      hand.click();
      await settle(el);
      expect(call.calls).to.deep.equal(['hand:true', 'hand:false']);
      expect(hand.getAttribute('aria-pressed')).to.equal('false');
      expect(states(el)).not.to.include('hand-raised');
      expect(tileOf(el, 'You')?.querySelector('[part~="hand"]')).to.equal(null);

      el.addEventListener('mx-hand-raise-request', (e) => e.preventDefault());
      hand.click();
      await settle(el);
      expect(call.calls).to.deep.equal(['hand:true', 'hand:false']);
    });

    it('shows a refused hand, keeps it lowered and fires mx-error, never throwing', async () => {
      const call = fakeCall({ participants: people(1) });
      const el = await render(call);
      call.failNext('hand');
      const error = oneEvent(el, 'mx-error');
      button(el, 'hand').click();
      expect((await error).detail.error.code).to.equal('MEDIA_DEVICE_IN_USE');
      await settle(el);
      expect(text(el, 'error')).to.equal('Could not raise your hand: The camera is busy.');
      expect(button(el, 'hand').getAttribute('aria-pressed')).to.equal('false');
    });

    it('offers hands and reactions only while in the call', async () => {
      for (const phase of ['joining', 'leaving'] as const) {
        const el = await render(fakeCall({ phase, participants: people(1) }));
        expect(button(el, 'hand').disabled, phase).to.equal(true);
        expect(button(el, 'reactions').disabled, phase).to.equal(true);
      }
      const el = await render(fakeCall({ phase: 'reconnecting', participants: people(1) }));
      expect(button(el, 'hand').disabled).to.equal(false);
    });

    it("opens Element Call's reactions as a menu, used with the keyboard, and sends the one chosen", async () => {
      const call = fakeCall({ participants: people(1) });
      const el = await render(call);
      const open = button(el, 'reactions');
      expect(open.getAttribute('aria-haspopup')).to.equal('menu');
      expect(open.getAttribute('aria-expanded')).to.equal('false');
      expect(part(el, 'reactions-menu')).to.equal(null);
      open.focus();
      await sendKeys({ press: 'Enter' });
      await settle(el);
      expect(open.getAttribute('aria-expanded')).to.equal('true');
      const menu = part(el, 'reactions-menu');
      expect(menu?.getAttribute('role')).to.equal('menu');
      const items = parts(el, 'reaction-item');
      expect(items.map((item) => item.textContent)).to.deep.equal(CALL_REACTIONS.map((r) => r.emoji));
      expect(items.every((item) => item.getAttribute('role') === 'menuitem')).to.equal(true);
      const focused = () => el.shadowRoot?.activeElement?.textContent?.trim();
      expect(focused()).to.equal('👍');
      await sendKeys({ press: 'ArrowRight' });
      expect(focused()).to.equal('🎉');
      await sendKeys({ press: 'ArrowLeft' });
      await sendKeys({ press: 'ArrowLeft' });
      expect(focused()).to.equal('🥁');
      await sendKeys({ press: 'Home' });
      expect(focused()).to.equal('👍');
      await sendKeys({ press: 'Escape' });
      await settle(el);
      expect(part(el, 'reactions-menu')).to.equal(null);
      expect(el.shadowRoot?.activeElement).to.equal(open);

      await sendKeys({ press: 'Enter' });
      await settle(el);
      await sendKeys({ press: 'ArrowDown' });
      await sendKeys({ press: 'ArrowDown' });
      const request = oneEvent(el, 'mx-reaction-request');
      await sendKeys({ press: 'Enter' });
      expect((await request).detail).to.deep.equal({ emoji: '👏', name: 'clapping' });
      await settle(el);
      expect(call.calls).to.deep.equal(['reaction:clapping']);
      expect(part(el, 'reactions-menu')).to.equal(null);
      expect(el.shadowRoot?.activeElement).to.equal(open);
    });

    it('closes the reactions menu when focus leaves it', async () => {
      const el = await render(fakeCall({ participants: people(1) }));
      button(el, 'reactions').click();
      await settle(el);
      expect(part(el, 'reactions-menu')).not.to.equal(null);
      button(el, 'layout').focus();
      await settle(el);
      expect(part(el, 'reactions-menu')).to.equal(null);
    });

    it('shows a refused reaction and fires mx-error', async () => {
      const call = fakeCall({ participants: people(1) });
      const el = await render(call);
      call.failNext('reaction');
      button(el, 'reactions').click();
      await settle(el);
      const error = oneEvent(el, 'mx-error');
      parts(el, 'reaction-item')[0]?.click();
      await error;
      await settle(el);
      expect(text(el, 'error')).to.equal('Could not send the reaction: The camera is busy.');
    });

    it('numbers raised hands in the order they went up, yours included', async () => {
      const call = fakeCall({
        participants: [participant(0, { handRaisedAt: 3000 }), participant(1), participant(2, { handRaisedAt: 1000 })],
        local: local({ handRaisedAt: 2000 }),
      });
      const el = await render(call);
      const handOf = (name: string) => tileOf(el, name)?.querySelector('[part~="hand"]')?.textContent?.replace(/\s+/g, '') ?? null;
      expect([handOf('Alice Aalto'), handOf('Bob Tanaka'), handOf('Carol Chen'), handOf('You')]).to.deep.equal(['✋3', null, '✋1', '✋2']);
      call.patch({ participants: [participant(0, { handRaisedAt: 3000 }), participant(1), participant(2)] });
      await settle(el);
      expect([handOf('Alice Aalto'), handOf('Carol Chen'), handOf('You')]).to.deep.equal(['✋2', null, '✋1']);
    });

    it("shows a reaction over its sender's tile while the call lists it, the latest one only", async () => {
      const call = fakeCall({ participants: people(2) });
      const el = await render(call);
      const reactionOf = (name: string) => tileOf(el, name)?.querySelector('[part~="reaction"]') ?? null;
      expect(reactionOf('Alice Aalto')).to.equal(null);
      call.patch({ reactions: [reaction(0, 'ev1', '🐶', 'dog'), reaction(0, 'ev2', '👏', 'clapping')] });
      await settle(el);
      expect(reactionOf('Alice Aalto')?.textContent).to.equal('👏');
      expect(reactionOf('Alice Aalto')?.getAttribute('aria-label')).to.equal('Clapping');
      expect(reactionOf('Bob Tanaka')).to.equal(null);
      call.patch({ reactions: [] });
      await settle(el);
      expect(reactionOf('Alice Aalto')).to.equal(null);
    });

    it("announces the others' raised and lowered hands and reactions, not your own", async () => {
      const call = fakeCall({ participants: people(2) });
      const el = await render(call);
      call.patch({ participants: [participant(0, { handRaisedAt: 1000 }), participant(1)] });
      await settle(el);
      expect(liveText(el)).to.equal('Alice Aalto raised their hand');
      call.patch({ participants: people(2) });
      await settle(el);
      expect(liveText(el)).to.equal('Alice Aalto lowered their hand');
      call.patch({ reactions: [reaction(1, 'ev1', '🎉', 'party')] });
      await settle(el);
      expect(liveText(el)).to.equal('Bob Tanaka reacted 🎉');
      const region = el.shadowRoot?.querySelector('[aria-live]')?.firstElementChild;
      call.patch({
        local: local({ handRaisedAt: 5000 }),
        reactions: [reaction(1, 'ev1', '🎉', 'party'), { ...reaction(0, 'own', '👍', 'thumbsup'), identity: '@me:example.org:MYDEVICE' }],
      });
      await settle(el);
      expectSame(el.shadowRoot?.querySelector('[aria-live]')?.firstElementChild, region, 'the live region content');
    });
  });

  describe('phases', () => {
    it('shows "Joining…" with the controls and no tiles while joining', async () => {
      const el = await render(fakeCall({ phase: 'joining', participants: people(2) }));
      expect(states(el)).to.deep.equal(['joining']);
      expect(text(el, 'message')).to.equal('Joining…');
      expect(tiles(el).length).to.equal(0);
      expect(button(el, 'leave').disabled).to.equal(false);
      expect(button(el, 'mic').disabled).to.equal(false);
    });

    it('keeps the tiles under a reconnecting banner, with no overlay', async () => {
      const call = fakeCall({ participants: people(2) });
      const el = await render(call);
      const before = tiles(el);
      call.patch({ phase: 'reconnecting' });
      await settle(el);
      expect(states(el)).to.deep.equal(['reconnecting', 'grid']);
      expect(text(el, 'banner')).to.equal('Reconnecting…');
      expect(tiles(el).every((tile, i) => tile === before[i]) && tiles(el).length === before.length).to.equal(true);
      expect(button(el, 'leave').disabled).to.equal(false);
    });

    it('shows why the call failed, and fires mx-error', async () => {
      const call = fakeCall({ participants: people(2) });
      const el = await render(call);
      const error = new MxError('RTC_CONNECTION_LOST', 'The connection to the call server was lost.');
      const fired = oneEvent(el, 'mx-error');
      call.patch({ phase: 'failed', error, participants: [] });
      expectSame((await fired).detail.error, error, 'the error fired');
      await settle(el);
      expect(states(el)).to.deep.equal(['failed']);
      expect(text(el, 'message')).to.equal('The call failed The connection to the call server was lost.');
      expectSame(part(el, 'controls'), null, 'the controls');
    });

    it('fires nothing for a call set after it ended', async () => {
      const el = document.createElement('mx-group-call');
      let events = 0;
      el.addEventListener('mx-error', () => (events += 1));
      el.addEventListener('mx-call-left', () => (events += 1));
      el.call = fakeCall({ phase: 'failed', error: new MxError('RTC_CONNECTION_LOST', 'Lost.') });
      document.body.append(el);
      await settle(el);
      el.call = fakeCall({ phase: 'left' });
      await settle(el);
      el.remove();
      expect(events).to.equal(0);
    });

    it('shows "No call" without a call', async () => {
      const el = await render(undefined);
      expect(text(el, 'empty')).to.equal('No call');
      expect(states(el)).to.deep.equal(['empty']);
    });
  });

  describe('announcements', () => {
    it('says who joins and leaves, reconnecting, reconnected and failures, in the live region', async () => {
      const call = fakeCall({ phase: 'joining' });
      const el = await render(call);
      expect(liveText(el)).to.equal('');
      call.patch({ phase: 'connected', participants: people(2) });
      await settle(el);
      expect(liveText(el)).to.equal('You joined the call');
      call.patch({ participants: people(4) });
      await settle(el);
      expect(liveText(el)).to.equal('Carol Chen and Dan Diaz joined');
      call.patch({ participants: people(4).filter((p) => p.name !== 'Bob Tanaka') });
      await settle(el);
      expect(liveText(el)).to.equal('Bob Tanaka left');
      call.patch({ phase: 'reconnecting' });
      await settle(el);
      expect(liveText(el)).to.equal('Connection lost, reconnecting…');
      call.patch({ phase: 'connected' });
      await settle(el);
      expect(liveText(el)).to.equal('Reconnected');
      call.patch({ phase: 'failed', error: new MxError('RTC_CONNECTION_LOST', 'Lost the server.'), participants: [] });
      await settle(el);
      expect(liveText(el)).to.equal('The call failed: Lost the server.');
    });

    it('does not read out a change that says nothing new (a speaker, a mute)', async () => {
      const call = fakeCall({ participants: people(2) });
      const el = await render(call);
      call.patch({ participants: people(3) });
      await settle(el);
      const region = el.shadowRoot?.querySelector('[aria-live]')?.firstElementChild;
      call.patch({ activeSpeakers: ['@user0:example.org:DEVICE0'] });
      await settle(el);
      expectSame(el.shadowRoot?.querySelector('[aria-live]')?.firstElementChild, region, 'the live region content');
      expect(liveText(el)).to.equal('Carol Chen joined');
    });

    it('builds its sentences from two snapshots', () => {
      const base = fakeCall({ participants: people(1) }).getSnapshot();
      expect(groupCallAnnouncement(base, { ...base, participants: people(3) })).to.equal('Bob Tanaka and Carol Chen joined');
      expect(groupCallAnnouncement(base, { ...base, participants: [participant(5)] })).to.equal('Fay Fox joined. Alice Aalto left');
      expect(groupCallAnnouncement({ ...base, phase: 'joining', participants: [] }, base)).to.equal('You joined the call');
      expect(groupCallAnnouncement(base, { ...base, phase: 'leaving' })).to.equal('');
      expect(groupCallAnnouncement(base, { ...base, phase: 'failed', error: undefined })).to.equal('The call failed');
      expect(qualityText('unknown')).to.equal('Connection quality unknown');
    });
  });
});
