import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { callAnnouncement, endReasonText, formatDuration, isoDuration, statusText } from '../../../components/internal/call-strings.js';
import type { MxCall } from '../../../components/call/index.js';
import type { MxCallControls } from '../../../components/call-controls/index.js';
import type { MxIncomingCall } from '../../../components/incoming-call/index.js';
import type { MxVideoTile } from '../../../components/video-tile/index.js';
import '../../../define/mx-call.js';
import { MxError } from '../../../signaling/errors.js';
import { CALL_END_REASONS, type CallSnapshot } from '../../../signaling/voip/types.js';
import { createFakeCall, fakeFeed, fakeSnapshot, installFakeClock, expectSame, type FakeCall, type FakeCallOptions } from '../../helpers/browser/fake-call.js';
import { waitFor } from '../../helpers/browser/wait-for.js';

const STATES = ['empty', 'calling', 'incoming', 'connecting', 'connected', 'on-hold', 'ended', 'voice', 'video', 'presentation', 'error'];

const part = <T extends HTMLElement = HTMLElement>(el: HTMLElement, name: string) =>
  el.shadowRoot?.querySelector<T>(`[part~="${name}"]`) ?? null;
const text = (el: HTMLElement, name: string) => part(el, name)?.textContent?.trim() ?? null;
const liveText = (el: MxCall) => el.shadowRoot?.querySelector('.base > [role="status"]')?.textContent?.trim() ?? '';
const states = (el: HTMLElement) => STATES.filter((s) => el.matches(`:state(${s})`));
const controls = (el: MxCall) => part<MxCallControls>(el, 'controls');
const incoming = (el: MxCall) => part<MxIncomingCall>(el, 'incoming-call') as MxIncomingCall;

async function callFor(call: FakeCall | undefined): Promise<MxCall> {
  return fixture<MxCall>(html`<mx-call style="width: 720px; height: 480px" .call=${call}></mx-call>`);
}

/** A connected video call with camera feeds on both sides. */
function videoCall(patch: Partial<CallSnapshot> = {}, options: FakeCallOptions = {}): FakeCall {
  return createFakeCall({
    localFeeds: [fakeFeed({ isLocal: true })],
    remoteFeeds: [fakeFeed()],
    ...patch,
  }, options);
}

async function settle(el: HTMLElement & { updateComplete: Promise<boolean> }): Promise<void> {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
  await el.updateComplete;
}

describe('<mx-call>', () => {
  describe('accessibility', () => {
    const cases: [string, () => FakeCall | undefined][] = [
      ['no call', () => undefined],
      ['an outgoing call ringing', () => videoCall({ phase: 'invite_sent' })],
      ['an incoming video call', () => createFakeCall({ direction: 'inbound', phase: 'ringing' })],
      ['a connected video call', () => videoCall()],
      ['a connected voice call', () => createFakeCall({ kind: 'voice', remoteFeeds: [fakeFeed()] })],
      ['a call on hold', () => videoCall({ localOnHold: true })],
      ['a screen share', () => videoCall({ remoteFeeds: [fakeFeed(), fakeFeed({ purpose: 'm.screenshare' })] })],
      ['an ended call with an error', () => videoCall({ phase: 'ended', endReason: 'ice_failed', error: new MxError('ICE_FAILED', 'No route to Bob.') })],
    ];
    for (const [name, make] of cases) {
      it(`is accessible for ${name}`, async () => {
        const el = await callFor(make());
        await settle(el);
        await expect(el).to.be.accessible();
      });
    }

    it('has one polite live region of its own', async () => {
      const el = await callFor(videoCall());
      const regions = el.shadowRoot?.querySelectorAll('[aria-live]');
      expect(regions).to.have.length(1);
      expect(regions?.[0]?.getAttribute('aria-live')).to.equal('polite');
    });
  });

  describe('rendering per phase', () => {
    const table: [Partial<CallSnapshot>, string, string[]][] = [
      [{ phase: 'fledgling', connectedAt: undefined }, 'Calling…', ['calling', 'video']],
      [{ phase: 'wait_local_media' }, 'Waiting for camera and microphone…', ['calling', 'video']],
      [{ phase: 'wait_local_media', kind: 'voice' }, 'Waiting for microphone…', ['calling', 'voice']],
      [{ phase: 'create_offer' }, 'Calling…', ['calling', 'video']],
      [{ phase: 'invite_sent' }, 'Ringing…', ['calling', 'video']],
      [{ phase: 'ringing', direction: 'inbound' }, 'Incoming video call', ['incoming', 'video']],
      [{ phase: 'ringing', direction: 'inbound', kind: 'voice' }, 'Incoming voice call', ['incoming', 'voice']],
      [{ phase: 'create_answer', direction: 'inbound' }, 'Connecting…', ['connecting', 'video']],
      [{ phase: 'connecting' }, 'Connecting…', ['connecting', 'video']],
      [{ phase: 'connected' }, 'Connected', ['connected', 'video']],
      [{ phase: 'connected', remoteOnHold: true }, 'On hold', ['connected', 'on-hold', 'video']],
      [{ phase: 'connected', localOnHold: true }, 'You put the call on hold', ['connected', 'on-hold', 'video']],
      [{ phase: 'ended', endReason: 'user_hangup', endedBy: 'remote' }, 'Call ended: Bob Tanaka hung up', ['ended', 'video']],
      [{ phase: 'ended', endReason: 'invite_timeout' }, 'Call ended: no answer', ['ended', 'video']],
    ];
    for (const [snapshot, status, expectedStates] of table) {
      it(`shows "${status}" for ${JSON.stringify(snapshot)}`, async () => {
        const el = await callFor(createFakeCall(snapshot));
        expect(text(el, 'status')).to.equal(status);
        expect(text(el, 'name')).to.equal('Bob Tanaka');
        expect(states(el)).to.deep.equal(expectedStates);
      });
    }

    it('shows an empty state and no controls with no call', async () => {
      const el = await callFor(undefined);
      expect(text(el, 'empty')).to.equal('No call');
      expectSame(controls(el), null, 'controls(el) to be null');
      expect(states(el)).to.deep.equal(['empty']);
    });

    it('shows the remote tile with the peer name and avatar, and the self-view, in a video call', async () => {
      const avatar = new Blob(['image bytes'], { type: 'image/png' });
      const asked: string[] = [];
      const call = videoCall(
        { peer: { userId: '@bob:example.org', displayName: 'Bob Tanaka', avatarUrl: 'mxc://example.org/bob' } },
        { avatar: (url) => (asked.push(url), Promise.resolve(avatar)) },
      );
      const el = await callFor(call);
      const remote = part<MxVideoTile>(el, 'remote-tile');
      const local = part<MxVideoTile>(el, 'local-tile');
      expectSame(remote?.feed, call.getSnapshot().remoteFeeds[0], 'remote?.feed to be call.getSnapshot().remoteFeeds[0]');
      expect(remote?.name).to.equal('Bob Tanaka');
      await waitFor(() => remote?.avatarUrl !== undefined, 'the avatar handed to the tile');
      expect(asked).to.deep.equal(['mxc://example.org/bob']);
      expect(remote?.avatarUrl?.startsWith('blob:')).to.equal(true);
      expectSame(local?.feed, call.getSnapshot().localFeeds[0], 'local?.feed to be call.getSnapshot().localFeeds[0]');
      expect(local?.name).to.equal('You');
      expectSame(part(el, 'screenshare-tile'), null, 'part(el, "screenshare-tile") to be null');
    });

    it('puts the self-view in a corner of the remote video', async () => {
      const el = await callFor(videoCall());
      const remote = part(el, 'remote-tile')?.getBoundingClientRect() as DOMRect;
      const local = part(el, 'local-tile')?.getBoundingClientRect() as DOMRect;
      expect(local.width).to.be.lessThan(remote.width / 2);
      expect(local.right).to.be.at.most(remote.right);
      expect(local.bottom).to.be.at.most(remote.bottom);
      expect(local.left).to.be.greaterThan(remote.left + remote.width / 2);
    });

    it('shows no self-view in a voice call, but still plays the remote feed', async () => {
      const el = await callFor(createFakeCall({ kind: 'voice', localFeeds: [fakeFeed({ isLocal: true })], remoteFeeds: [fakeFeed()] }));
      expectSame(part(el, 'local-tile'), null, 'part(el, "local-tile") to be null');
      expect(part<MxVideoTile>(el, 'remote-tile')?.feed !== undefined, 'the remote tile to have a feed').to.equal(true);
    });

    it('shows a remote screen share large, beside the cameras', async () => {
      const share = fakeFeed({ purpose: 'm.screenshare' });
      const el = await callFor(videoCall({ remoteFeeds: [fakeFeed(), share] }));
      const shared = part<MxVideoTile>(el, 'screenshare-tile');
      expectSame(shared?.feed, share, 'shared?.feed to be share');
      expect(shared?.name).to.equal('Bob Tanaka (screen)');
      expect(states(el)).to.include('presentation');
      const sharedBox = shared?.getBoundingClientRect() as DOMRect;
      const remoteBox = part(el, 'remote-tile')?.getBoundingClientRect() as DOMRect;
      expect(sharedBox.width).to.be.greaterThan(remoteBox.width * 2);
    });

    it('shows your own screen share when the other side shares none', async () => {
      const mine = fakeFeed({ purpose: 'm.screenshare', isLocal: true });
      const el = await callFor(videoCall({ screensharing: true, localFeeds: [fakeFeed({ isLocal: true }), mine] }));
      expectSame(part<MxVideoTile>(el, 'screenshare-tile')?.feed, mine, 'part<MxVideoTile>(el, "screenshare-tile")?.feed to be mine');
      expect(part<MxVideoTile>(el, 'screenshare-tile')?.name).to.equal('Your screen');
    });

    it('names the other side on their tile only beside a screen share (the header names them otherwise)', async () => {
      const call = videoCall();
      const el = await callFor(call);
      expect(part<MxVideoTile>(el, 'remote-tile')?.hideName).to.equal(true);
      call.set({ remoteFeeds: [...call.getSnapshot().remoteFeeds, fakeFeed({ purpose: 'm.screenshare' })] });
      await el.updateComplete;
      expect(part<MxVideoTile>(el, 'remote-tile')?.hideName).to.equal(false);
    });

    it('plays the other side on the speaker in sink-id: their camera and their screen, not your self-view', async () => {
      const call = videoCall({ remoteFeeds: [fakeFeed(), fakeFeed({ purpose: 'm.screenshare' })] });
      const el = await callFor(call);
      el.setAttribute('sink-id', 'headphones');
      await el.updateComplete;
      expect(part<MxVideoTile>(el, 'remote-tile')?.sinkId).to.equal('headphones');
      expect(part<MxVideoTile>(el, 'screenshare-tile')?.sinkId).to.equal('headphones');
      expect(part<MxVideoTile>(el, 'local-tile')?.sinkId).to.equal(undefined);
      el.sinkId = undefined;
      await el.updateComplete;
      expect(part<MxVideoTile>(el, 'remote-tile')?.sinkId).to.equal(undefined);
    });

    it('keeps the same remote tile element when a screen share starts', async () => {
      const call = videoCall();
      const el = await callFor(call);
      const before = part(el, 'remote-tile');
      call.set({ remoteFeeds: [...call.getSnapshot().remoteFeeds, fakeFeed({ purpose: 'm.screenshare' })] });
      await el.updateComplete;
      expectSame(part(el, 'remote-tile'), before, 'part(el, "remote-tile") to be before');
    });

    it('shows the dialog instead of the controls for an incoming call, and only for inbound calls', async () => {
      const inbound = createFakeCall({ direction: 'inbound', phase: 'ringing' });
      const el = await callFor(inbound);
      expectSame(controls(el), null, 'controls(el) to be null');
      expectSame(incoming(el).call, inbound, 'the dialog to get the inbound call');
      expect(incoming(el).matches(':state(open)')).to.equal(true);
      el.call = createFakeCall({ phase: 'invite_sent' });
      await el.updateComplete;
      expectSame(incoming(el).call, undefined, 'the dialog to get no outbound call');
      expectSame(controls(el)?.call, el.call, 'controls(el)?.call to be el.call');
    });

    it('shows an "On hold" overlay while either side holds, and "Call ended" once ended', async () => {
      const call = videoCall();
      const el = await callFor(call);
      expectSame(part(el, 'overlay'), null, 'part(el, "overlay") to be null');
      call.set({ remoteOnHold: true });
      await el.updateComplete;
      expect(text(el, 'overlay')).to.equal('On hold');
      call.set({ phase: 'ended', endReason: 'user_hangup', endedBy: 'local' });
      await el.updateComplete;
      expect(text(el, 'overlay')).to.equal('Call ended');
      expect(text(el, 'status')).to.equal('Call ended: you hung up');
    });

    it('shows the error the call reports', async () => {
      const el = await callFor(videoCall({ phase: 'ended', endReason: 'ice_failed', error: new MxError('ICE_FAILED', 'No route to Bob.') }));
      expect(text(el, 'error')).to.equal('No route to Bob.');
      expect(part(el, 'error')?.getAttribute('role')).to.equal('alert');
      expect(states(el)).to.include('error');
    });

    it('exports the parts of its controls', async () => {
      const el = await callFor(videoCall());
      expect(controls(el)?.getAttribute('exportparts')).to.contain('mic-button').and.contain('hangup-button');
      expect(incoming(el).getAttribute('exportparts')).to.contain('accept-video-button');
    });

    it('warns once and shows the empty state for a snapshot it cannot read', async () => {
      const warnings: unknown[][] = [];
      const warn = console.warn;
      console.warn = (...args: unknown[]) => warnings.push(args);
      try {
        const broken = { ...createFakeCall(), getSnapshot: () => ({ phase: 'banana' }) as unknown as CallSnapshot };
        const el = await callFor(broken as FakeCall);
        el.requestUpdate();
        await el.updateComplete;
        expect(text(el, 'empty')).to.equal('No call');
        expect(warnings).to.have.length(1);
        expect(String(warnings[0]?.[0])).to.contain('<mx-call>');
      } finally {
        console.warn = warn;
      }
    });

    it('unsubscribes from its call when removed', async () => {
      const call = videoCall();
      const el = await callFor(call);
      expect(call.listeners).to.be.greaterThan(0);
      el.remove();
      expect(call.listeners).to.equal(0);
    });
  });

  describe('duration', () => {
    describe('formatDuration', () => {
      const table: [number, string][] = [
        [0, '00:00'],
        [999, '00:00'],
        [1000, '00:01'],
        [59_999, '00:59'],
        [65_000, '01:05'],
        [599_000, '09:59'],
        [3_599_999, '59:59'],
        [3_600_000, '1:00:00'],
        [3_723_000, '1:02:03'],
        [36_005_000, '10:00:05'],
        [-5000, '00:00'],
        [Number.NaN, '00:00'],
        [Number.POSITIVE_INFINITY, '00:00'],
      ];
      for (const [ms, expected] of table) {
        it(`formats ${ms} ms as ${expected}`, () => expect(formatDuration(ms)).to.equal(expected));
      }

      it('writes the machine-readable form for <time datetime>', () => {
        expect(isoDuration(3_723_000)).to.equal('PT1H2M3S');
        expect(isoDuration(-1)).to.equal('PT0H0M0S');
      });
    });

    describe('timer', () => {
      let clock: ReturnType<typeof installFakeClock> | undefined;
      afterEach(() => {
        clock?.restore();
        clock = undefined;
      });

      it('counts each second from connectedAt while connected', async () => {
        const call = videoCall({ phase: 'connecting', connectedAt: undefined });
        const el = await callFor(call);
        expectSame(part(el, 'duration'), null, 'part(el, "duration") to be null');
        clock = installFakeClock(1_000_000);
        call.set({ phase: 'connected', connectedAt: 1_000_000 - 65_000 });
        await el.updateComplete;
        expect(text(el, 'duration')).to.equal('01:05');
        expect(part(el, 'duration')?.getAttribute('datetime')).to.equal('PT0H1M5S');
        clock.tick(999);
        await el.updateComplete;
        expect(text(el, 'duration')).to.equal('01:05');
        clock.tick(1);
        await el.updateComplete;
        expect(text(el, 'duration')).to.equal('01:06');
        clock.tick(3_600_000);
        await el.updateComplete;
        expect(text(el, 'duration')).to.equal('1:01:06');
      });

      it('ticks on whole seconds of the call, not of when it was shown', async () => {
        clock = installFakeClock(1_000_000);
        const call = videoCall({ connectedAt: 1_000_000 - 65_700 });
        const el = fixtureSync(call);
        await el.updateComplete;
        expect(text(el, 'duration')).to.equal('01:05');
        clock.tick(300);
        await el.updateComplete;
        expect(text(el, 'duration')).to.equal('01:06');
        el.remove();
      });

      it('stops at the end and shows the final duration', async () => {
        clock = installFakeClock(1_000_000);
        const call = videoCall({ connectedAt: 1_000_000 - 10_000 });
        const el = fixtureSync(call);
        await el.updateComplete;
        call.set({ phase: 'ended', endReason: 'user_hangup', endedBy: 'local', endedAt: 1_000_000 + 2_500 });
        await el.updateComplete;
        expect(text(el, 'duration')).to.equal('00:12');
        expect(clock.pending).to.equal(0);
        clock.tick(60_000);
        await el.updateComplete;
        expect(text(el, 'duration')).to.equal('00:12');
        el.remove();
      });

      it('holds no timer while removed', async () => {
        clock = installFakeClock(1_000_000);
        const el = fixtureSync(videoCall({ connectedAt: 1_000_000 }));
        await el.updateComplete;
        expect(clock.pending).to.equal(1);
        el.remove();
        expect(clock.pending).to.equal(0);
      });

      it('keeps the ticking duration out of the live region', async () => {
        clock = installFakeClock(1_000_000);
        const el = fixtureSync(videoCall({ connectedAt: 1_000_000 }));
        await el.updateComplete;
        expect(liveText(el)).to.equal('Connected to Bob Tanaka');
        clock.tick(5000);
        await el.updateComplete;
        expect(liveText(el)).to.equal('Connected to Bob Tanaka');
        el.remove();
      });
    });
  });

  describe('status text', () => {
    it('words every end reason', () => {
      for (const endReason of CALL_END_REASONS) {
        for (const direction of ['inbound', 'outbound'] as const) {
          const words = endReasonText(fakeSnapshot({ phase: 'ended', endReason, direction, endedBy: 'remote' }));
          expect(words, endReason).to.match(/\w/).and.not.contain('undefined').and.not.contain('_');
        }
      }
    });

    const reasons: [Partial<CallSnapshot>, string][] = [
      [{ endReason: 'rejected', direction: 'outbound' }, 'Bob Tanaka declined'],
      [{ endReason: 'rejected', direction: 'inbound' }, 'you declined'],
      [{ endReason: 'user_busy' }, 'Bob Tanaka is busy'],
      [{ endReason: 'answered_elsewhere', direction: 'inbound' }, 'answered on another device'],
      [{ endReason: 'invite_timeout', direction: 'inbound' }, 'missed call'],
      [{ endReason: 'ice_failed' }, 'the connection failed'],
      [{ endReason: undefined }, 'the call ended'],
    ];
    for (const [patch, words] of reasons) {
      it(`says "${words}" for ${JSON.stringify(patch)}`, () => {
        expect(endReasonText(fakeSnapshot({ phase: 'ended', ...patch }))).to.equal(words);
      });
    }

    it('announces calling with the name, and nothing for a ringing inbound call (the dialog does)', () => {
      expect(callAnnouncement(fakeSnapshot({ phase: 'create_offer' }))).to.equal('Calling Bob Tanaka…');
      expect(callAnnouncement(fakeSnapshot({ phase: 'ringing', direction: 'inbound' }))).to.equal('');
      expect(callAnnouncement(fakeSnapshot({ phase: 'connected', remoteOnHold: true }))).to.equal('Bob Tanaka put the call on hold');
      expect(statusText(fakeSnapshot({ phase: 'connected', remoteOnHold: true, localOnHold: true }))).to.equal('You put the call on hold');
    });
  });

  describe('events', () => {
    it('fires mx-call-ended when the shown call ends', async () => {
      const call = videoCall();
      const el = await callFor(call);
      const fired = oneEvent(el, 'mx-call-ended');
      call.set({ phase: 'ended', endReason: 'user_hangup', endedBy: 'remote' });
      const event = await fired;
      expect(event.detail).to.deep.equal({ reason: 'user_hangup', endedBy: 'remote' });
      expect(event.composed).to.equal(true);
    });

    it('fires no mx-call-ended or mx-error for a call that had already ended when set', async () => {
      const el = await callFor(undefined);
      let fired = 0;
      el.addEventListener('mx-call-ended', () => (fired += 1));
      el.addEventListener('mx-error', () => (fired += 1));
      el.call = videoCall({ phase: 'ended', endReason: 'ice_failed', error: new MxError('ICE_FAILED', 'x') });
      await settle(el);
      el.requestUpdate();
      await settle(el);
      expect(fired).to.equal(0);
    });

    it('fires mx-error once for each new error the call reports', async () => {
      const call = videoCall();
      const el = await callFor(call);
      const errors: MxError[] = [];
      el.addEventListener('mx-error', (e) => errors.push(e.detail.error));
      const first = new MxError('ICE_FAILED', 'Lost the connection.');
      call.set({ error: first });
      await el.updateComplete;
      call.set({ micMuted: true });
      await el.updateComplete;
      expect(errors).to.deep.equal([first]);
    });

    it('lets request events and mx-error from its controls out, and hangs up through them', async () => {
      const call = videoCall();
      const el = await callFor(call);
      await settle(el);
      const requested = oneEvent(el, 'mx-hangup-request');
      const ended = oneEvent(el, 'mx-call-ended');
      part(controls(el) as MxCallControls, 'hangup-button')?.click();
      await requested;
      expect((await ended).detail).to.deep.equal({ reason: 'user_hangup', endedBy: 'local' });

      const other = videoCall();
      other.failNext('setMicMuted', new MxError('UNKNOWN', 'nope'));
      el.call = other;
      await settle(el);
      const failed = oneEvent(el, 'mx-error');
      part(controls(el) as MxCallControls, 'mic-button')?.click();
      expect((await failed).detail.error.message).to.equal('nope');
    });

    it('answers through its dialog', async () => {
      const call = createFakeCall({ direction: 'inbound', phase: 'ringing' });
      const el = await callFor(call);
      await settle(el);
      part(incoming(el), 'accept-voice-button')?.click();
      await settle(el);
      expect(call.intents).to.deep.equal([{ method: 'answer', args: ['voice'] }]);
      expect(controls(el)).to.not.equal(null);
    });
  });

  describe('announcements', () => {
    it('announces each phase change once, in words', async () => {
      const call = videoCall({ phase: 'create_offer', connectedAt: undefined });
      const el = await callFor(call);
      const heard = [liveText(el)];
      for (const patch of [
        { phase: 'invite_sent' },
        { phase: 'connecting' },
        { phase: 'connected', connectedAt: Date.now() },
        { micMuted: true },
        { localOnHold: true },
        { localOnHold: false },
        { phase: 'ended', endReason: 'user_hangup', endedBy: 'remote' },
      ] as Partial<CallSnapshot>[]) {
        call.set(patch);
        await el.updateComplete;
        if (liveText(el) !== heard.at(-1)) heard.push(liveText(el));
      }
      expect(heard).to.deep.equal([
        'Calling Bob Tanaka…',
        'Ringing…',
        'Connecting…',
        'Connected to Bob Tanaka',
        'You put the call on hold',
        'Connected to Bob Tanaka',
        'Call ended: Bob Tanaka hung up',
      ]);
    });
  });

  describe('keyboard', () => {
    it('handles a shortcut once when focus is in its controls', async () => {
      const call = videoCall();
      const el = await callFor(call);
      await settle(el);
      el.focus();
      await sendKeys({ press: 'm' });
      await settle(el);
      expect(call.intents).to.deep.equal([{ method: 'setMicMuted', args: [true] }]);
    });

    it('handles shortcuts anywhere inside the element, such as on the error message', async () => {
      const call = videoCall();
      call.failNext('setOnHold', new MxError('UNKNOWN', 'Hold failed.'));
      const el = await callFor(call);
      await settle(el);
      el.focus();
      await sendKeys({ press: 'h' });
      await settle(el);
      const dismiss = controls(el)?.shadowRoot?.querySelector<HTMLButtonElement>('[part~="error"] button');
      dismiss?.focus();
      await sendKeys({ press: 'm' });
      await settle(el);
      expect(call.intents.map((i) => i.method)).to.deep.equal(['setOnHold', 'setMicMuted']);
    });

    it('moves focus to the controls after answering from the dialog', async () => {
      const call = createFakeCall({ direction: 'inbound', phase: 'ringing' });
      const el = await callFor(call);
      await settle(el);
      expectSame(incoming(el).shadowRoot?.activeElement, part(incoming(el), 'accept-video-button'), 'incoming(el).shadowRoot?.activeElement to be part(incoming(el), "accept-video-button")');
      await sendKeys({ press: 'Enter' });
      await settle(el);
      await settle(controls(el) as MxCallControls);
      expectSame(el.shadowRoot?.activeElement, controls(el), 'el.shadowRoot?.activeElement to be controls(el)');
      expectSame(controls(el)?.shadowRoot?.activeElement, part(controls(el) as MxCallControls, 'mic-button'), 'controls(el)?.shadowRoot?.activeElement to be part(controls(el) as MxCallControls, "mic-button")');
    });
  });
});

/** A connected element created without the fixture helper, whose setup waits on real timers. */
function fixtureSync(call: FakeCall): MxCall {
  const el = document.createElement('mx-call');
  el.call = call;
  document.body.append(el);
  return el;
}
