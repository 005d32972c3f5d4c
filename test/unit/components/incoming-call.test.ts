import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { MxIncomingCall } from '../../../components/incoming-call/index.js';
import '../../../define/mx-incoming-call.js';
import { MxError } from '../../../signaling/errors.js';
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
});
