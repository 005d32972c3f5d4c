import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { MxCallEndedEvent } from '../../../components/call/index.js';
import type { MxErrorEvent } from '../../../components/internal/error-event.js';
import type { CallButtonStatus, MxCallButton, MxCallStartEvent } from '../../../components/call-button/index.js';
import type { MxCallDialog } from '../../../components/call-dialog/index.js';
// Only the button's own entry: the tests below check that nothing else is defined before a click.
import '../../../define/mx-call-button.js';
import { MxError } from '../../../signaling/errors.js';
import type { MatrixCredentials } from '../../../signaling/matrix/session.js';
import type { VisitorCall } from '../../../signaling/visitor/visitor-call.js';
import { waitFor } from '../../helpers/browser/wait-for.js';

/** `actual === expected`, naming `what` rather than printing DOM nodes (which can stall the runner). */
function expectSame(actual: unknown, expected: unknown, what: string): void {
  if (actual !== expected) throw new Error(`expected ${what}`);
}

type GetCredentials = NonNullable<MxCallButton['getCredentials']>;

const STATUSES: CallButtonStatus[] = ['idle', 'connecting', 'ringing', 'in-call', 'unavailable'];
const TARGET = '@support:example.org';
const CREDENTIALS: MatrixCredentials = {
  homeserverUrl: 'http://127.0.0.1:9',
  userId: '@visitor:example.org',
  accessToken: 'syt_never_used',
  deviceId: 'VISITOR',
};

/** A getCredentials that counts its calls and answers as told; by default it never answers, so the call stays connecting. */
function credentialsSource(answer: () => ReturnType<GetCredentials> = () => new Promise<MatrixCredentials>(() => undefined)) {
  const source = {
    calls: 0,
    get: (() => {
      source.calls += 1;
      return answer();
    }) as GetCredentials,
  };
  return source;
}

const part = (el: HTMLElement, name: string) => el.shadowRoot?.querySelector<HTMLElement>(`[part~="${name}"]`) ?? null;
const must = (el: HTMLElement, name: string): HTMLElement => {
  const found = part(el, name);
  if (!found) throw new Error(`no part "${name}" in <${el.localName}>`);
  return found;
};
const statusText = (el: MxCallButton) => must(el, 'status').textContent?.trim() ?? '';
const activeStates = (el: MxCallButton) => STATUSES.filter((status) => el.matches(`:state(${status})`));
const dialogOf = (el: MxCallButton) => el.shadowRoot?.querySelector<MxCallDialog>('mx-call-dialog') ?? null;
const mustDialog = (el: MxCallButton): MxCallDialog => {
  const dialog = dialogOf(el);
  if (!dialog) throw new Error('no <mx-call-dialog>');
  return dialog;
};
/** A part inside the dialog, as the page reaches it through the dialog's shadow root. */
const inDialog = (el: MxCallButton, name: string) => part(mustDialog(el), name);
const nativeDialog = (el: MxCallButton) => (dialogOf(el) ? (inDialog(el, 'dialog') as HTMLDialogElement | null) : null);
const isOpen = (el: MxCallButton) => nativeDialog(el)?.open === true;
const dialogFocus = (el: MxCallButton) => dialogOf(el)?.shadowRoot?.activeElement ?? null;
const visitorCallOf = (el: MxCallButton): VisitorCall => {
  const call = mustDialog(el).visitorCall;
  if (!call) throw new Error('the dialog has no call');
  return call;
};
/** The label as shown: what the label part holds, slotted content included. */
const labelText = (el: MxCallButton) =>
  [...must(el, 'label').childNodes]
    .flatMap((node) => (node instanceof HTMLSlotElement ? node.assignedNodes({ flatten: true }) : [node]))
    .filter((node) => !(node instanceof Comment))
    .map((node) => node.textContent)
    .join('')
    .replace(/\s+/g, ' ')
    .trim();

/** Presses Enter on the button, as a visitor would: a real key press, so the page has a user activation. */
async function press(el: MxCallButton, name = 'button', inside: HTMLElement = el): Promise<void> {
  must(inside, name).focus();
  await sendKeys({ press: 'Enter' });
}

/** Clicks the button with a real key press and waits for the dialog to open. */
async function startCall(el: MxCallButton): Promise<void> {
  await press(el);
  await waitFor(() => isOpen(el), 'the call dialog to open');
}

async function buttonWith(source: ReturnType<typeof credentialsSource>, user = TARGET): Promise<MxCallButton> {
  return fixture<MxCallButton>(html`<mx-call-button user=${user} callee-name="Support" .getCredentials=${source.get}></mx-call-button>`);
}

/** Hangs up whatever call a test left going, so none outlives its test. */
const leftGoing: MxCallButton[] = [];
afterEach(async () => {
  for (const el of leftGoing.splice(0)) {
    const call = dialogOf(el)?.visitorCall;
    if (call) await call.hangup();
  }
});

describe('<mx-call-button>', () => {
  describe('loading', () => {
    // Runs first: every later click loads the dialog and <mx-call>, and a custom element cannot be undefined.
    it('defines nothing but itself before a click, and a click when unavailable loads nothing', async () => {
      const ready = await fixture<MxCallButton>(html`<mx-call-button user=${TARGET} .credentials=${CREDENTIALS}></mx-call-button>`);
      const unavailable = await fixture<MxCallButton>(html`<mx-call-button></mx-call-button>`);
      expect(ready.status).to.equal('idle');
      expect(customElements.get('mx-call-button')).not.to.equal(undefined);
      must(unavailable, 'button').click();
      await unavailable.updateComplete;
      expect(dialogOf(unavailable)).to.equal(null);
      expect(customElements.get('mx-call')).to.equal(undefined);
      expect(customElements.get('mx-call-dialog')).to.equal(undefined);
    });

    it('loads the dialog and <mx-call> on a click', async () => {
      const el = await buttonWith(credentialsSource());
      leftGoing.push(el);
      await startCall(el);
      expect(customElements.get('mx-call-dialog')).not.to.equal(undefined);
      expect(customElements.get('mx-call')).not.to.equal(undefined);
    });
  });

  describe('accessibility', () => {
    it('is accessible while idle', async () => {
      const el = await buttonWith(credentialsSource());
      await expect(el).to.be.accessible();
    });

    it('is accessible as a voice call button', async () => {
      const el = await fixture<MxCallButton>(html`<mx-call-button user=${TARGET} kind="voice" visitor-service="http://127.0.0.1:9"></mx-call-button>`);
      await expect(el).to.be.accessible();
    });

    it('is accessible while unavailable, saying why once clicked', async () => {
      const el = await fixture<MxCallButton>(html`<mx-call-button></mx-call-button>`);
      await expect(el).to.be.accessible();
      must(el, 'button').click();
      await el.updateComplete;
      expect(statusText(el)).to.match(/\w/);
      await expect(el).to.be.accessible();
    });

    it('is accessible with the dialog open', async () => {
      const el = await buttonWith(credentialsSource());
      leftGoing.push(el);
      await startCall(el);
      await expect(el).to.be.accessible();
    });

    it('is accessible with the dialog saying why the call could not start', async () => {
      const el = await buttonWith(credentialsSource(() => Promise.reject(new MxError('RATE_LIMITED', 'slow down'))));
      const ended = oneEvent(el, 'mx-call-ended');
      await startCall(el);
      await ended;
      await expect(el).to.be.accessible();
    });

    it('is a native button, described by its polite status region, disabled for assistive technology only when unavailable', async () => {
      const el = await fixture<MxCallButton>(html`<mx-call-button></mx-call-button>`);
      const button = must(el, 'button');
      expect(button.localName).to.equal('button');
      expect(el.shadowRoot?.getElementById(button.getAttribute('aria-describedby') ?? '')).to.equal(part(el, 'status'));
      expect(must(el, 'status').getAttribute('role')).to.equal('status');
      expect(must(el, 'status').getAttribute('aria-live')).to.equal('polite');
      expect(button.getAttribute('aria-disabled')).to.equal('true');
      // Still focusable, so a keyboard user can reach it and hear why it does nothing.
      el.focus();
      expectSame(el.shadowRoot?.activeElement, button, 'the button to take focus');
      el.user = TARGET;
      el.credentials = CREDENTIALS;
      await el.updateComplete;
      expect(button.hasAttribute('aria-disabled')).to.equal(false);
    });

    it('keeps focus inside the dialog while it is open: the page behind it is inert', async () => {
      const page = await fixture<HTMLDivElement>(html`<div>
        <button type="button">Elsewhere</button>
        <mx-call-button user=${TARGET} .getCredentials=${credentialsSource().get}></mx-call-button>
      </div>`);
      const el = page.querySelector('mx-call-button');
      if (!el) throw new Error('no button');
      leftGoing.push(el);
      await startCall(el);
      const inside = dialogFocus(el);
      expect(nativeDialog(el)?.contains(inside)).to.equal(true);
      page.querySelector('button')?.focus();
      must(el, 'button').focus();
      expectSame(dialogFocus(el), inside, 'focus to stay inside the dialog');
      expect(must(el, 'button').matches(':focus')).to.equal(false);
    });

    it('keeps aria-disabled off while a call goes on', async () => {
      const el = await buttonWith(credentialsSource());
      leftGoing.push(el);
      await startCall(el);
      expect(el.status).to.equal('connecting');
      expect(must(el, 'button').hasAttribute('aria-disabled')).to.equal(false);
    });
  });

  describe('properties', () => {
    const setups: [string, Partial<Pick<MxCallButton, 'user' | 'room' | 'credentials' | 'getCredentials' | 'visitorService'>>, CallButtonStatus][] = [
      ['no user', { credentials: CREDENTIALS }, 'unavailable'],
      ['a user without a server', { user: '@support', credentials: CREDENTIALS }, 'unavailable'],
      ['a user without the @', { user: 'support:example.org', credentials: CREDENTIALS }, 'unavailable'],
      ['a user with a space', { user: '@sup port:example.org', credentials: CREDENTIALS }, 'unavailable'],
      ['a room id', { user: '!room:example.org', credentials: CREDENTIALS }, 'unavailable'],
      ['no credentials, getCredentials or visitor service', { user: TARGET }, 'unavailable'],
      ['credentials', { user: TARGET, credentials: CREDENTIALS }, 'idle'],
      ['getCredentials', { user: TARGET, getCredentials: () => undefined }, 'idle'],
      ['a visitor service', { user: TARGET, visitorService: 'http://127.0.0.1:9' }, 'idle'],
      ['a room alias and a visitor service', { room: '#support-call:example.org', visitorService: 'http://127.0.0.1:9' }, 'idle'],
      ['a room id and credentials', { room: '!call:example.org', credentials: CREDENTIALS }, 'idle'],
      ['a room version 12 id (no server part) and credentials', { room: '!nowF3SYFF7FayJoYFzrtnbSAKIc41efHh0pZ2pqjb9g', credentials: CREDENTIALS }, 'idle'],
      ['a room that is neither an id nor an alias', { room: 'support-call', credentials: CREDENTIALS }, 'unavailable'],
      ['a room without a way to sign in', { room: '#support-call:example.org' }, 'unavailable'],
      ['both a user and a room', { user: TARGET, room: '#support-call:example.org', credentials: CREDENTIALS }, 'unavailable'],
    ];
    for (const [name, setup, expected] of setups) {
      it(`is ${expected} with ${name}`, async () => {
        const el = await fixture<MxCallButton>(html`<mx-call-button></mx-call-button>`);
        Object.assign(el, setup);
        await el.updateComplete;
        expect(el.status).to.equal(expected);
        expect(activeStates(el)).to.deep.equal([expected]);
        expect(must(el, 'button').getAttribute('aria-disabled')).to.equal(expected === 'unavailable' ? 'true' : null);
      });
    }

    it('takes user, kind, callee-name, visitor-service and ring-timeout as attributes', async () => {
      const el = await fixture<MxCallButton>(
        html`<mx-call-button user=${TARGET} kind="voice" callee-name="Support" visitor-service="http://127.0.0.1:9" ring-timeout="30"></mx-call-button>`,
      );
      expect([el.user, el.kind, el.calleeName, el.visitorService, el.ringTimeout]).to.deep.equal([TARGET, 'voice', 'Support', 'http://127.0.0.1:9', 30]);
      expect(el.status).to.equal('idle');
    });

    it('is a video call button by default, and reflects user and kind', async () => {
      const el = await fixture<MxCallButton>(html`<mx-call-button></mx-call-button>`);
      expect(el.kind).to.equal('video');
      el.user = TARGET;
      el.kind = 'voice';
      await el.updateComplete;
      expect(el.getAttribute('user')).to.equal(TARGET);
      expect(el.getAttribute('kind')).to.equal('voice');
    });

    it('says why it is unavailable on a click, and opens nothing', async () => {
      for (const [html_, reason] of [
        [html`<mx-call-button .credentials=${CREDENTIALS}></mx-call-button>`, 'Calls are not set up on this button (no Matrix user or room to call).'],
        [html`<mx-call-button user=${TARGET} room="#support-call:example.org" .credentials=${CREDENTIALS}></mx-call-button>`, 'Calls are not set up on this button (it names both a user and a room).'],
        [html`<mx-call-button user=${TARGET}></mx-call-button>`, 'Calls are not set up on this button (no way to sign in).'],
      ] as const) {
        const el = await fixture<MxCallButton>(html_);
        const starts: Event[] = [];
        el.addEventListener('mx-call-start', (event) => starts.push(event));
        expect(statusText(el)).to.equal('');
        await press(el);
        await el.updateComplete;
        expect(statusText(el)).to.equal(reason);
        expect(dialogOf(el)).to.equal(null);
        expect(starts).to.have.length(0);
        expect(el.status).to.equal('unavailable');
      }
    });

    it('becomes idle once given a user and a way to sign in', async () => {
      const el = await fixture<MxCallButton>(html`<mx-call-button></mx-call-button>`);
      expect(activeStates(el)).to.deep.equal(['unavailable']);
      el.setAttribute('user', TARGET);
      el.setAttribute('visitor-service', 'http://127.0.0.1:9');
      await el.updateComplete;
      expect(activeStates(el)).to.deep.equal(['idle']);
    });

    it('is connecting while the call starts', async () => {
      const el = await buttonWith(credentialsSource());
      leftGoing.push(el);
      await startCall(el);
      expect(el.status).to.equal('connecting');
      expect(activeStates(el)).to.deep.equal(['connecting']);
    });

    it('takes its colours from --mx-call-button-* properties', async () => {
      const el = await fixture<MxCallButton>(html`<mx-call-button user=${TARGET} .credentials=${CREDENTIALS}></mx-call-button>`);
      el.style.setProperty('--mx-call-button-background', 'rgb(1, 2, 3)');
      el.style.setProperty('--mx-call-button-color', 'rgb(4, 5, 6)');
      el.style.setProperty('--mx-call-button-unavailable-background', 'rgb(7, 8, 9)');
      const button = must(el, 'button');
      expect([getComputedStyle(button).backgroundColor, getComputedStyle(button).color]).to.deep.equal(['rgb(1, 2, 3)', 'rgb(4, 5, 6)']);
      el.user = '';
      await el.updateComplete;
      expect(getComputedStyle(button).backgroundColor).to.equal('rgb(7, 8, 9)');
    });
  });

  describe('events', () => {
    it('fires mx-call-start on a click, with the target and kind', async () => {
      const el = await fixture<MxCallButton>(html`<mx-call-button user=${TARGET} kind="voice" .getCredentials=${credentialsSource().get}></mx-call-button>`);
      leftGoing.push(el);
      const started = oneEvent(el, 'mx-call-start');
      await press(el);
      const event: MxCallStartEvent = await started;
      expect(event.detail).to.deep.equal({ target: TARGET, kind: 'voice' });
      expect([event.bubbles, event.composed, event.cancelable]).to.deep.equal([true, true, true]);
      await waitFor(() => isOpen(el), 'the call dialog to open');
    });

    it("fires mx-call-start with the room for a room's call", async () => {
      const el = await fixture<MxCallButton>(html`<mx-call-button room="#support-call:example.org" .getCredentials=${credentialsSource().get}></mx-call-button>`);
      leftGoing.push(el);
      const started = oneEvent(el, 'mx-call-start');
      await press(el);
      expect((await started).detail).to.deep.equal({ target: '#support-call:example.org', kind: 'video' });
    });

    it('starts one call for a double click', async () => {
      const source = credentialsSource();
      const el = await buttonWith(source);
      leftGoing.push(el);
      const starts: MxCallStartEvent[] = [];
      el.addEventListener('mx-call-start', (event) => starts.push(event));
      must(el, 'button').click();
      must(el, 'button').click();
      await waitFor(() => isOpen(el), 'the call dialog to open');
      await waitFor(() => source.calls > 0, 'the call to ask for credentials');
      must(el, 'button').click();
      expect(starts).to.have.length(1);
      expect(source.calls).to.equal(1);
    });

    it('starts nothing when mx-call-start is prevented', async () => {
      const prevented = credentialsSource();
      const el = await buttonWith(prevented);
      el.addEventListener('mx-call-start', (event) => event.preventDefault());
      await press(el);
      // Another button's call gets as far as asking for credentials: time enough for the first to have started.
      const other = credentialsSource();
      const witness = await buttonWith(other);
      leftGoing.push(witness);
      await startCall(witness);
      await waitFor(() => other.calls === 1, "the other button's call to ask for credentials");
      expect(prevented.calls).to.equal(0);
      expect(dialogOf(el)).to.equal(null);
      expect(el.status).to.equal('idle');
    });

    it('opens the dialog saying why when getCredentials fails, and gives focus back with the message beside it', async () => {
      const source = credentialsSource(() => Promise.reject(new Error('the site session expired')));
      const el = await buttonWith(source);
      const errors: MxErrorEvent[] = [];
      el.addEventListener('mx-error', (event) => errors.push(event));
      const ended = oneEvent(el, 'mx-call-ended');
      await startCall(el);
      const event: MxCallEndedEvent = await ended;
      expect(event.detail).to.deep.equal({ reason: undefined, endedBy: undefined });
      expect(errors.map((e) => e.detail.error.code)).to.deep.equal(['UNKNOWN']);
      expect(isOpen(el)).to.equal(true);
      expectSame(el.shadowRoot?.activeElement, dialogOf(el), 'focus to be in the dialog');
      expect(nativeDialog(el)?.contains(dialogFocus(el))).to.equal(true);
      const refusal = 'The call could not be placed. Please try again later.';
      expect(inDialog(el, 'message')?.textContent?.trim()).to.equal(refusal);
      expect(el.status).to.equal('idle');

      const doneButton = inDialog(el, 'done-button');
      if (!doneButton) throw new Error('no Close button');
      await press(el, 'done-button', mustDialog(el));
      await waitFor(() => dialogOf(el) === null, 'the dialog to close');
      expectSame(document.activeElement, el, 'focus to be back on the call button');
      expectSame(el.shadowRoot?.activeElement, must(el, 'button'), 'focus to be on the inner button');
      expect(statusText(el)).to.equal(refusal);
      expect(el.status).to.equal('idle');
      expect(source.calls).to.equal(1);
    });

    const lasting: [string, MxError | (() => undefined), string, CallButtonStatus][] = [
      ['TARGET_NOT_ALLOWED', new MxError('TARGET_NOT_ALLOWED', 'not this one'), 'This website cannot place this call.', 'unavailable'],
      ['ORIGIN_NOT_ALLOWED', new MxError('ORIGIN_NOT_ALLOWED', 'not this site'), 'Calls are not enabled for this website.', 'unavailable'],
      ['ROOM_NOT_ALLOWED', new MxError('ROOM_NOT_ALLOWED', 'not this room'), 'This website cannot place this call.', 'unavailable'],
      ['ROOM_NOT_JOINABLE', new MxError('ROOM_NOT_JOINABLE', 'invite only'), 'The call cannot be joined from here right now.', 'idle'],
      ['no identity at all', () => undefined, 'This call button is not set up correctly.', 'unavailable'],
      ['RATE_LIMITED', Object.assign(new MxError('RATE_LIMITED', 'slow down'), { retryAfterMs: 120_000 }), 'Too many calls from here just now. Please try again in 2 minutes.', 'idle'],
      ['HOMESERVER_UNREACHABLE', new MxError('HOMESERVER_UNREACHABLE', 'down'), 'The call service cannot be reached right now. Please try again later.', 'idle'],
    ];
    for (const [name, failure, text, after] of lasting) {
      it(`is ${after} after ${name}, saying "${text}"`, async () => {
        const source = credentialsSource(failure instanceof MxError ? () => Promise.reject(failure) : failure);
        const el = await buttonWith(source);
        const ended = oneEvent(el, 'mx-call-ended');
        await startCall(el);
        await ended;
        expect(inDialog(el, 'message')?.textContent?.trim()).to.equal(text);
        const closed = oneEvent(el, 'mx-call-dialog-close');
        inDialog(el, 'done-button')?.click();
        await closed;
        await el.updateComplete;
        expect(el.status).to.equal(after);
        expect(activeStates(el)).to.deep.equal([after]);
        expect(statusText(el)).to.equal(text);
        expect(must(el, 'button').getAttribute('aria-disabled')).to.equal(after === 'unavailable' ? 'true' : null);
        await press(el);
        await el.updateComplete;
        if (after === 'unavailable') {
          expect(dialogOf(el), 'a click opens nothing').to.equal(null);
          expect(statusText(el)).to.equal(text);
          expect(source.calls).to.equal(1);
        } else {
          await waitFor(() => source.calls === 2, 'a second try');
        }
      });
    }

    it('forgets a lasting refusal when given another user to call', async () => {
      const el = await buttonWith(credentialsSource(() => Promise.reject(new MxError('TARGET_NOT_ALLOWED', 'no'))));
      const closed = oneEvent(el, 'mx-call-dialog-close');
      await startCall(el);
      await waitFor(() => inDialog(el, 'done-button') !== null, 'the call to end');
      inDialog(el, 'done-button')?.click();
      await closed;
      await el.updateComplete;
      expect(el.status).to.equal('unavailable');
      el.user = '@sales:example.org';
      await el.updateComplete;
      expect(el.status).to.equal('idle');
    });

    it('ends the call when the button leaves the page while the call starts', async () => {
      const el = await buttonWith(credentialsSource());
      await startCall(el);
      const call = visitorCallOf(el);
      expect(call.getSnapshot().status).to.equal('connecting');
      el.remove();
      await waitFor(() => call.getSnapshot().status === 'ended', 'the call to end');
      expect(call.getSnapshot()).to.include({ endReason: 'user_hangup', endedBy: 'local' });
    });

    it('starts no call when the button leaves the page before the call has loaded', async () => {
      const source = credentialsSource();
      const el = await buttonWith(source);
      must(el, 'button').click();
      expect(el.status).to.equal('connecting');
      el.remove();
      await waitFor(() => el.status === 'idle', 'the button to give up');
      expect(dialogOf(el)).to.equal(null);
      // The other button's call asks for credentials: time enough for a call started by the removed one to have.
      const other = credentialsSource();
      const witness = await buttonWith(other);
      leftGoing.push(witness);
      await startCall(witness);
      await waitFor(() => other.calls === 1, "the other button's call to ask for credentials");
      expect(source.calls).to.equal(0);
    });

    it('ends the call on pagehide', async () => {
      const el = await buttonWith(credentialsSource());
      await startCall(el);
      const call = visitorCallOf(el);
      const ended = oneEvent(el, 'mx-call-ended');
      window.dispatchEvent(new PageTransitionEvent('pagehide', { persisted: false }));
      expect((await ended).detail).to.deep.equal({ reason: 'user_hangup', endedBy: 'local' });
      expect(call.getSnapshot().status).to.equal('ended');
      await waitFor(() => dialogOf(el) === null, 'the dialog to close');
      expect(el.status).to.equal('idle');
      expect(statusText(el)).to.equal('');
    });

    it('says nothing beside itself when the dialog is closed while the call goes on', async () => {
      const el = await buttonWith(credentialsSource());
      await startCall(el);
      const call = visitorCallOf(el);
      nativeDialog(el)?.close();
      await waitFor(() => dialogOf(el) === null, 'the dialog to go');
      expect(call.getSnapshot().status).to.equal('ended');
      expect(statusText(el)).to.equal('');
      expect(el.status).to.equal('idle');
    });
  });

  describe('slots', () => {
    it('labels itself "Video call" or "Call" by kind', async () => {
      const el = await fixture<MxCallButton>(html`<mx-call-button user=${TARGET} .credentials=${CREDENTIALS}></mx-call-button>`);
      expect(labelText(el)).to.equal('Video call');
      el.kind = 'voice';
      await el.updateComplete;
      expect(labelText(el)).to.equal('Call');
    });

    it('keeps its default label when the tag holds only whitespace', async () => {
      const el = await fixture<MxCallButton>(html`<mx-call-button user=${TARGET} .credentials=${CREDENTIALS}>
        </mx-call-button>`);
      expect(labelText(el)).to.equal('Video call');
      await expect(el).to.be.accessible();
    });

    it('takes its label from the default slot', async () => {
      const el = await fixture<MxCallButton>(html`<mx-call-button user=${TARGET} .credentials=${CREDENTIALS}>Talk to <b>support</b></mx-call-button>`);
      expect(labelText(el)).to.equal('Talk to support');
      await expect(el).to.be.accessible();
    });

    it('takes its icon from the icon slot, drawing a camera or a phone otherwise', async () => {
      const el = await fixture<MxCallButton>(html`<mx-call-button user=${TARGET} .credentials=${CREDENTIALS}></mx-call-button>`);
      const slot = el.shadowRoot?.querySelector<HTMLSlotElement>('slot[name="icon"]');
      const drawn = () => slot?.assignedElements({ flatten: true })[0]?.querySelector('path')?.getAttribute('d');
      const camera = drawn();
      el.kind = 'voice';
      await el.updateComplete;
      const phone = drawn();
      expect(camera).to.be.a('string');
      expect(phone).to.be.a('string');
      expect(phone).not.to.equal(camera);

      const custom = await fixture<MxCallButton>(
        html`<mx-call-button user=${TARGET} .credentials=${CREDENTIALS}><span slot="icon" aria-hidden="true">☎</span>Support</mx-call-button>`,
      );
      const assigned = custom.shadowRoot?.querySelector<HTMLSlotElement>('slot[name="icon"]')?.assignedElements() ?? [];
      expect(assigned.map((node) => node.textContent)).to.deep.equal(['☎']);
      expect(labelText(custom)).to.equal('Support');
    });
  });

  describe('keyboard', () => {
    it('asks "End the call?" on Escape, focusing End call', async () => {
      const el = await buttonWith(credentialsSource());
      leftGoing.push(el);
      await startCall(el);
      await sendKeys({ press: 'Escape' });
      await waitFor(() => inDialog(el, 'confirm') !== null, 'the question');
      expect(isOpen(el)).to.equal(true);
      expectSame(dialogFocus(el), inDialog(el, 'end-button'), 'End call to have focus');
      expect(el.status).to.equal('connecting');
    });

    it('keeps the call with Keep calling, then ends it with Escape and End call, focus back on the button', async () => {
      const el = await buttonWith(credentialsSource());
      await startCall(el);
      const call = visitorCallOf(el);
      await sendKeys({ press: 'Escape' });
      await waitFor(() => inDialog(el, 'confirm') !== null, 'the question');
      await press(el, 'keep-button', mustDialog(el));
      await waitFor(() => inDialog(el, 'confirm') === null, 'the question to go');
      expect(isOpen(el)).to.equal(true);
      expect(call.getSnapshot().status).to.equal('connecting');
      expect(el.status).to.equal('connecting');

      const ended = oneEvent(el, 'mx-call-ended');
      await sendKeys({ press: 'Escape' });
      await waitFor(() => inDialog(el, 'confirm') !== null, 'the question again');
      expectSame(dialogFocus(el), inDialog(el, 'end-button'), 'End call to have focus');
      await sendKeys({ press: 'Enter' });
      expect((await ended).detail).to.deep.equal({ reason: 'user_hangup', endedBy: 'local' });
      await waitFor(() => dialogOf(el) === null, 'the dialog to close');
      expect(call.getSnapshot()).to.include({ status: 'ended', endReason: 'user_hangup', endedBy: 'local' });
      expectSame(document.activeElement, el, 'focus to be back on the call button');
      expectSame(el.shadowRoot?.activeElement, must(el, 'button'), 'focus to be on the inner button');
      expect(el.status).to.equal('idle');
      expect(statusText(el)).to.equal('');
    });

    it('asks the same from the close button', async () => {
      const el = await buttonWith(credentialsSource());
      await startCall(el);
      const call = visitorCallOf(el);
      await press(el, 'close', mustDialog(el));
      await waitFor(() => inDialog(el, 'confirm') !== null, 'the question');
      expectSame(dialogFocus(el), inDialog(el, 'end-button'), 'End call to have focus');
      expect(call.getSnapshot().status).to.equal('connecting');
      const ended = oneEvent(el, 'mx-call-ended');
      await sendKeys({ press: 'Enter' });
      expect((await ended).detail).to.deep.equal({ reason: 'user_hangup', endedBy: 'local' });
      await waitFor(() => dialogOf(el) === null, 'the dialog to close');
      expectSame(document.activeElement, el, 'focus to be back on the call button');
    });

    it('starts a call with Space too', async () => {
      const el = await buttonWith(credentialsSource());
      leftGoing.push(el);
      must(el, 'button').focus();
      await sendKeys({ press: 'Space' });
      await waitFor(() => isOpen(el), 'the call dialog to open');
    });
  });
});
