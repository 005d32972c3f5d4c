import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { MxIncomingCall } from '../../../components/incoming-call/index.js';
import '../../../define/mx-incoming-call.js';
import { groupRingRoom } from '../../../components/internal/call-strings.js';
import { MxError } from '../../../signaling/errors.js';
import type { GroupRing, GroupRingsSnapshot } from '../../../signaling/rtc/rings.js';
import { createStore } from '../../../signaling/store/store.js';
import type { CallSnapshot } from '../../../signaling/voip/types.js';
import { captureUnhandledRejections, createFakeCall, installFakeClock, expectSame, type FakeCall } from '../../helpers/browser/fake-call.js';
import { waitFor } from '../../helpers/browser/wait-for.js';

const RINGING: Partial<CallSnapshot> = { direction: 'inbound', phase: 'ringing', kind: 'video' };

const part = (el: HTMLElement, name: string) => el.shadowRoot?.querySelector<HTMLElement>(`[part~="${name}"]`) ?? null;
const must = (el: HTMLElement, name: string): HTMLElement => {
  const found = part(el, name);
  if (!found) throw new Error(`no part "${name}"`);
  return found;
};
const isShown = (el: MxIncomingCall) => !must(el, 'base').hidden && getComputedStyle(must(el, 'base')).display !== 'none';
const liveText = (el: MxIncomingCall) => el.shadowRoot?.querySelector('[role="status"]')?.textContent?.trim() ?? '';
const buttons = (el: MxIncomingCall) =>
  [...(el.shadowRoot?.querySelectorAll('button') ?? [])].map((b) => b.textContent?.replace(/\s+/g, ' ').trim());

async function incomingFor(call: FakeCall | undefined): Promise<MxIncomingCall> {
  return fixture<MxIncomingCall>(html`<mx-incoming-call .call=${call}></mx-incoming-call>`);
}

async function settle(el: HTMLElement & { updateComplete: Promise<boolean> }): Promise<void> {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
  await el.updateComplete;
}

describe('<mx-incoming-call>', () => {
  describe('accessibility', () => {
    for (const kind of ['video', 'voice'] as const) {
      it(`is accessible for an incoming ${kind} call`, async () => {
        const el = await incomingFor(createFakeCall({ ...RINGING, kind }));
        await expect(el).to.be.accessible();
      });
    }

    it('is accessible while hidden', async () => {
      await expect(await incomingFor(undefined)).to.be.accessible();
    });

    it('is an alertdialog labelled by the caller and described by the call kind and user id', async () => {
      const el = await incomingFor(createFakeCall(RINGING));
      const base = must(el, 'base');
      expect(base.getAttribute('role')).to.equal('alertdialog');
      const label = el.shadowRoot?.getElementById(base.getAttribute('aria-labelledby') ?? '');
      expect(label?.textContent).to.equal('Bob Tanaka');
      const description = (base.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .map((id) => el.shadowRoot?.getElementById(id)?.textContent);
      expect(description).to.deep.equal(['Incoming video call', '@bob:example.org']);
    });

    it('does not describe itself by a user id it does not show', async () => {
      const el = await incomingFor(createFakeCall({ ...RINGING, peer: { userId: '@bob:example.org', displayName: undefined, avatarUrl: undefined } }));
      expect(must(el, 'base').getAttribute('aria-describedby')).to.equal('description');
      expectSame(part(el, 'user-id'), null, 'part(el, "user-id") to be null');
      expect(must(el, 'name').textContent).to.equal('@bob:example.org');
    });

    it('announces the call in a polite live region', async () => {
      const el = await incomingFor(createFakeCall({ ...RINGING, kind: 'voice' }));
      const region = el.shadowRoot?.querySelector('[role="status"]');
      expect(region?.getAttribute('aria-live')).to.equal('polite');
      expect(liveText(el)).to.equal('Incoming voice call from Bob Tanaka');
    });
  });

  describe('rendering', () => {
    const hidden: [string, Partial<CallSnapshot> | undefined][] = [
      ['no call', undefined],
      ['an outbound call', { direction: 'outbound', phase: 'invite_sent' }],
      ['a connected inbound call', { direction: 'inbound', phase: 'connected' }],
      ['an inbound call being answered', { direction: 'inbound', phase: 'create_answer' }],
      ['an ended inbound call', { direction: 'inbound', phase: 'ended', endReason: 'answered_elsewhere' }],
    ];
    for (const [name, snapshot] of hidden) {
      it(`is hidden for ${name}`, async () => {
        const el = await incomingFor(snapshot && createFakeCall(snapshot));
        expect(isShown(el)).to.equal(false);
        expect(el.matches(':state(open)')).to.equal(false);
      });
    }

    it('offers video, voice and decline for a video call', async () => {
      const el = await incomingFor(createFakeCall(RINGING));
      expect(isShown(el)).to.equal(true);
      expect(must(el, 'description').textContent).to.equal('Incoming video call');
      expect(buttons(el)).to.deep.equal(['Decline', 'Accept with voice', 'Accept with video']);
      expect(el.matches(':state(video)')).to.equal(true);
    });

    it('offers only voice and decline for a voice call', async () => {
      const el = await incomingFor(createFakeCall({ ...RINGING, kind: 'voice' }));
      expect(must(el, 'description').textContent).to.equal('Incoming voice call');
      expect(buttons(el)).to.deep.equal(['Decline', 'Accept']);
      expectSame(part(el, 'accept-video-button'), null, 'part(el, "accept-video-button") to be null');
    });

    it('shows the caller initials, or the avatar the call loads for it', async () => {
      const el = await incomingFor(createFakeCall(RINGING));
      expect(must(el, 'avatar').textContent?.trim()).to.equal('BT');
      const png = Uint8Array.from(atob('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII='), (c) => c.charCodeAt(0));
      const other = await incomingFor(createFakeCall(
        { ...RINGING, peer: { userId: '@bob:example.org', displayName: 'Bob', avatarUrl: 'mxc://example.org/bob' } },
        { avatar: () => Promise.resolve(new Blob([png], { type: 'image/png' })) },
      ));
      await waitFor(() => (must(other, 'avatar').querySelector('img')?.naturalWidth ?? 0) > 0, 'the decoded avatar');
      expect(must(other, 'avatar').querySelector('img')?.getAttribute('src')?.startsWith('blob:')).to.equal(true);
    });

    it('closes without a notice once answered here', async () => {
      const call = createFakeCall(RINGING);
      const el = await incomingFor(call);
      must(el, 'accept-video-button').click();
      await settle(el);
      expect(call.getSnapshot().phase).to.equal('connected');
      expect(isShown(el)).to.equal(false);
    });

    it('closes without a notice once declined here', async () => {
      const call = createFakeCall(RINGING);
      const el = await incomingFor(call);
      must(el, 'decline-button').click();
      await settle(el);
      expect(isShown(el)).to.equal(false);
      expectSame(part(el, 'notice'), null, 'part(el, "notice") to be null');
    });

    describe('after ringing elsewhere ends it', () => {
      let clock: ReturnType<typeof installFakeClock> | undefined;
      afterEach(() => {
        clock?.restore();
        clock = undefined;
      });

      const notices: [Partial<CallSnapshot>, string][] = [
        [{ endReason: 'answered_elsewhere', endedBy: 'remote' }, 'Answered on another device'],
        [{ endReason: 'rejected_elsewhere', endedBy: 'remote' }, 'Declined on another device'],
        [{ endReason: 'user_hangup', endedBy: 'remote' }, 'Missed call from Bob Tanaka'],
        [{ endReason: 'invite_timeout', endedBy: 'local' }, 'Missed call from Bob Tanaka'],
      ];
      for (const [end, text] of notices) {
        it(`shows "${text}" for ${end.endReason}, announces it, then hides after notice-duration`, async () => {
          const call = createFakeCall(RINGING);
          const el = await incomingFor(call);
          el.noticeDuration = 2500;
          await el.updateComplete;
          clock = installFakeClock();
          call.set({ phase: 'ended', ...end });
          await el.updateComplete;
          expect(must(el, 'notice').textContent).to.equal(text);
          expect(liveText(el)).to.equal(text);
          expectSame(part(el, 'actions'), null, 'part(el, "actions") to be null');
          expect(isShown(el)).to.equal(true);
          clock.tick(2499);
          await el.updateComplete;
          expect(isShown(el)).to.equal(true);
          clock.tick(1);
          await el.updateComplete;
          expect(isShown(el)).to.equal(false);
        });
      }

      it('drops the notice when a new call rings', async () => {
        const first = createFakeCall(RINGING);
        const el = await incomingFor(first);
        first.set({ phase: 'ended', endReason: 'answered_elsewhere' });
        await el.updateComplete;
        el.call = createFakeCall({ ...RINGING, peer: { userId: '@carol:example.org', displayName: 'Carol', avatarUrl: undefined } });
        await el.updateComplete;
        expectSame(part(el, 'notice'), null, 'part(el, "notice") to be null');
        expect(must(el, 'name').textContent).to.equal('Carol');
      });
    });
  });

  describe('events', () => {
    const cases: [string, Partial<CallSnapshot>, string, unknown, string, unknown[]][] = [
      ['accept-video-button', RINGING, 'mx-answer-request', { kind: 'video' }, 'answer', ['video']],
      ['accept-voice-button', RINGING, 'mx-answer-request', { kind: 'voice' }, 'answer', ['voice']],
      ['accept-voice-button', { ...RINGING, kind: 'voice' }, 'mx-answer-request', { kind: 'voice' }, 'answer', ['voice']],
      ['decline-button', RINGING, 'mx-reject-request', undefined, 'reject', []],
    ];
    for (const [name, snapshot, type, detail, method, args] of cases) {
      it(`${name} (${snapshot.kind}) fires a cancelable ${type} and calls ${method}`, async () => {
        const call = createFakeCall(snapshot);
        const el = await incomingFor(call);
        const fired = oneEvent(el, type);
        must(el, name).click();
        const event = (await fired) as Event & { detail?: unknown };
        expect(event.cancelable).to.equal(true);
        expect(event.composed).to.equal(true);
        expect(event.detail).to.deep.equal(detail);
        await settle(el);
        expect(call.intents).to.deep.equal([{ method, args }]);
      });

      it(`${name} (${snapshot.kind}): a cancelled ${type} leaves the call ringing`, async () => {
        const call = createFakeCall(snapshot);
        const el = await incomingFor(call);
        el.addEventListener(type, (event) => event.preventDefault());
        must(el, name).click();
        await settle(el);
        expect(call.intents).to.deep.equal([]);
        expect(isShown(el)).to.equal(true);
      });
    }

    it('turns a failed answer into mx-error and a message, keeps ringing, and leaks no rejection', async () => {
      const unhandled = captureUnhandledRejections();
      try {
        const call = createFakeCall(RINGING);
        const failure = new MxError('MEDIA_PERMISSION_DENIED', 'Camera access was denied.');
        call.failNext('answer', failure);
        const el = await incomingFor(call);
        const fired = oneEvent(el, 'mx-error');
        must(el, 'accept-video-button').click();
        expect((await fired).detail.error).to.equal(failure);
        await settle(el);
        expect(must(el, 'error').textContent).to.equal('Could not answer the call: Camera access was denied.');
        expect(must(el, 'error').getAttribute('role')).to.equal('alert');
        expect(isShown(el)).to.equal(true);
        await unhandled.settle();
        expect(unhandled.reasons).to.deep.equal([]);
      } finally {
        unhandled.stop();
      }
    });

    it('fires mx-ring-start when a call starts ringing and mx-ring-stop when it stops', async () => {
      const call = createFakeCall({ direction: 'inbound', phase: 'fledgling' });
      const el = await incomingFor(call);
      const log: string[] = [];
      el.addEventListener('mx-ring-start', (e) => log.push(`start ${e.detail.callId}`));
      el.addEventListener('mx-ring-stop', (e) => log.push(`stop ${e.detail.callId}`));
      const { callId } = call.getSnapshot();
      call.set({ phase: 'ringing' });
      await el.updateComplete;
      expect(log).to.deep.equal([`start ${callId}`]);
      call.set({ phase: 'create_answer' });
      await el.updateComplete;
      expect(log).to.deep.equal([`start ${callId}`, `stop ${callId}`]);
    });

    it('fires mx-ring-stop for the old call and mx-ring-start for a new one when the call is replaced', async () => {
      const first = createFakeCall(RINGING);
      const el = await incomingFor(first);
      const log: string[] = [];
      el.addEventListener('mx-ring-start', (e) => log.push(`start ${e.detail.callId}`));
      el.addEventListener('mx-ring-stop', (e) => log.push(`stop ${e.detail.callId}`));
      const second = createFakeCall(RINGING);
      el.call = second;
      await el.updateComplete;
      expect(log).to.deep.equal([`stop ${first.getSnapshot().callId}`, `start ${second.getSnapshot().callId}`]);
    });

    it('fires mx-ring-stop on itself when removed while ringing', async () => {
      const el = await incomingFor(createFakeCall(RINGING));
      let stops = 0;
      el.addEventListener('mx-ring-stop', () => (stops += 1));
      el.remove();
      expect(stops).to.equal(1);
    });
  });

  describe('focus management', () => {
    it('focuses "Accept with video" when a video call appears', async () => {
      const el = await incomingFor(createFakeCall(RINGING));
      expectSame(el.shadowRoot?.activeElement, must(el, 'accept-video-button'), 'el.shadowRoot?.activeElement to be must(el, "accept-video-button")');
    });

    it('focuses "Accept" when a voice call appears', async () => {
      const el = await incomingFor(createFakeCall({ ...RINGING, kind: 'voice' }));
      expectSame(el.shadowRoot?.activeElement, must(el, 'accept-voice-button'), 'el.shadowRoot?.activeElement to be must(el, "accept-voice-button")');
    });

    it('focuses nothing while hidden', async () => {
      const el = await incomingFor(createFakeCall({ direction: 'inbound', phase: 'connected' }));
      expectSame(el.shadowRoot?.activeElement, null, 'el.shadowRoot?.activeElement to be null');
    });

    it('does not take focus from someone typing, so Enter cannot answer by accident', async () => {
      const wrapper = await fixture<HTMLElement>(html`<div><input aria-label="Message" /><mx-incoming-call></mx-incoming-call></div>`);
      const input = wrapper.querySelector('input') as HTMLInputElement;
      const el = wrapper.querySelector('mx-incoming-call') as MxIncomingCall;
      input.focus();
      await sendKeys({ type: 'hello' });
      const call = createFakeCall(RINGING);
      el.call = call;
      await el.updateComplete;
      expectSame(document.activeElement, input, 'document.activeElement to be input');
      await sendKeys({ press: 'Enter' });
      await settle(el);
      expect(call.intents).to.deep.equal([]);
      expect(liveText(el)).to.equal('Incoming video call from Bob Tanaka');
    });

    it('gives focus back to where it was when the call stops ringing', async () => {
      const wrapper = await fixture<HTMLElement>(html`<div><button>Before</button><mx-incoming-call></mx-incoming-call></div>`);
      const before = wrapper.querySelector('button') as HTMLButtonElement;
      const el = wrapper.querySelector('mx-incoming-call') as MxIncomingCall;
      before.focus();
      const call = createFakeCall(RINGING);
      el.call = call;
      await el.updateComplete;
      expectSame(el.shadowRoot?.activeElement, must(el, 'accept-video-button'), 'el.shadowRoot?.activeElement to be must(el, "accept-video-button")');
      call.set({ phase: 'ended', endReason: 'answered_elsewhere', endedBy: 'remote' });
      await el.updateComplete;
      expectSame(document.activeElement, before, 'document.activeElement to be before');
    });

    it('answers with Enter on the focused primary button', async () => {
      const call = createFakeCall(RINGING);
      const el = await incomingFor(call);
      await sendKeys({ press: 'Enter' });
      await settle(el);
      expect(call.intents).to.deep.equal([{ method: 'answer', args: ['video'] }]);
    });

    it('does not decline on Escape', async () => {
      const call = createFakeCall(RINGING);
      const el = await incomingFor(call);
      await sendKeys({ press: 'Escape' });
      await settle(el);
      expect(call.intents).to.deep.equal([]);
      expect(isShown(el)).to.equal(true);
    });
  });

  describe('group rings', () => {
    interface FakeRing extends GroupRing {
      readonly declines: number;
    }

    let clock: ReturnType<typeof installFakeClock> | undefined;
    afterEach(() => {
      clock?.restore();
      clock = undefined;
    });

    function fakeRing(fields: Partial<GroupRing> = {}, decline: () => Promise<void> = () => Promise.resolve()): FakeRing {
      let declines = 0;
      return {
        roomId: '!standup:example.org',
        eventId: `$ring-${Math.random().toString(36).slice(2)}`,
        sender: '@carol:example.org',
        senderName: 'Carol Diaz',
        roomName: 'Standup',
        intent: 'video',
        notificationType: 'ring',
        expiresAt: Date.now() + 60_000,
        ...fields,
        get declines() {
          return declines;
        },
        decline() {
          declines += 1;
          return decline();
        },
      };
    }

    const ringing = (ring: GroupRing | undefined) => fixture<MxIncomingCall>(html`<mx-incoming-call .ring=${ring}></mx-incoming-call>`);
    const describedBy = (el: MxIncomingCall) =>
      (must(el, 'base').getAttribute('aria-describedby') ?? '').split(' ').map((id) => el.shadowRoot?.getElementById(id)?.textContent);

    describe('accessibility', () => {
      const states: [string, Partial<GroupRing>][] = [
        ['a video ring in a room', {}],
        ['a voice ring in a DM', { intent: 'audio', roomName: 'Carol Diaz' }],
        ['a ring that did not say its kind', { intent: undefined }],
        ['a quiet notification', { notificationType: 'notification' }],
      ];
      for (const [name, fields] of states) {
        it(`is accessible for ${name}`, async () => {
          await expect(await ringing(fakeRing(fields))).to.be.accessible();
        });
      }

      it('is accessible showing the missed-call notice', async () => {
        clock = installFakeClock();
        const el = await ringing(fakeRing());
        clock.tick(60_000);
        await el.updateComplete;
        expect(part(el, 'notice')?.textContent).to.equal('Missed call from Carol Diaz');
        // axe runs on timers of its own.
        clock.restore();
        clock = undefined;
        await expect(el).to.be.accessible();
      });

      it('is accessible showing a failed decline', async () => {
        const el = await ringing(fakeRing({}, () => Promise.reject(new MxError('HOMESERVER_UNREACHABLE', 'The homeserver did not answer.'))));
        must(el, 'decline-button').click();
        await waitFor(() => part(el, 'dismiss-button') !== null, 'the Dismiss button');
        await expect(el).to.be.accessible();
      });

      it('is an alertdialog labelled by the caller, described by the call, the room and the user id, and announced', async () => {
        const el = await ringing(fakeRing());
        expect(must(el, 'base').getAttribute('role')).to.equal('alertdialog');
        expect(el.shadowRoot?.getElementById(must(el, 'base').getAttribute('aria-labelledby') ?? '')?.textContent).to.equal('Carol Diaz');
        expect(describedBy(el)).to.deep.equal(['Incoming video call', 'in Standup', '@carol:example.org']);
        expect(liveText(el)).to.equal('Incoming video call from Carol Diaz in Standup');
      });
    });

    describe('rendering', () => {
      it('shows the caller, the room, the kind, and Decline and Join', async () => {
        const el = await ringing(fakeRing());
        expect(isShown(el)).to.equal(true);
        expect(must(el, 'name').textContent).to.equal('Carol Diaz');
        expect(must(el, 'room').textContent).to.equal('in Standup');
        expect(must(el, 'description').textContent).to.equal('Incoming video call');
        expect(must(el, 'avatar').textContent?.trim()).to.equal('CD');
        expect(buttons(el)).to.deep.equal(['Decline', 'Join']);
        expect([el.matches(':state(open)'), el.matches(':state(group)'), el.matches(':state(video)'), el.matches(':state(quiet)')]).to.deep.equal([true, true, true, false]);
      });

      const kinds: [GroupRing['intent'], GroupRing['notificationType'], string][] = [
        ['audio', 'ring', 'Incoming voice call'],
        [undefined, 'ring', 'Incoming call'],
        ['video', 'notification', 'Video call started'],
        [undefined, 'notification', 'Call started'],
      ];
      for (const [intent, notificationType, text] of kinds) {
        it(`says "${text}" for intent ${String(intent)} and ${notificationType}`, async () => {
          const el = await ringing(fakeRing({ intent, notificationType }));
          expect(must(el, 'description').textContent).to.equal(text);
        });
      }

      it('does not name the room of a DM, which is named after the caller', async () => {
        const el = await ringing(fakeRing({ roomName: 'Carol Diaz' }));
        expectSame(part(el, 'room'), null, 'part(el, "room") to be null');
        expect(liveText(el)).to.equal('Incoming video call from Carol Diaz');
      });

      const rooms: [string, string, string | undefined][] = [
        ['Standup', 'Carol Diaz', 'Standup'],
        ['Carol Diaz', 'Carol Diaz', undefined],
        ['@carol:example.org', '@carol:example.org', undefined],
        ['@carol:example.org', 'Carol Diaz', undefined],
        ['  Standup ', 'Carol Diaz', 'Standup'],
        ['', 'Carol Diaz', undefined],
        ['\u200b', 'Carol Diaz', undefined],
      ];
      for (const [roomName, senderName, shown] of rooms) {
        it(`names the room ${JSON.stringify(roomName)} of a call from ${JSON.stringify(senderName)} as ${String(shown)}`, () => {
          expect(groupRingRoom(roomName, senderName, '@carol:example.org')).to.equal(shown);
        });
      }

      it('shows the user id as the name when the caller has none', async () => {
        const el = await ringing(fakeRing({ senderName: '@carol:example.org', roomName: '@carol:example.org' }));
        expect(must(el, 'name').textContent).to.equal('@carol:example.org');
        expectSame(part(el, 'user-id'), null, 'part(el, "user-id") to be null');
      });

      it('shows a notification quietly: a dialog, no pulse, no focus taken', async () => {
        const el = await ringing(fakeRing({ notificationType: 'notification' }));
        expect(isShown(el)).to.equal(true);
        expect(must(el, 'base').getAttribute('role')).to.equal('dialog');
        expect(el.matches(':state(quiet)')).to.equal(true);
        expect(getComputedStyle(must(el, 'avatar')).animationName).to.equal('none');
        expectSame(el.shadowRoot?.activeElement, null, 'el.shadowRoot?.activeElement to be null');
        expect(liveText(el)).to.equal('Video call started from Carol Diaz in Standup');
      });

      it('pulses the avatar of a ring', async () => {
        const el = await ringing(fakeRing());
        expect(getComputedStyle(must(el, 'avatar')).animationName).to.not.equal('none');
      });

      it('turns into "Missed call" at expiresAt, announces it, then hides after notice-duration', async () => {
        clock = installFakeClock();
        const el = await ringing(fakeRing({ expiresAt: Date.now() + 30_000 }));
        el.noticeDuration = 2000;
        await el.updateComplete;
        clock.tick(29_999);
        await el.updateComplete;
        expect(buttons(el)).to.deep.equal(['Decline', 'Join']);
        clock.tick(1);
        await el.updateComplete;
        expect(must(el, 'notice').textContent).to.equal('Missed call from Carol Diaz');
        expect(liveText(el)).to.equal('Missed call from Carol Diaz');
        expectSame(part(el, 'actions'), null, 'part(el, "actions") to be null');
        clock.tick(2000);
        await el.updateComplete;
        expect(isShown(el)).to.equal(false);
      });

      it('shows "Missed call" when the page removes a ring that has expired', async () => {
        clock = installFakeClock();
        const el = await ringing(fakeRing({ expiresAt: Date.now() + 1000 }));
        clock.tick(1000);
        // The kit's list drops an expired ring at the same moment the element's own timer fires.
        el.ring = undefined;
        await el.updateComplete;
        expect(must(el, 'notice').textContent).to.equal('Missed call from Carol Diaz');
      });

      it('closes without a notice when the page removes a ring before it expires', async () => {
        const el = await ringing(fakeRing());
        el.ring = undefined;
        await el.updateComplete;
        expect(isShown(el)).to.equal(false);
        expectSame(part(el, 'notice'), null, 'part(el, "notice") to be null');
      });

      it('does not show a ring that expired already', async () => {
        const el = await ringing(fakeRing({ expiresAt: Date.now() - 1 }));
        expect(isShown(el)).to.equal(false);
      });

      it('shows the oldest ring of a rings store, then the next one', async () => {
        const first = fakeRing();
        const second = fakeRing({ senderName: 'Dan', sender: '@dan:example.org', roomName: 'Dan' });
        const store = createStore<GroupRingsSnapshot>({ ringing: [first, second] });
        const el = await fixture<MxIncomingCall>(html`<mx-incoming-call .rings=${store}></mx-incoming-call>`);
        expect(must(el, 'name').textContent).to.equal('Carol Diaz');
        store.set({ ringing: [second] });
        await el.updateComplete;
        expect(must(el, 'name').textContent).to.equal('Dan');
        expect(liveText(el)).to.equal('Incoming video call from Dan');
      });

      it('shows a ringing 1:1 call before a group ring', async () => {
        const el = await fixture<MxIncomingCall>(html`<mx-incoming-call .call=${createFakeCall(RINGING)} .ring=${fakeRing()}></mx-incoming-call>`);
        expect(must(el, 'name').textContent).to.equal('Bob Tanaka');
      });
    });

    describe('events', () => {
      it('Join fires a cancelable, composed mx-ring-join-request with the room and intent, and closes', async () => {
        const ring = fakeRing({ intent: 'audio' });
        const el = await ringing(ring);
        const fired = oneEvent(el, 'mx-ring-join-request');
        must(el, 'join-button').click();
        const event = await fired;
        expect([event.cancelable, event.composed, event.bubbles]).to.deep.equal([true, true, true]);
        expect(event.detail).to.deep.equal({ roomId: '!standup:example.org', intent: 'audio' });
        await el.updateComplete;
        expect(isShown(el)).to.equal(false);
        expectSame(part(el, 'notice'), null, 'part(el, "notice") to be null');
        expect(ring.declines).to.equal(0);
      });

      it('a cancelled mx-ring-join-request leaves the ring shown', async () => {
        const el = await ringing(fakeRing());
        el.addEventListener('mx-ring-join-request', (event) => event.preventDefault());
        must(el, 'join-button').click();
        await el.updateComplete;
        expect(isShown(el)).to.equal(true);
      });

      it('Decline fires mx-reject-request, calls ring.decline() and closes', async () => {
        const ring = fakeRing();
        const el = await ringing(ring);
        const fired = oneEvent(el, 'mx-reject-request');
        must(el, 'decline-button').click();
        expect((await fired).cancelable).to.equal(true);
        await settle(el);
        expect(ring.declines).to.equal(1);
        expect(isShown(el)).to.equal(false);
      });

      it('a cancelled mx-reject-request does not decline', async () => {
        const ring = fakeRing();
        const el = await ringing(ring);
        el.addEventListener('mx-reject-request', (event) => event.preventDefault());
        must(el, 'decline-button').click();
        await settle(el);
        expect(ring.declines).to.equal(0);
        expect(isShown(el)).to.equal(true);
      });

      it('shows a failed decline with Dismiss, fires mx-error, leaks no rejection, and Dismiss closes it', async () => {
        const unhandled = captureUnhandledRejections();
        try {
          const failure = new MxError('HOMESERVER_UNREACHABLE', 'The homeserver did not answer.');
          const el = await ringing(fakeRing({}, () => Promise.reject(failure)));
          const fired = oneEvent(el, 'mx-error');
          must(el, 'decline-button').click();
          expect((await fired).detail.error).to.equal(failure);
          await settle(el);
          expect(isShown(el)).to.equal(true);
          expect(must(el, 'error').textContent).to.equal('Could not decline the call: The homeserver did not answer.');
          expect(buttons(el)).to.deep.equal(['Dismiss']);
          expectSame(el.shadowRoot?.activeElement, must(el, 'dismiss-button'), 'the Dismiss button to have focus');
          await sendKeys({ press: 'Enter' });
          await el.updateComplete;
          expect(isShown(el)).to.equal(false);
          expect(must(el, 'error').textContent).to.equal('');
          await unhandled.settle();
          expect(unhandled.reasons).to.deep.equal([]);
        } finally {
          unhandled.stop();
        }
      });

      it('fires mx-ring-start and mx-ring-stop with the notification event id for a ring', async () => {
        const ring = fakeRing();
        const el = await fixture<MxIncomingCall>(html`<mx-incoming-call></mx-incoming-call>`);
        const log: string[] = [];
        el.addEventListener('mx-ring-start', (e) => log.push(`start ${e.detail.callId}`));
        el.addEventListener('mx-ring-stop', (e) => log.push(`stop ${e.detail.callId}`));
        el.ring = ring;
        await el.updateComplete;
        el.ring = undefined;
        await el.updateComplete;
        expect(log).to.deep.equal([`start ${ring.eventId}`, `stop ${ring.eventId}`]);
      });

      it('fires no mx-ring-start for a quiet notification', async () => {
        const el = await fixture<MxIncomingCall>(html`<mx-incoming-call></mx-incoming-call>`);
        let starts = 0;
        el.addEventListener('mx-ring-start', () => (starts += 1));
        el.ring = fakeRing({ notificationType: 'notification' });
        await el.updateComplete;
        expect(isShown(el)).to.equal(true);
        expect(starts).to.equal(0);
      });
    });

    describe('keyboard', () => {
      it('focuses Join when a ring appears, and joins with Enter', async () => {
        const el = await ringing(fakeRing());
        expectSame(el.shadowRoot?.activeElement, must(el, 'join-button'), 'the Join button to have focus');
        const fired = oneEvent(el, 'mx-ring-join-request');
        await sendKeys({ press: 'Enter' });
        expect((await fired).detail.roomId).to.equal('!standup:example.org');
      });

      it('declines with Shift+Tab then Enter, and not with Escape', async () => {
        const ring = fakeRing();
        const el = await ringing(ring);
        await sendKeys({ press: 'Escape' });
        await settle(el);
        expect(ring.declines).to.equal(0);
        await sendKeys({ press: 'Shift+Tab' });
        expectSame(el.shadowRoot?.activeElement, must(el, 'decline-button'), 'the Decline button to have focus');
        await sendKeys({ press: 'Enter' });
        await settle(el);
        expect(ring.declines).to.equal(1);
      });
    });
  });
});
