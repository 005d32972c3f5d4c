import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import type { MxDevicePicker } from '../../components/device-picker/index.js';
import '../../define/mx-device-picker.js';
import type { DeviceKind, MediaDeviceOption, MediaDevicesSnapshot, MediaDevicesSource } from '../../signaling/media/index.js';
import { createStore } from '../../signaling/store/store.js';

interface Args {
  cameras: number;
  microphones: number;
  speakers: number;
  labelsAvailable: boolean;
  speakerSelectionSupported: boolean;
  kinds: string;
}

/** The story's own controls, plus the element's property that Storybook lists from the manifest. */
type StoryArgs = Args & Pick<MxDevicePicker, 'devices'>;

const NAMES: Record<DeviceKind, string[]> = {
  camera: ['FaceTime HD Camera', 'Logitech BRIO', 'OBS Virtual Camera'],
  microphone: ['MacBook Pro Microphone', 'Jabra Evolve2 65', 'Logitech BRIO'],
  speaker: ['MacBook Pro Speakers', 'Jabra Evolve2 65', 'LG HDR 4K'],
};

function fakeList(kind: DeviceKind, count: number, labelled: boolean): MediaDeviceOption[] {
  // Before permission, browsers list at most one device per kind, with neither id nor label.
  if (!labelled) return count > 0 ? [{ deviceId: '', groupId: '', label: '' }] : [];
  return Array.from({ length: count }, (_, i) => ({
    deviceId: `${kind}-${i + 1}`,
    groupId: `group-${kind}-${i + 1}`,
    label: NAMES[kind][i % NAMES[kind].length] ?? '',
  }));
}

/** A stand-in for `MediaDevicesStore`: the same snapshots, with choices kept in memory. */
function fakeDevices({ cameras, microphones, speakers, labelsAvailable, speakerSelectionSupported }: Args): MediaDevicesSource {
  const store = createStore<MediaDevicesSnapshot>({
    status: 'ready',
    devices: {
      camera: fakeList('camera', cameras, labelsAvailable),
      microphone: fakeList('microphone', microphones, labelsAvailable),
      speaker: fakeList('speaker', speakers, labelsAvailable),
    },
    selected: { camera: undefined, microphone: undefined, speaker: undefined },
    labelsAvailable,
    speakerSelectionSupported,
    error: undefined,
  });
  return {
    getSnapshot: store.getSnapshot,
    subscribe: store.subscribe,
    select: (kind, deviceId) => store.update((s) => ({ ...s, selected: { ...s.selected, [kind]: deviceId || undefined } })),
  };
}

/**
 * `<mx-device-picker>` lets the user choose the camera, microphone and speaker for calls, with one labelled
 * native select per kind. Give it a `MediaDevicesStore` through the `.devices` property; it fires a cancelable
 * `mx-device-change` before passing a choice to the store. These stories use a fake store.
 */
const meta = {
  title: 'Components/Device picker',
  component: 'mx-device-picker',
  args: {
    cameras: 2,
    microphones: 3,
    speakers: 2,
    labelsAvailable: true,
    speakerSelectionSupported: true,
    kinds: 'camera microphone speaker',
  },
  argTypes: {
    cameras: { control: { type: 'range', min: 0, max: 3 }, description: 'Cameras in the fake store.' },
    microphones: { control: { type: 'range', min: 0, max: 3 }, description: 'Microphones in the fake store.' },
    speakers: { control: { type: 'range', min: 0, max: 3 }, description: 'Speakers in the fake store.' },
    labelsAvailable: { control: 'boolean', description: 'Off: the browser has not granted media permission yet.' },
    speakerSelectionSupported: { control: 'boolean', description: 'Whether the fake browser can choose a speaker.' },
    kinds: { control: 'text', description: 'Which selects to show, in order.' },
    devices: { table: { disable: true } },
  },
  render: (args) => html`<mx-device-picker .devices=${fakeDevices(args)} kinds=${args.kinds}></mx-device-picker>`,
} satisfies Meta<StoryArgs>;

export default meta;

type Story = StoryObj<StoryArgs>;

/** Every input of the fake store as a control. */
export const Playground: Story = {};

/** Media permission is granted, so every device is listed by name; the first of each kind is the browser's default. */
export const DevicesListed: Story = { name: 'Devices listed' };

/** Before media permission, browsers hide device names (and all but one device per kind); the picker numbers them. */
export const BeforePermission: Story = { name: 'Before permission', args: { labelsAvailable: false } };

/** No device of any kind; each select is disabled and says so. */
export const NoneFound: Story = { name: 'None found', args: { cameras: 0, microphones: 0, speakers: 0 } };

/** Browsers without `HTMLMediaElement.setSinkId` play through the system speaker, so the speaker select is left out. */
export const SpeakerUnsupported: Story = { name: 'Speaker unsupported', args: { speakerSelectionSupported: false } };

/** `kinds` shows a subset, in the order given: here the microphone before the camera, for an audio-first call. */
export const Kinds: Story = { name: 'Subset via kinds', args: { kinds: 'microphone camera' } };
