import { expect, fixture, html, oneEvent } from '@open-wc/testing';
import { sendKeys } from '@web/test-runner-commands';
import { MxDeviceChangeEvent, type MxDevicePicker } from '../../../components/device-picker/index.js';
import '../../../define/mx-device-picker.js';
import { MxError } from '../../../signaling/errors.js';
import type { DeviceKind, MediaDeviceOption, MediaDevicesSnapshot, MediaDevicesSource } from '../../../signaling/media/index.js';
import { createStore } from '../../../signaling/store/store.js';
import { spyOnConsole } from '../../helpers/browser/console-spy.js';

const device = (deviceId: string, label = ''): MediaDeviceOption => ({ deviceId, groupId: `group-${deviceId}`, label });

const LISTED: MediaDevicesSnapshot['devices'] = {
  camera: [device('cam-1', 'Front camera'), device('cam-2', 'USB camera')],
  microphone: [device('mic-1', 'Built-in microphone'), device('mic-2', 'Headset microphone')],
  speaker: [device('spk-1', 'Built-in speakers'), device('spk-2', 'Headphones')],
};

const BEFORE_PERMISSION: MediaDevicesSnapshot['devices'] = { camera: [device('')], microphone: [device('')], speaker: [device('')] };

const NONE: MediaDevicesSnapshot['devices'] = { camera: [], microphone: [], speaker: [] };

/** A device store the test drives by hand; `selections` records what the picker asked for. */
function fakeDevices(snapshot: Partial<MediaDevicesSnapshot> = {}) {
  const store = createStore<MediaDevicesSnapshot>({
    status: 'ready',
    devices: LISTED,
    selected: { camera: undefined, microphone: undefined, speaker: undefined },
    labelsAvailable: true,
    speakerSelectionSupported: true,
    error: undefined,
    ...snapshot,
  });
  const selections: [DeviceKind, string | undefined][] = [];
  return {
    ...store,
    selections,
    select(kind: DeviceKind, deviceId: string | undefined) {
      selections.push([kind, deviceId]);
      store.update((s) => ({ ...s, selected: { ...s.selected, [kind]: deviceId || undefined } }));
    },
  };
}

type FakeDevices = ReturnType<typeof fakeDevices>;

async function pickerWith(devices: MediaDevicesSource | undefined, kinds?: string): Promise<MxDevicePicker> {
  return kinds === undefined
    ? fixture<MxDevicePicker>(html`<mx-device-picker .devices=${devices}></mx-device-picker>`)
    : fixture<MxDevicePicker>(html`<mx-device-picker .devices=${devices} kinds=${kinds}></mx-device-picker>`);
}

const parts = (el: MxDevicePicker, name: string): HTMLElement[] => [...(el.shadowRoot?.querySelectorAll<HTMLElement>(`[part~="${name}"]`) ?? [])];

const labels = (el: MxDevicePicker): string[] => parts(el, 'label').map((label) => label.textContent?.trim() ?? '');

/** The select a visible label names, found through the label's own association, as assistive technology does. */
function selectLabelled(el: MxDevicePicker, name: string): HTMLSelectElement {
  const label = parts(el, 'label').find((l) => l.textContent?.trim() === name) as HTMLLabelElement | undefined;
  const control = label?.control;
  if (!(control instanceof HTMLSelectElement)) throw new Error(`no select labelled "${name}"`);
  return control;
}

/** The label of the focused select, compared as text: chai's failure message for a mismatched element never finishes. */
function focusedName(el: MxDevicePicker): string {
  const focused = el.shadowRoot?.activeElement;
  if (!(focused instanceof HTMLSelectElement)) return String(focused?.localName ?? 'nothing');
  return [...(focused.labels ?? [])].map((l) => l.textContent?.trim()).join(' ');
}

const optionTexts = (select: HTMLSelectElement): string[] => [...select.options].map((o) => o.textContent?.trim() ?? '');

const STATES = ['loading', 'ready', 'unavailable'] as const;
const activeStates = (el: MxDevicePicker) => STATES.filter((state) => el.matches(`:state(${state})`));

/** What a user does with the mouse: pick an option, which makes the select fire `change`. */
function choose(select: HTMLSelectElement, value: string): void {
  select.value = value;
  select.dispatchEvent(new Event('change', { bubbles: true }));
}

function eventsOf(el: MxDevicePicker): MxDeviceChangeEvent[] {
  const seen: MxDeviceChangeEvent[] = [];
  el.addEventListener('mx-device-change', (event) => seen.push(event));
  return seen;
}

describe('<mx-device-picker>', () => {
  let warn: ReturnType<typeof spyOnConsole>;
  beforeEach(() => {
    warn = spyOnConsole('warn');
  });
  afterEach(() => warn.restore());

  describe('accessibility', () => {
    const CASES: { name: string; devices: () => MediaDevicesSource | undefined; kinds?: string }[] = [
      { name: 'with devices listed', devices: () => fakeDevices() },
      { name: 'before permission', devices: () => fakeDevices({ devices: BEFORE_PERMISSION, labelsAvailable: false }) },
      { name: 'with no devices found', devices: () => fakeDevices({ devices: NONE }) },
      { name: 'without speaker selection', devices: () => fakeDevices({ speakerSelectionSupported: false }) },
      { name: 'with a subset of kinds', devices: () => fakeDevices(), kinds: 'microphone camera' },
      { name: 'while loading', devices: () => fakeDevices({ status: 'loading', devices: NONE }) },
      { name: 'after an error', devices: () => fakeDevices({ status: 'error', error: new MxError('MEDIA_UNSUPPORTED', 'no') }) },
      { name: 'with no store', devices: () => undefined },
    ];

    for (const { name, devices, kinds } of CASES) {
      it(`is accessible ${name}`, async () => {
        const el = await pickerWith(devices(), kinds);
        await expect(el).to.be.accessible();
      });
    }

    it('names every select by its visible label', async () => {
      const el = await pickerWith(fakeDevices());
      for (const name of ['Camera', 'Microphone', 'Speaker']) {
        const select = selectLabelled(el, name);
        expect([...(select.labels ?? [])].map((l) => l.textContent?.trim())).to.deep.equal([name]);
      }
    });

    it('delegates focus to the first select', async () => {
      const el = await pickerWith(fakeDevices(), 'microphone camera');
      el.focus();
      expect(focusedName(el)).to.equal('Microphone');
    });
  });

  describe('rendering', () => {
    it('shows a labelled select per kind, listing device labels and ids', async () => {
      const el = await pickerWith(fakeDevices());
      expect(labels(el)).to.deep.equal(['Camera', 'Microphone', 'Speaker']);
      expect(optionTexts(selectLabelled(el, 'Camera'))).to.deep.equal(['Front camera', 'USB camera']);
      expect(optionTexts(selectLabelled(el, 'Microphone'))).to.deep.equal(['Built-in microphone', 'Headset microphone']);
      expect([...selectLabelled(el, 'Speaker').options].map((o) => o.value)).to.deep.equal(['spk-1', 'spk-2']);
      expect(activeStates(el)).to.deep.equal(['ready']);
    });

    it('exposes base, field, label and select parts', async () => {
      const el = await pickerWith(fakeDevices());
      expect(parts(el, 'base')).to.have.length(1);
      expect(parts(el, 'field')).to.have.length(3);
      expect(parts(el, 'label')).to.have.length(3);
      expect(parts(el, 'select').every((s) => s instanceof HTMLSelectElement)).to.equal(true);
    });

    it('shows the selected devices, and the first (browser default) where none is selected', async () => {
      const el = await pickerWith(fakeDevices({ selected: { camera: 'cam-2', microphone: undefined, speaker: 'spk-2' } }));
      expect(selectLabelled(el, 'Camera').value).to.equal('cam-2');
      expect(selectLabelled(el, 'Microphone').value).to.equal('mic-1');
      expect(selectLabelled(el, 'Speaker').value).to.equal('spk-2');
    });

    it('follows selection and device changes in the store', async () => {
      const devices = fakeDevices();
      const el = await pickerWith(devices);
      devices.update((s) => ({
        ...s,
        devices: { ...s.devices, camera: [...s.devices.camera, device('cam-3', 'Document camera')] },
        selected: { ...s.selected, camera: 'cam-3' },
      }));
      await el.updateComplete;
      expect(optionTexts(selectLabelled(el, 'Camera'))).to.deep.equal(['Front camera', 'USB camera', 'Document camera']);
      expect(selectLabelled(el, 'Camera').value).to.equal('cam-3');
    });

    it('numbers devices by kind while labels are hidden (before permission)', async () => {
      const el = await pickerWith(fakeDevices({ devices: BEFORE_PERMISSION, labelsAvailable: false }));
      expect(optionTexts(selectLabelled(el, 'Camera'))).to.deep.equal(['Camera 1']);
      expect(optionTexts(selectLabelled(el, 'Microphone'))).to.deep.equal(['Microphone 1']);
      expect(optionTexts(selectLabelled(el, 'Speaker'))).to.deep.equal(['Speaker 1']);
    });

    it('numbers only the devices without a label', async () => {
      const el = await pickerWith(fakeDevices({ devices: { ...LISTED, camera: [device('cam-1', 'Front camera'), device('cam-2')] } }));
      expect(optionTexts(selectLabelled(el, 'Camera'))).to.deep.equal(['Front camera', 'Camera 2']);
    });

    const PLACEHOLDERS: { name: string; snapshot: Partial<MediaDevicesSnapshot> | undefined; texts: string[]; state: (typeof STATES)[number] }[] = [
      {
        name: 'no devices found',
        snapshot: { devices: NONE },
        texts: ['No camera found', 'No microphone found', 'No speaker found'],
        state: 'ready',
      },
      {
        name: 'loading',
        snapshot: { status: 'loading', devices: NONE },
        texts: ['Looking for cameras…', 'Looking for microphones…', 'Looking for speakers…'],
        state: 'loading',
      },
      {
        name: 'an error',
        snapshot: { status: 'error', devices: LISTED, error: new MxError('MEDIA_UNSUPPORTED', 'no') },
        texts: ['Cameras unavailable', 'Microphones unavailable', 'Speakers unavailable'],
        state: 'unavailable',
      },
      { name: 'no store', snapshot: undefined, texts: ['Cameras unavailable', 'Microphones unavailable', 'Speakers unavailable'], state: 'unavailable' },
    ];

    for (const { name, snapshot, texts, state } of PLACEHOLDERS) {
      it(`shows a disabled placeholder per kind with ${name}`, async () => {
        const el = await pickerWith(snapshot && fakeDevices(snapshot));
        const selects = ['Camera', 'Microphone', 'Speaker'].map((n) => selectLabelled(el, n));
        expect(selects.map((s) => optionTexts(s))).to.deep.equal(texts.map((t) => [t]));
        expect(selects.map((s) => s.disabled)).to.deep.equal([true, true, true]);
        expect(activeStates(el)).to.deep.equal([state]);
        expect(warn.calls).to.deep.equal([]);
      });
    }

    it('shows the empty state only for the kinds that have no device', async () => {
      const el = await pickerWith(fakeDevices({ devices: { ...LISTED, camera: [] } }));
      expect(optionTexts(selectLabelled(el, 'Camera'))).to.deep.equal(['No camera found']);
      expect(selectLabelled(el, 'Microphone').disabled).to.equal(false);
      expect(optionTexts(selectLabelled(el, 'Microphone'))).to.have.length(2);
    });

    it('leaves out the speaker where the browser cannot choose one', async () => {
      const el = await pickerWith(fakeDevices({ speakerSelectionSupported: false }), 'speaker camera');
      expect(labels(el)).to.deep.equal(['Camera']);
    });

    const KINDS: { kinds: string; shown: string[] }[] = [
      { kinds: 'microphone camera', shown: ['Microphone', 'Camera'] },
      { kinds: '  speaker\tmicrophone\n', shown: ['Speaker', 'Microphone'] },
      { kinds: 'camera camera', shown: ['Camera'] },
      { kinds: '', shown: [] },
    ];

    for (const { kinds, shown } of KINDS) {
      it(`shows ${JSON.stringify(shown)} for kinds=${JSON.stringify(kinds)}`, async () => {
        const el = await pickerWith(fakeDevices(), kinds);
        expect(labels(el)).to.deep.equal(shown);
        expect(warn.calls).to.deep.equal([]);
      });
    }

    it('ignores unknown kinds and warns once', async () => {
      const el = await pickerWith(fakeDevices(), 'camera projector videoinput');
      expect(labels(el)).to.deep.equal(['Camera']);
      el.requestUpdate();
      await el.updateComplete;
      expect(warn.calls).to.have.length(1);
      expect(String(warn.calls[0]?.[0])).to.contain('projector, videoinput');
    });

    it('shows every kind again when the kinds attribute is removed', async () => {
      const el = await pickerWith(fakeDevices(), 'camera');
      el.removeAttribute('kinds');
      await el.updateComplete;
      expect(labels(el)).to.deep.equal(['Camera', 'Microphone', 'Speaker']);
    });

    it('takes the store as a property only, and follows a replaced store', async () => {
      const first = fakeDevices();
      const second = fakeDevices({ devices: NONE });
      const el = await pickerWith(first);
      expect(el.hasAttribute('devices')).to.equal(false);
      el.devices = second;
      await el.updateComplete;
      expect(optionTexts(selectLabelled(el, 'Camera'))).to.deep.equal(['No camera found']);
      first.update((s) => ({ ...s, devices: { ...s.devices, camera: [device('cam-9', 'Ignored')] } }));
      expect(el.isUpdatePending).to.equal(false);
    });

    it('spaces its fields by --mx-device-picker-gap', async () => {
      const el = await pickerWith(fakeDevices());
      el.style.setProperty('--mx-device-picker-gap', '7px');
      expect(getComputedStyle(parts(el, 'base')[0] as HTMLElement).rowGap).to.equal('7px');
    });

    it('is hidden by the hidden attribute', async () => {
      const el = await pickerWith(fakeDevices());
      el.hidden = true;
      expect(getComputedStyle(el).display).to.equal('none');
    });
  });

  describe('events', () => {
    it('fires a bubbling, composed, cancelable mx-device-change, then selects the device', async () => {
      const devices = fakeDevices();
      const el = await pickerWith(devices);
      const pending = oneEvent(el, 'mx-device-change');
      let selectionsAtDispatch: unknown;
      el.addEventListener('mx-device-change', () => (selectionsAtDispatch = [...devices.selections]));
      choose(selectLabelled(el, 'Microphone'), 'mic-2');
      const event = await pending;
      expect(event).to.be.instanceOf(MxDeviceChangeEvent);
      expect(event.type).to.equal(MxDeviceChangeEvent.eventName);
      expect(event.detail).to.deep.equal({ kind: 'microphone', deviceId: 'mic-2' });
      expect([event.bubbles, event.composed, event.cancelable]).to.deep.equal([true, true, true]);
      expect(selectionsAtDispatch).to.deep.equal([]);
      expect(devices.selections).to.deep.equal([['microphone', 'mic-2']]);
      await el.updateComplete;
      expect(selectLabelled(el, 'Microphone').value).to.equal('mic-2');
    });

    for (const kind of ['camera', 'speaker'] as const) {
      it(`reports the ${kind} kind from the ${kind} select`, async () => {
        const devices = fakeDevices();
        const el = await pickerWith(devices);
        const seen = eventsOf(el);
        const select = selectLabelled(el, kind === 'camera' ? 'Camera' : 'Speaker');
        choose(select, select.options[1]?.value ?? '');
        expect(seen.map((e) => e.detail)).to.deep.equal([{ kind, deviceId: kind === 'camera' ? 'cam-2' : 'spk-2' }]);
        expect(devices.selections).to.deep.equal([[kind, kind === 'camera' ? 'cam-2' : 'spk-2']]);
      });
    }

    it('keeps the previous choice when the event is prevented', async () => {
      const devices = fakeDevices({ selected: { camera: 'cam-1', microphone: undefined, speaker: undefined } });
      const el = await pickerWith(devices);
      el.addEventListener('mx-device-change', (event) => event.preventDefault());
      const select = selectLabelled(el, 'Camera');
      choose(select, 'cam-2');
      await el.updateComplete;
      expect(devices.selections).to.deep.equal([]);
      expect(select.value).to.equal('cam-1');
    });

    it('lets a listener on the document veto the change from outside the shadow root', async () => {
      const devices = fakeDevices();
      const el = await pickerWith(devices);
      const veto = (event: MxDeviceChangeEvent) => event.preventDefault();
      document.addEventListener('mx-device-change', veto);
      try {
        choose(selectLabelled(el, 'Speaker'), 'spk-2');
      } finally {
        document.removeEventListener('mx-device-change', veto);
      }
      expect(devices.selections).to.deep.equal([]);
    });

    it('does not let the inner native change event out', async () => {
      const el = await pickerWith(fakeDevices());
      let changes = 0;
      el.addEventListener('change', () => (changes += 1));
      choose(selectLabelled(el, 'Camera'), 'cam-2');
      expect(changes).to.equal(0);
    });

    it('fires nothing when the store changes the selection', async () => {
      const devices = fakeDevices();
      const el = await pickerWith(devices);
      const seen = eventsOf(el);
      devices.select('camera', 'cam-2');
      await el.updateComplete;
      expect(selectLabelled(el, 'Camera').value).to.equal('cam-2');
      expect(seen).to.deep.equal([]);
    });

    it('shows the store’s choice again, and warns once, when the store refuses a choice', async () => {
      const devices = fakeDevices({ selected: { camera: 'cam-1', microphone: undefined, speaker: undefined } });
      const refusing: MediaDevicesSource = {
        getSnapshot: devices.getSnapshot,
        subscribe: devices.subscribe,
        select: () => {
          throw new MxError('INVALID_CONFIGURATION', 'no');
        },
      };
      const el = await pickerWith(refusing);
      const seen = eventsOf(el);
      const select = selectLabelled(el, 'Camera');
      choose(select, 'cam-2');
      choose(select, 'cam-2');
      await el.updateComplete;
      expect(seen).to.have.length(2);
      expect(select.value).to.equal('cam-1');
      expect(warn.calls).to.have.length(1);
      expect(String(warn.calls[0]?.[0])).to.contain('mx-device-picker');
    });
  });

  describe('keyboard', () => {
    it('reaches each select with Tab, in order', async () => {
      const wrapper = await fixture<HTMLDivElement>(html`<div><button>before</button><mx-device-picker></mx-device-picker></div>`);
      const el = wrapper.querySelector('mx-device-picker') as MxDevicePicker;
      el.devices = fakeDevices();
      await el.updateComplete;
      wrapper.querySelector('button')?.focus();
      const reached: string[] = [];
      for (let i = 0; i < 3; i += 1) {
        await sendKeys({ press: 'Tab' });
        reached.push(focusedName(el));
      }
      expect(reached).to.deep.equal(['Camera', 'Microphone', 'Speaker']);
    });

    it('chooses the next device with ArrowDown, firing mx-device-change', async () => {
      const devices = fakeDevices();
      const el = await pickerWith(devices);
      const seen = eventsOf(el);
      selectLabelled(el, 'Microphone').focus();
      await sendKeys({ press: 'ArrowDown' });
      expect(seen.map((e) => e.detail)).to.deep.equal([{ kind: 'microphone', deviceId: 'mic-2' }]);
      expect(devices.selections).to.deep.equal([['microphone', 'mic-2']]);
    });

    it('does nothing on ArrowDown when the change is prevented', async () => {
      const devices = fakeDevices();
      const el = await pickerWith(devices);
      el.addEventListener('mx-device-change', (event) => event.preventDefault());
      const select = selectLabelled(el, 'Camera');
      select.focus();
      await sendKeys({ press: 'ArrowDown' });
      await el.updateComplete;
      expect(select.value).to.equal('cam-1');
      expect(devices.selections).to.deep.equal([]);
    });
  });

  describe('malformed store', () => {
    const storeOf = (getSnapshot: () => unknown): MediaDevicesSource =>
      ({ getSnapshot, subscribe: () => () => undefined, select: () => undefined }) as unknown as MediaDevicesSource;
    const valid = () => fakeDevices().getSnapshot();

    const SHAPE = 'needs a store with getSnapshot() and subscribe()';
    const SNAPSHOT = 'cannot read its device snapshot';

    const MALFORMED: { name: string; devices: () => MediaDevicesSource; warning?: string }[] = [
      { name: 'a null snapshot', devices: () => storeOf(() => null) },
      { name: 'a string snapshot', devices: () => storeOf(() => 'ready') },
      { name: 'an unknown status', devices: () => storeOf(() => ({ ...valid(), status: 'banana' })) },
      { name: 'a kind missing from devices', devices: () => storeOf(() => ({ ...valid(), devices: { camera: [], microphone: [] } })) },
      { name: 'a device without a label', devices: () => storeOf(() => ({ ...valid(), devices: { ...LISTED, camera: [{ deviceId: 'cam-1' }] } })) },
      { name: 'a non-string selection', devices: () => storeOf(() => ({ ...valid(), selected: { camera: 7 } })) },
      { name: 'no speakerSelectionSupported', devices: () => storeOf(() => ({ ...valid(), speakerSelectionSupported: undefined })) },
      {
        name: 'a getSnapshot that throws',
        devices: () =>
          storeOf(() => {
            throw new TypeError('broken store');
          }),
        warning: SNAPSHOT,
      },
      { name: 'an object that is not a store', devices: () => ({}) as MediaDevicesSource, warning: SHAPE },
      {
        name: 'a store without subscribe',
        devices: () => ({ getSnapshot: valid, select: () => undefined }) as unknown as MediaDevicesSource,
        warning: SHAPE,
      },
      {
        name: 'a store without getSnapshot',
        devices: () => ({ subscribe: () => () => undefined, select: () => undefined }) as unknown as MediaDevicesSource,
        warning: SHAPE,
      },
      { name: 'a string instead of a store', devices: () => 'devices' as unknown as MediaDevicesSource, warning: SHAPE },
    ];

    for (const { name, devices, warning = SNAPSHOT } of MALFORMED) {
      it(`shows "unavailable" and warns once for ${name}`, async () => {
        const el = await pickerWith(devices());
        expect(optionTexts(selectLabelled(el, 'Camera'))).to.deep.equal(['Cameras unavailable']);
        expect(activeStates(el)).to.deep.equal(['unavailable']);
        el.requestUpdate();
        await el.updateComplete;
        expect(warn.calls).to.have.length(1);
        expect(String(warn.calls[0]?.[0])).to.contain('<mx-device-picker>').and.to.contain(warning);
      });
    }

    it('can be removed and re-added when subscribe returns no unsubscribe function', async () => {
      const devices = fakeDevices();
      const careless = { ...devices, subscribe: (listener: () => void) => void devices.subscribe(listener) } as unknown as MediaDevicesSource;
      const el = await pickerWith(careless);
      const parent = el.parentElement as HTMLElement;
      el.remove();
      parent.append(el);
      await el.updateComplete;
      expect(optionTexts(selectLabelled(el, 'Camera'))).to.deep.equal(['Front camera', 'USB camera']);
    });

    it('still renders, without following changes, when subscribe throws', async () => {
      const devices = fakeDevices();
      const throwing: MediaDevicesSource = {
        getSnapshot: devices.getSnapshot,
        subscribe: () => {
          throw new Error('no subscriptions here');
        },
        select: devices.select,
      };
      const el = await pickerWith(throwing);
      expect(optionTexts(selectLabelled(el, 'Camera'))).to.deep.equal(['Front camera', 'USB camera']);
      expect(warn.calls).to.have.length(1);
      el.remove();
    });

    it('recovers when the store starts sending valid snapshots', async () => {
      let current: unknown = { status: 'banana' };
      const listeners = new Set<() => void>();
      const store = {
        getSnapshot: () => current,
        subscribe: (listener: () => void) => {
          listeners.add(listener);
          return () => listeners.delete(listener);
        },
        select: () => undefined,
      } as unknown as FakeDevices;
      const el = await pickerWith(store);
      expect(activeStates(el)).to.deep.equal(['unavailable']);
      current = valid();
      for (const notify of listeners) notify();
      await el.updateComplete;
      expect(optionTexts(selectLabelled(el, 'Camera'))).to.deep.equal(['Front camera', 'USB camera']);
      expect(activeStates(el)).to.deep.equal(['ready']);
    });
  });
});
