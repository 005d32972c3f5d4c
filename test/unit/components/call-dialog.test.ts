import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { MxCallEndedEvent } from '../../../components/call/index.js';
import type { MxErrorEvent } from '../../../components/internal/error-event.js';
import type { MxCallDialog, MxCallDialogCloseEvent } from '../../../components/call-dialog/index.js';
import '../../../define/mx-call-dialog.js';
import { MxError, type MxErrorCode } from '../../../signaling/errors.js';
import { createStore } from '../../../signaling/store/store.js';
import type { VisitorCall, VisitorCallSnapshot, VisitorCallStatus } from '../../../signaling/visitor/visitor-call.js';
import type { CallEndReason, CallHandle } from '../../../signaling/voip/types.js';
import type { GroupCallHandle } from '../../../signaling/rtc/group-call.types.js';
import { createFakeCall, expectSame } from '../../helpers/browser/fake-call.js';
import { fakeCall as fakeGroupCall, stopFakeTracks } from '../../helpers/browser/fake-group-call.js';
import { waitFor } from '../../helpers/browser/wait-for.js';

interface FakeVisitorCall extends VisitorCall {
  set(patch: Partial<VisitorCallSnapshot>): void;
  /** How many times `hangup()` was called. */
  readonly hangups: number;
}

/** A visitor call with nothing behind it: the test moves it from status to status; hangup ends it as the visitor's. */
function fakeVisitorCall(patch: Partial<VisitorCallSnapshot> = {}): FakeVisitorCall {
  const store = createStore<VisitorCallSnapshot>({ status: 'connecting', call: undefined, groupCall: undefined, error: undefined, endReason: undefined, endedBy: undefined, ...patch });
  let hangups = 0;
  return {
    getSnapshot: store.getSnapshot,
    subscribe: store.subscribe,
    set: (change) => store.update((s) => ({ ...s, ...change })),
    get hangups() {
      return hangups;
    },
    async hangup() {
      hangups += 1;
      const s = store.getSnapshot();
      if (s.status !== 'ended') store.set({ ...s, status: 'ended', endReason: 'user_hangup', endedBy: 'local' });
    },
  };
}

const part = (el: MxCallDialog, name: string) => el.shadowRoot?.querySelector<HTMLElement>(`[part~="${name}"]`) ?? null;
const must = (el: MxCallDialog, name: string): HTMLElement => {
  const found = part(el, name);
  if (!found) throw new Error(`no part "${name}"`);
  return found;
};
const nativeDialog = (el: MxCallDialog) => must(el, 'dialog') as HTMLDialogElement;
const message = (el: MxCallDialog) => must(el, 'message').textContent?.trim() ?? '';
const focused = (el: MxCallDialog) => el.shadowRoot?.activeElement ?? null;

async function dialogFor(call: VisitorCall | undefined, calleeName = 'Support'): Promise<MxCallDialog> {
  const el = await fixture<MxCallDialog>(html`<mx-call-dialog callee-name=${calleeName} .visitorCall=${call}></mx-call-dialog>`);
  await el.show();
  return el;
}

/** Ends the call as the store would, and waits for the dialog to have told the page. */
async function end(el: MxCallDialog, call: FakeVisitorCall, patch: Partial<VisitorCallSnapshot>): Promise<MxCallEndedEvent> {
  const ended = oneEvent(el, 'mx-call-ended');
  call.set({ status: 'ended', ...patch });
  const event = await ended;
  await el.updateComplete;
  return event;
}

const inCall = () => createFakeCall({ phase: 'connected' });

describe('<mx-call-dialog>', () => {
  describe('accessibility', () => {
    const going: [string, () => Partial<VisitorCallSnapshot>][] = [
      ['connecting', () => ({ status: 'connecting' })],
      ['ringing', () => ({ status: 'ringing', call: createFakeCall({ phase: 'invite_sent' }) })],
      ['in a call', () => ({ status: 'in-call', call: inCall() })],
    ];
    for (const [name, snapshot] of going) {
      it(`is accessible while ${name}`, async () => {
        const el = await dialogFor(fakeVisitorCall(snapshot()));
        expect(nativeDialog(el).open).to.equal(true);
        await expect(el).to.be.accessible();
      });
    }

    it('is accessible after the call ended, saying why', async () => {
      const el = await dialogFor(fakeVisitorCall({ status: 'ended', endReason: 'user_busy', endedBy: 'remote' }));
      expect(message(el)).to.equal('Support is busy. Please try again later.');
      await expect(el).to.be.accessible();
    });

    it('is accessible after a refusal', async () => {
      const el = await dialogFor(fakeVisitorCall({ status: 'ended', error: new MxError('TARGET_NOT_ALLOWED', 'refused') }));
      expect(message(el)).to.equal('This website cannot place this call.');
      await expect(el).to.be.accessible();
    });

    it('is accessible while asking "End the call?"', async () => {
      const el = await dialogFor(fakeVisitorCall({ status: 'ringing' }));
      must(el, 'close').click();
      await el.updateComplete;
      expect(part(el, 'confirm')).not.to.equal(null);
      await expect(el).to.be.accessible();
    });

    it('is a modal dialog named by its title, with the message in a polite status region', async () => {
      const el = await dialogFor(fakeVisitorCall());
      const dialog = nativeDialog(el);
      expect(dialog.localName).to.equal('dialog');
      expect(dialog.matches(':modal')).to.equal(true);
      expect(el.shadowRoot?.getElementById(dialog.getAttribute('aria-labelledby') ?? '')?.textContent).to.equal('Call with Support');
      expect(must(el, 'message').getAttribute('role')).to.equal('status');
      expect(must(el, 'message').getAttribute('aria-live')).to.equal('polite');
    });

    it('takes focus inside when shown', async () => {
      const el = await dialogFor(fakeVisitorCall());
      expect(nativeDialog(el).contains(focused(el))).to.equal(true);
    });

    it('names the close button by what it does', async () => {
      const call = fakeVisitorCall({ status: 'ringing' });
      const el = await dialogFor(call);
      expect(must(el, 'close').getAttribute('aria-label')).to.equal('End the call and close');
      await end(el, call, { endReason: 'rejected', endedBy: 'remote' });
      expect(must(el, 'close').getAttribute('aria-label')).to.equal('Close dialog');
    });

    it('moves focus to Close once the call has ended with something to read', async () => {
      const call = fakeVisitorCall({ status: 'ringing' });
      const el = await dialogFor(call);
      await end(el, call, { endReason: 'invite_timeout', endedBy: 'local' });
      expectSame(focused(el), must(el, 'done-button'), 'the done button to have focus');
    });
  });

  describe('properties', () => {
    const progress: [Exclude<VisitorCallStatus, 'ended'>, string, string][] = [
      ['connecting', 'Calling Support…', 'Calling…'],
      ['ringing', 'Ringing Support…', 'Ringing them…'],
      ['in-call', 'In a call with Support', 'In a call'],
    ];
    for (const [status, named, unnamed] of progress) {
      it(`says "${named}" while ${status}, and "${unnamed}" with no callee name`, async () => {
        const el = await dialogFor(fakeVisitorCall({ status }));
        expect(message(el)).to.equal(named);
        expect(el.matches(':state(ended)')).to.equal(false);
        const anonymous = await dialogFor(fakeVisitorCall({ status }), '');
        expect(message(anonymous)).to.equal(unnamed);
        expect(must(anonymous, 'title').textContent).to.equal('Call');
      });
    }

    it('follows the call from connecting to ringing to in call', async () => {
      const call = fakeVisitorCall();
      const el = await dialogFor(call);
      expect(message(el)).to.equal('Calling Support…');
      call.set({ status: 'ringing', call: createFakeCall({ phase: 'invite_sent' }) });
      await el.updateComplete;
      expect(message(el)).to.equal('Ringing Support…');
      call.set({ status: 'in-call' });
      await el.updateComplete;
      expect(message(el)).to.equal('In a call with Support');
    });

    it("names the callee from the call's peer when it has no callee name", async () => {
      const el = await dialogFor(fakeVisitorCall({ status: 'ringing', call: createFakeCall({ phase: 'invite_sent' }) }), '');
      expect(message(el)).to.equal('Ringing Bob Tanaka…');
      expect(must(el, 'title').textContent).to.equal('Call with Bob Tanaka');
    });

    it('shows the call in <mx-call> while it goes on, and not once it has ended', async () => {
      const handle = inCall();
      const call = fakeVisitorCall({ status: 'in-call', call: handle });
      const el = await dialogFor(call);
      const shown = must(el, 'call') as HTMLElement & { call: CallHandle | undefined };
      expect(shown.localName).to.equal('mx-call');
      expectSame(shown.call, handle, 'mx-call to show the call');
      await end(el, call, { endReason: 'user_hangup', endedBy: 'remote' });
      expect(part(el, 'call')).to.equal(null);
    });

    it("shows a room's group call in <mx-group-call> while it goes on, and not once it has ended", async () => {
      const group = fakeGroupCall({ phase: 'joining' });
      const call = fakeVisitorCall({ status: 'connecting', groupCall: group });
      const el = await dialogFor(call, 'Support room');
      expect(message(el)).to.equal('Joining Support room…');
      call.set({ status: 'in-call' });
      await el.updateComplete;
      const shown = must(el, 'call') as HTMLElement & { call: GroupCallHandle | undefined };
      expect(shown.localName).to.equal('mx-group-call');
      expectSame(shown.call, group, 'mx-group-call to show the call');
      expect(message(el)).to.equal('In a call with Support room');
      await end(el, call, { endReason: 'user_hangup', endedBy: 'local' });
      expect(part(el, 'call')).to.equal(null);
      stopFakeTracks();
    });

    it('has no <mx-call> before the call is placed', async () => {
      const el = await dialogFor(fakeVisitorCall({ status: 'connecting' }));
      expect(part(el, 'call')).to.equal(null);
    });

    const ends: [CallEndReason | undefined, 'local' | 'remote' | undefined, string, string][] = [
      ['user_busy', 'remote', 'Support is busy. Please try again later.', 'They are busy. Please try again later.'],
      ['rejected', 'remote', 'Support declined the call.', 'They declined the call.'],
      ['invite_timeout', 'local', 'Support did not answer. Please try again later.', 'They did not answer. Please try again later.'],
      ['invite_timeout', 'remote', 'Support did not answer. Please try again later.', 'They did not answer. Please try again later.'],
      ['user_hangup', 'remote', 'Support ended the call.', 'They ended the call.'],
      ['ice_failed', 'local', 'The call could not connect. Your network may be blocking it.', 'The call could not connect. Your network may be blocking it.'],
      ['ice_timeout', 'local', 'The call could not connect. Your network may be blocking it.', 'The call could not connect. Your network may be blocking it.'],
      ['user_media_failed', 'local', 'Your microphone or camera stopped working.', 'Your microphone or camera stopped working.'],
      ['answered_elsewhere', 'remote', 'The call has ended.', 'The call has ended.'],
      [undefined, 'remote', 'The call has ended.', 'The call has ended.'],
    ];
    for (const [endReason, endedBy, named, unnamed] of ends) {
      it(`says "${named}" when the call ended as ${endReason ?? 'nothing'} by ${endedBy ?? 'nobody'}, and stays open`, async () => {
        for (const [calleeName, expected] of [['Support', named], ['', unnamed]] as const) {
          const call = fakeVisitorCall({ status: 'ringing' });
          const el = await dialogFor(call, calleeName);
          await end(el, call, { endReason, endedBy });
          expect(message(el)).to.equal(expected);
          expect(el.open).to.equal(true);
          expect(el.matches(':state(ended)')).to.equal(true);
          expect(el.matches(':state(open)')).to.equal(true);
          expect(part(el, 'done-button')?.textContent?.trim()).to.equal('Close');
        }
      });
    }

    it('closes by itself when the visitor ended the call, having nothing to say', async () => {
      const call = fakeVisitorCall({ status: 'in-call', call: inCall() });
      const el = await dialogFor(call);
      const closed = oneEvent(el, 'mx-call-dialog-close');
      await end(el, call, { endReason: 'user_hangup', endedBy: 'local' });
      expect((await closed).detail.message).to.equal('');
      expect(el.open).to.equal(false);
      expect(el.matches(':state(open)')).to.equal(false);
    });

    const refusals: [MxErrorCode, number | undefined, string][] = [
      ['RATE_LIMITED', undefined, 'Too many calls from here just now. Please try again later.'],
      ['RATE_LIMITED', 0, 'Too many calls from here just now. Please try again in a minute.'],
      ['RATE_LIMITED', 45_000, 'Too many calls from here just now. Please try again in a minute.'],
      ['RATE_LIMITED', 60_001, 'Too many calls from here just now. Please try again in 2 minutes.'],
      ['RATE_LIMITED', 600_000, 'Too many calls from here just now. Please try again in 10 minutes.'],
      ['TARGET_NOT_ALLOWED', undefined, 'This website cannot place this call.'],
      ['ORIGIN_NOT_ALLOWED', undefined, 'Calls are not enabled for this website.'],
      ['HOMESERVER_UNREACHABLE', undefined, 'The call service cannot be reached right now. Please try again later.'],
      ['VISITOR_SERVICE_UNREACHABLE', undefined, 'The call service cannot be reached right now. Please try again later.'],
      ['MEDIA_PERMISSION_DENIED', undefined, 'The call needs your microphone (and camera for video). Allow them in your browser and try again.'],
      ['MEDIA_DEVICE_NOT_FOUND', undefined, 'No microphone was found. Connect one and try again.'],
      ['MEDIA_DEVICE_IN_USE', undefined, 'Your microphone or camera is in use by another program.'],
      ['PEER_UNAVAILABLE', undefined, 'Nobody is available to take the call right now. Please try again later.'],
      ['INVALID_CONFIGURATION', undefined, 'This call button is not set up correctly.'],
      ['LOGIN_FAILED', undefined, 'The call could not be placed. Please try again later.'],
      ['UNKNOWN', undefined, 'The call could not be placed. Please try again later.'],
    ];
    for (const [code, retryAfterMs, expected] of refusals) {
      it(`says "${expected}" for ${code}${retryAfterMs === undefined ? '' : ` after ${retryAfterMs} ms`}`, async () => {
        const error = new MxError(code, 'technical detail the visitor never reads');
        if (retryAfterMs !== undefined) Object.assign(error, { retryAfterMs });
        const call = fakeVisitorCall();
        const el = await dialogFor(call);
        await end(el, call, { error });
        expect(message(el)).to.equal(expected);
        expect(el.open).to.equal(true);
      });
    }

    it('says how a placed call ended rather than what its error was', async () => {
      const call = fakeVisitorCall({ status: 'in-call', call: inCall() });
      const el = await dialogFor(call);
      await end(el, call, { endReason: 'ice_failed', endedBy: 'local', error: new MxError('ICE_FAILED', 'ice failed') });
      expect(message(el)).to.equal('The call could not connect. Your network may be blocking it.');
    });

    it('follows a new call set after one ended', async () => {
      const first = fakeVisitorCall({ status: 'ringing' });
      const el = await dialogFor(first);
      await end(el, first, { endReason: 'rejected', endedBy: 'remote' });
      const second = fakeVisitorCall({ status: 'ringing' });
      el.visitorCall = second;
      await el.updateComplete;
      expect(message(el)).to.equal('Ringing Support…');
      expect(el.matches(':state(ended)')).to.equal(false);
      await end(el, second, { endReason: 'user_busy', endedBy: 'remote' });
      expect(message(el)).to.equal('Support is busy. Please try again later.');
    });
  });

  describe('events', () => {
    it('fires mx-call-ended with the reason and who ended it, once', async () => {
      const call = fakeVisitorCall({ status: 'ringing' });
      const el = await dialogFor(call);
      const seen: MxCallEndedEvent[] = [];
      el.addEventListener('mx-call-ended', (event) => seen.push(event));
      const event = await end(el, call, { endReason: 'rejected', endedBy: 'remote' });
      expect(event.detail).to.deep.equal({ reason: 'rejected', endedBy: 'remote' });
      expect(event.bubbles && event.composed).to.equal(true);
      call.set({ endReason: 'user_busy' });
      el.requestUpdate();
      await el.updateComplete;
      await el.updateComplete;
      expect(seen).to.have.length(1);
    });

    it('fires mx-call-ended once when the call it shows ends (not again from the <mx-call> inside)', async () => {
      const handle = inCall();
      const call = fakeVisitorCall({ status: 'in-call', call: handle });
      // The visitor call follows its call handle from before the dialog shows it, as startVisitorCall does.
      handle.subscribe((s) => {
        if (s.phase === 'ended') call.set({ status: 'ended', endReason: s.endReason, endedBy: s.endedBy });
      });
      const el = await dialogFor(call);
      const inner = must(el, 'call') as HTMLElement & { updateComplete: Promise<boolean> };
      const seen: MxCallEndedEvent[] = [];
      el.addEventListener('mx-call-ended', (event) => seen.push(event));
      const ended = oneEvent(el, 'mx-call-ended');
      handle.set({ phase: 'ended', endReason: 'user_hangup', endedBy: 'remote' });
      await ended;
      await inner.updateComplete;
      await el.updateComplete;
      expect(seen.map((event) => event.detail)).to.deep.equal([{ reason: 'user_hangup', endedBy: 'remote' }]);
      expect(message(el)).to.equal('Support ended the call.');
    });

    it('fires mx-error before mx-call-ended when the call could not start', async () => {
      const call = fakeVisitorCall();
      const el = await dialogFor(call);
      const order: string[] = [];
      el.addEventListener('mx-error', (event: MxErrorEvent) => order.push(`error:${event.detail.error.code}`));
      el.addEventListener('mx-call-ended', () => order.push('ended'));
      await end(el, call, { error: new MxError('RATE_LIMITED', 'slow down') });
      expect(order).to.deep.equal(['error:RATE_LIMITED', 'ended']);
    });

    it('fires no mx-error when the call ended without one', async () => {
      const call = fakeVisitorCall({ status: 'ringing' });
      const el = await dialogFor(call);
      const errors: MxErrorEvent[] = [];
      el.addEventListener('mx-error', (event) => errors.push(event));
      await end(el, call, { endReason: 'user_busy', endedBy: 'remote' });
      expect(errors).to.have.length(0);
    });

    it('fires mx-call-dialog-close with the last message when Close is clicked', async () => {
      const call = fakeVisitorCall({ status: 'ringing' });
      const el = await dialogFor(call);
      await end(el, call, { endReason: 'user_busy', endedBy: 'remote' });
      const closed = oneEvent(el, 'mx-call-dialog-close');
      must(el, 'done-button').click();
      const event: MxCallDialogCloseEvent = await closed;
      expect(event.detail.message).to.equal('Support is busy. Please try again later.');
      expect(event.bubbles && event.composed).to.equal(true);
      expect(el.open).to.equal(false);
    });

    it('ends the call however the dialog closes, and has nothing to say for a call the visitor closed', async () => {
      const call = fakeVisitorCall({ status: 'ringing' });
      const el = await dialogFor(call);
      const closed = oneEvent(el, 'mx-call-dialog-close');
      nativeDialog(el).close();
      const event = await closed;
      expect(call.hangups).to.be.greaterThan(0);
      expect(call.getSnapshot().status).to.equal('ended');
      expect(event.detail.message).to.equal('');
      expect(el.matches(':state(open)')).to.equal(false);
    });

    it('ends the call when it leaves the page', async () => {
      const call = fakeVisitorCall({ status: 'ringing' });
      const el = await dialogFor(call);
      el.remove();
      expect(call.hangups).to.equal(1);
      expect(call.getSnapshot().status).to.equal('ended');
    });
  });

  describe('keyboard', () => {
    it('asks "End the call?" on Escape while the call goes on, focusing End call', async () => {
      const call = fakeVisitorCall({ status: 'ringing' });
      const el = await dialogFor(call);
      await sendKeys({ press: 'Escape' });
      await el.updateComplete;
      expect(el.open).to.equal(true);
      expect(must(el, 'confirm').textContent).to.contain('End the call?');
      expectSame(focused(el), must(el, 'end-button'), 'End call to have focus');
      expect(call.hangups).to.equal(0);
    });

    it('keeps the call going with Keep calling, focus back on the close button', async () => {
      const call = fakeVisitorCall({ status: 'in-call', call: inCall() });
      const el = await dialogFor(call);
      await sendKeys({ press: 'Escape' });
      await el.updateComplete;
      must(el, 'keep-button').focus();
      await sendKeys({ press: 'Enter' });
      await el.updateComplete;
      await waitFor(() => focused(el) === must(el, 'close'), 'the close button to have focus');
      expect(part(el, 'confirm')).to.equal(null);
      expect(el.open).to.equal(true);
      expect(call.hangups).to.equal(0);
      expect(call.getSnapshot().status).to.equal('in-call');
      // Asked again after a keep: the same question, not a close.
      await sendKeys({ press: 'Escape' });
      await el.updateComplete;
      expect(part(el, 'confirm')).not.to.equal(null);
      expect(el.open).to.equal(true);
    });

    it('ends the call and closes with End call', async () => {
      const call = fakeVisitorCall({ status: 'ringing' });
      const el = await dialogFor(call);
      await sendKeys({ press: 'Escape' });
      await el.updateComplete;
      const closed = oneEvent(el, 'mx-call-dialog-close');
      const ended = oneEvent(el, 'mx-call-ended');
      await sendKeys({ press: 'Enter' });
      expect((await ended).detail).to.deep.equal({ reason: 'user_hangup', endedBy: 'local' });
      expect((await closed).detail.message).to.equal('');
      expect(call.hangups).to.be.greaterThan(0);
      expect(el.open).to.equal(false);
    });

    it('asks the same from the close button', async () => {
      const call = fakeVisitorCall({ status: 'connecting' });
      const el = await dialogFor(call);
      must(el, 'close').focus();
      await sendKeys({ press: 'Enter' });
      await el.updateComplete;
      expect(part(el, 'confirm')).not.to.equal(null);
      expectSame(focused(el), must(el, 'end-button'), 'End call to have focus');
      expect(el.open).to.equal(true);
      expect(call.hangups).to.equal(0);
    });

    it('closes at once on Escape or the close button once the call has ended', async () => {
      for (const how of ['Escape', 'close'] as const) {
        const call = fakeVisitorCall({ status: 'ringing' });
        const el = await dialogFor(call);
        await end(el, call, { endReason: 'rejected', endedBy: 'remote' });
                  const closed = oneEvent(el, 'mx-call-dialog-close');
        if (how === 'Escape') await sendKeys({ press: 'Escape' });
        else must(el, 'close').click();
        expect((await closed).detail.message, how).to.equal('Support declined the call.');
        expect(part(el, 'confirm'), how).to.equal(null);
      }
    });

    it('drops the question when the other side ends the call meanwhile', async () => {
      const call = fakeVisitorCall({ status: 'ringing' });
      const el = await dialogFor(call);
      must(el, 'close').click();
      await el.updateComplete;
      expect(part(el, 'confirm')).not.to.equal(null);
      await end(el, call, { endReason: 'user_busy', endedBy: 'remote' });
      expect(part(el, 'confirm')).to.equal(null);
      expect(message(el)).to.equal('Support is busy. Please try again later.');
      expectSame(focused(el), must(el, 'done-button'), 'the done button to have focus');
    });
  });
});
