import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import type { MxCallControls } from '../../../components/call-controls/index.js';
import '../../../define/mx-call-controls.js';
import { MxError } from '../../../signaling/errors.js';
import type { CallPhase, CallSnapshot } from '../../../signaling/voip/types.js';
import { captureUnhandledRejections, createFakeCall, expectSame, type FakeCall } from '../../helpers/browser/fake-call.js';

const BUTTONS = ['mic', 'camera', 'screenshare', 'hold', 'hangup'] as const;
type Button = (typeof BUTTONS)[number];

const button = (el: MxCallControls, name: Button): HTMLButtonElement => {
  const found = el.shadowRoot?.querySelector<HTMLButtonElement>(`[part~="${name}-button"]`);
  if (!found) throw new Error(`no ${name} button`);
  return found;
};
const part = (el: HTMLElement, name: string) => el.shadowRoot?.querySelector<HTMLElement>(`[part~="${name}"]`) ?? null;
const enabled = (el: MxCallControls) => BUTTONS.filter((name) => !button(el, name).disabled);
const liveText = (el: MxCallControls) => el.shadowRoot?.querySelector('[role="status"]')?.textContent?.trim() ?? '';

async function controlsFor(call: FakeCall | undefined): Promise<MxCallControls> {
  return fixture<MxCallControls>(html`<mx-call-controls .call=${call}></mx-call-controls>`);
}

/** Lets a resolved or rejected intent finish and the element render its outcome. */
async function settle(el: MxCallControls): Promise<void> {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
  await el.updateComplete;
}

describe('<mx-call-controls>', () => {
  describe('accessibility', () => {
    const cases: [string, Partial<CallSnapshot> | undefined][] = [
      ['a connected video call', { phase: 'connected' }],
      ['a muted, held, sharing call', { micMuted: true, cameraMuted: true, localOnHold: true, screensharing: true }],
      ['a voice call', { kind: 'voice' }],
      ['an ended call', { phase: 'ended', endReason: 'user_hangup' }],
      ['no call', undefined],
    ];
    for (const [name, snapshot] of cases) {
      it(`is accessible for ${name}`, async () => {
        const el = await controlsFor(snapshot && createFakeCall(snapshot));
        await expect(el).to.be.accessible();
      });
    }

    it('is accessible while showing an error', async () => {
      const call = createFakeCall();
      call.failNext('setMicMuted', new MxError('MEDIA_DEVICE_NOT_FOUND', 'No microphone was found.'));
      const el = await controlsFor(call);
      button(el, 'mic').click();
      await settle(el);
      await expect(el).to.be.accessible();
    });

    it('groups the buttons under one name, each with an accessible name and its shortcut', async () => {
      const el = await controlsFor(createFakeCall());
      expect(part(el, 'group')?.getAttribute('role')).to.equal('group');
      expect(part(el, 'group')?.getAttribute('aria-label')).to.equal('Call controls');
      for (const name of BUTTONS) expect(button(el, name).getAttribute('aria-label'), name).to.match(/\w/);
      expect(BUTTONS.map((name) => button(el, name).getAttribute('aria-keyshortcuts'))).to.deep.equal(['M', 'V', 'S', 'H', null]);
    });

    it('shows a tooltip repeating the label (and the key) on each button', async () => {
      const el = await controlsFor(createFakeCall());
      const tooltip = button(el, 'mic').querySelector('[part~="tooltip"]');
      expect(tooltip?.getAttribute('aria-hidden')).to.equal('true');
      const text = [...(tooltip?.childNodes ?? [])].filter((node) => node.nodeType === Node.TEXT_NODE).map((node) => node.textContent);
      expect(text.join('').trim()).to.equal('Mute microphone');
      expect(tooltip?.querySelector('kbd')?.textContent).to.equal('M');
      expect(button(el, 'hangup').querySelector('[part~="tooltip"]')?.textContent?.trim()).to.equal('Hang up');
    });

    it('delegates focus to its first button', async () => {
      const el = await controlsFor(createFakeCall());
      el.focus();
      expectSame(el.shadowRoot?.activeElement, button(el, 'mic'), 'el.shadowRoot?.activeElement to be button(el, "mic")');
    });
  });

  describe('rendering per phase', () => {
    const table: [CallPhase, Partial<CallSnapshot>, Button[]][] = [
      ['invite_sent', {}, ['mic', 'camera', 'hangup']],
      ['ringing', { direction: 'inbound' }, ['mic', 'camera', 'hangup']],
      ['connecting', {}, ['mic', 'camera', 'hangup']],
      ['connected', {}, ['mic', 'camera', 'screenshare', 'hold', 'hangup']],
      ['connected', { localOnHold: true }, ['mic', 'camera', 'hold', 'hangup']],
      ['connected', { kind: 'voice' }, ['mic', 'camera', 'screenshare', 'hold', 'hangup']],
      ['connecting', { kind: 'voice' }, ['mic', 'hangup']],
      ['ended', {}, []],
    ];
    for (const [phase, extra, expected] of table) {
      it(`enables ${expected.join(', ') || 'nothing'} while ${phase} ${JSON.stringify(extra)}`, async () => {
        const el = await controlsFor(createFakeCall({ phase, ...extra }));
        expect(enabled(el)).to.deep.equal(expected);
      });
    }

    it('disables everything with no call, and marks it ended', async () => {
      const el = await controlsFor(undefined);
      expect(enabled(el)).to.deep.equal([]);
      expect(el.matches(':state(ended)')).to.equal(true);
    });

    it('follows the call as it changes phase', async () => {
      const call = createFakeCall({ phase: 'connecting' });
      const el = await controlsFor(call);
      expect(button(el, 'hold').disabled).to.equal(true);
      call.set({ phase: 'connected' });
      await el.updateComplete;
      expect(button(el, 'hold').disabled).to.equal(false);
      call.set({ phase: 'ended' });
      await el.updateComplete;
      expect(enabled(el)).to.deep.equal([]);
    });

    it('styles hang up as the danger action', async () => {
      const el = await controlsFor(createFakeCall());
      expect(getComputedStyle(button(el, 'hangup')).backgroundColor).to.equal('rgb(217, 45, 32)');
    });
  });

  describe('aria-pressed and labels', () => {
    const toggles: [Button, keyof CallSnapshot, string, string][] = [
      ['mic', 'micMuted', 'Mute microphone', 'Unmute microphone'],
      ['camera', 'cameraMuted', 'Turn off camera', 'Turn on camera'],
      ['screenshare', 'screensharing', 'Share screen', 'Stop sharing screen'],
      ['hold', 'localOnHold', 'Hold call', 'Resume call'],
    ];
    for (const [name, field, off, on] of toggles) {
      it(`${name}: aria-pressed follows ${field} and the label swaps`, async () => {
        const call = createFakeCall();
        const el = await controlsFor(call);
        expect(button(el, name).getAttribute('aria-pressed')).to.equal('false');
        expect(button(el, name).getAttribute('aria-label')).to.equal(off);
        call.set({ [field]: true });
        await el.updateComplete;
        expect(button(el, name).getAttribute('aria-pressed')).to.equal('true');
        expect(button(el, name).getAttribute('aria-label')).to.equal(on);
      });
    }

    it('offers "Start video", not a toggle, in a voice call', async () => {
      const el = await controlsFor(createFakeCall({ kind: 'voice' }));
      expect(button(el, 'camera').getAttribute('aria-label')).to.equal('Start video');
      expect(button(el, 'camera').hasAttribute('aria-pressed')).to.equal(false);
    });

    it('gives hang up no pressed state', async () => {
      const el = await controlsFor(createFakeCall());
      expect(button(el, 'hangup').hasAttribute('aria-pressed')).to.equal(false);
    });

    it('mirrors the call into custom states', async () => {
      const el = await controlsFor(createFakeCall({ micMuted: true, screensharing: true, kind: 'voice' }));
      const states = ['mic-muted', 'camera-muted', 'screensharing', 'on-hold', 'voice', 'ended'].filter((s) => el.matches(`:state(${s})`));
      expect(states).to.deep.equal(['mic-muted', 'screensharing', 'voice']);
    });
  });

  describe('events', () => {
    const cases: [Button, Partial<CallSnapshot>, string, unknown, string, unknown[]][] = [
      ['mic', {}, 'mx-mic-toggle-request', { muted: true }, 'setMicMuted', [true]],
      ['mic', { micMuted: true }, 'mx-mic-toggle-request', { muted: false }, 'setMicMuted', [false]],
      ['camera', {}, 'mx-camera-toggle-request', { muted: true }, 'setCameraMuted', [true]],
      ['camera', { cameraMuted: true }, 'mx-camera-toggle-request', { muted: false }, 'setCameraMuted', [false]],
      ['camera', { kind: 'voice' }, 'mx-video-upgrade-request', undefined, 'upgradeToVideo', []],
      ['screenshare', {}, 'mx-screenshare-toggle-request', { enabled: true }, 'setScreensharing', [true]],
      ['hold', { localOnHold: true }, 'mx-hold-toggle-request', { onHold: false }, 'setOnHold', [false]],
      ['hold', {}, 'mx-hold-toggle-request', { onHold: true }, 'setOnHold', [true]],
      ['hangup', {}, 'mx-hangup-request', undefined, 'hangup', []],
    ];

    for (const [name, snapshot, type, detail, method, args] of cases) {
      it(`${name} ${JSON.stringify(snapshot)} fires a cancelable, composed ${type} and calls ${method}`, async () => {
        const call = createFakeCall(snapshot);
        const el = await controlsFor(call);
        const fired = oneEvent(el, type);
        button(el, name).click();
        const event = (await fired) as Event & { detail?: unknown };
        expect(event.cancelable).to.equal(true);
        expect(event.composed).to.equal(true);
        expect(event.bubbles).to.equal(true);
        expect(event.detail).to.deep.equal(detail);
        await settle(el);
        expect(call.intents).to.deep.equal([{ method, args }]);
      });

      it(`${name} ${JSON.stringify(snapshot)}: a cancelled ${type} leaves the call alone`, async () => {
        const call = createFakeCall(snapshot);
        const el = await controlsFor(call);
        el.addEventListener(type, (event) => event.preventDefault());
        button(el, name).click();
        await settle(el);
        expect(call.intents).to.deep.equal([]);
      });
    }

    it('turns a rejected intent into mx-error and a message, with no unhandled rejection', async () => {
      const unhandled = captureUnhandledRejections();
      try {
        const call = createFakeCall({ cameraMuted: true });
        const failure = new MxError('MEDIA_PERMISSION_DENIED', 'Camera access was denied.');
        call.failNext('setCameraMuted', failure);
        const el = await controlsFor(call);
        const fired = oneEvent(el, 'mx-error');
        button(el, 'camera').click();
        const event = await fired;
        expect(event.detail.error).to.equal(failure);
        expect(event.composed).to.equal(true);
        await settle(el);
        expect(part(el, 'error')?.textContent?.trim()).to.equal('Could not turn on the camera: Camera access was denied.');
        await unhandled.settle();
        expect(unhandled.reasons).to.deep.equal([]);
      } finally {
        unhandled.stop();
      }
    });

    it('wraps anything a handle throws into an MxError', async () => {
      const call = createFakeCall();
      call.failNext('hangup', new TypeError('network down'));
      const el = await controlsFor(call);
      const fired = oneEvent(el, 'mx-error');
      button(el, 'hangup').click();
      const { detail } = await fired;
      expect(detail.error).to.be.instanceOf(MxError);
      expect(detail.error.code).to.equal('UNKNOWN');
      expect(detail.error.message).to.equal('network down');
    });

    it('clears the message when the next request succeeds, or when dismissed', async () => {
      const call = createFakeCall();
      call.failNext('setMicMuted', new MxError('UNKNOWN', 'Nope.'));
      const el = await controlsFor(call);
      button(el, 'mic').click();
      await settle(el);
      expect(part(el, 'error')?.textContent).to.contain('Nope.');
      button(el, 'mic').click();
      await settle(el);
      expect(part(el, 'error')?.textContent?.trim()).to.equal('');

      call.failNext('setMicMuted', new MxError('UNKNOWN', 'Again.'));
      button(el, 'mic').click();
      await settle(el);
      part(el, 'error')?.querySelector('button')?.click();
      await settle(el);
      expect(part(el, 'error')?.textContent?.trim()).to.equal('');
      expectSame(el.shadowRoot?.activeElement, button(el, 'mic'), 'el.shadowRoot?.activeElement to be button(el, "mic")');
    });

    it('drops a second hang up while the first is still running', async () => {
      const call = createFakeCall();
      let finish: () => void = () => undefined;
      let calls = 0;
      call.hangup = () => {
        calls += 1;
        return new Promise<void>((resolve) => {
          finish = resolve;
        });
      };
      const el = await controlsFor(call);
      button(el, 'hangup').click();
      button(el, 'hangup').click();
      expect(calls).to.equal(1);
      finish();
      await settle(el);
      button(el, 'hangup').click();
      expect(calls).to.equal(2);
    });

    it('fires nothing for a disabled button', async () => {
      const call = createFakeCall({ phase: 'connecting' });
      const el = await controlsFor(call);
      let fired = 0;
      el.addEventListener('mx-hold-toggle-request', () => (fired += 1));
      button(el, 'hold').click();
      await settle(el);
      expect(fired).to.equal(0);
      expect(call.intents).to.deep.equal([]);
    });
  });

  describe('keyboard shortcuts', () => {
    const keys: [string, string, unknown[]][] = [
      ['m', 'setMicMuted', [true]],
      ['v', 'setCameraMuted', [true]],
      ['s', 'setScreensharing', [true]],
      ['h', 'setOnHold', [true]],
      ['M', 'setMicMuted', [true]],
    ];
    for (const [key, method, args] of keys) {
      it(`"${key}" calls ${method} while focus is inside the controls`, async () => {
        const call = createFakeCall();
        const el = await controlsFor(call);
        el.focus();
        await sendKeys({ press: key === 'M' ? 'Shift+M' : key });
        await settle(el);
        expect(call.intents).to.deep.equal([{ method, args }]);
      });
    }

    it('"v" starts video in a voice call', async () => {
      const call = createFakeCall({ kind: 'voice' });
      const el = await controlsFor(call);
      el.focus();
      await sendKeys({ press: 'v' });
      await settle(el);
      expect(call.intents).to.deep.equal([{ method: 'upgradeToVideo', args: [] }]);
    });

    it('fires the same cancelable request as the button', async () => {
      const call = createFakeCall();
      const el = await controlsFor(call);
      el.addEventListener('mx-mic-toggle-request', (event) => event.preventDefault());
      el.focus();
      await sendKeys({ press: 'm' });
      await settle(el);
      expect(call.intents).to.deep.equal([]);
    });

    it('announces what a shortcut did, since focus is not on the button that changed', async () => {
      const call = createFakeCall();
      const el = await controlsFor(call);
      el.focus();
      await sendKeys({ press: 'm' });
      await settle(el);
      expect(liveText(el)).to.equal('Microphone muted');
      await sendKeys({ press: 'm' });
      await settle(el);
      expect(liveText(el)).to.equal('Microphone unmuted');
    });

    it('ignores keys with Ctrl, Alt or Meta, and held-down repeats', async () => {
      const call = createFakeCall();
      const el = await controlsFor(call);
      el.focus();
      await sendKeys({ press: 'Control+m' });
      await sendKeys({ press: 'Alt+m' });
      button(el, 'mic').dispatchEvent(new KeyboardEvent('keydown', { key: 'm', repeat: true, bubbles: true, composed: true }));
      await settle(el);
      expect(call.intents).to.deep.equal([]);
    });

    it('does nothing for a disabled control', async () => {
      const call = createFakeCall({ phase: 'connecting' });
      const el = await controlsFor(call);
      el.focus();
      await sendKeys({ press: 'h' });
      await settle(el);
      expect(call.intents).to.deep.equal([]);
    });

    it('has no shortcut for hanging up', async () => {
      const call = createFakeCall();
      const el = await controlsFor(call);
      el.focus();
      for (const key of ['e', 'q', 'x', 'Escape']) await sendKeys({ press: key });
      await settle(el);
      expect(call.intents).to.deep.equal([]);
    });

    it('can be turned off with no-shortcuts', async () => {
      const call = createFakeCall();
      const el = await fixture<MxCallControls>(html`<mx-call-controls no-shortcuts .call=${call}></mx-call-controls>`);
      el.focus();
      await sendKeys({ press: 'm' });
      await settle(el);
      expect(call.intents).to.deep.equal([]);
    });

    describe('with a shortcut scope', () => {
      let scope: HTMLElement;
      let call: FakeCall;
      let el: MxCallControls;
      beforeEach(async () => {
        call = createFakeCall();
        scope = await fixture<HTMLElement>(html`
          <div>
            <div tabindex="0" id="stage">stage</div>
            <input id="chat" aria-label="Message" />
            <div contenteditable="true" id="editor" aria-label="Notes"></div>
            <mx-call-controls .call=${call}></mx-call-controls>
          </div>
        `);
        el = scope.querySelector('mx-call-controls') as MxCallControls;
        el.shortcutScope = scope;
        await el.updateComplete;
      });
      const focus = (id: string) => (scope.querySelector(`#${id}`) as HTMLElement).focus();

      it('handles keys pressed on another element of the scope', async () => {
        focus('stage');
        await sendKeys({ press: 'm' });
        await settle(el);
        expect(call.intents).to.deep.equal([{ method: 'setMicMuted', args: [true] }]);
      });

      it('acts once when the key comes from inside the controls, which are inside the scope', async () => {
        el.focus();
        await sendKeys({ press: 'm' });
        await settle(el);
        expect(call.intents).to.have.length(1);
      });

      it('never while typing in an input or an editable element of the scope', async () => {
        focus('chat');
        await sendKeys({ type: 'mvsh' });
        focus('editor');
        await sendKeys({ type: 'mvsh' });
        await settle(el);
        expect(call.intents).to.deep.equal([]);
        expect((scope.querySelector('#chat') as HTMLInputElement).value).to.equal('mvsh');
      });

      it('ignores keys outside the scope', async () => {
        const outside = document.createElement('button');
        outside.textContent = 'elsewhere';
        document.body.append(outside);
        try {
          outside.focus();
          await sendKeys({ press: 'm' });
          await settle(el);
          expect(call.intents).to.deep.equal([]);
        } finally {
          outside.remove();
        }
      });

      it('stops listening on the scope once disconnected or given another scope', async () => {
        el.shortcutScope = undefined;
        await el.updateComplete;
        focus('stage');
        await sendKeys({ press: 'm' });
        el.shortcutScope = scope;
        await el.updateComplete;
        el.remove();
        focus('stage');
        await sendKeys({ press: 'm' });
        await settle(el);
        expect(call.intents).to.deep.equal([]);
      });
    });
  });
});
