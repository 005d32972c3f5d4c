import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import type { LobbyDevices, MxLobby } from '../../components/lobby/index.js';
import '../../define/mx-lobby.js';
import { MxError } from '../../signaling/errors.js';
import type { DeviceKind, MediaDeviceOption, MediaDevicesSnapshot } from '../../signaling/media/index.js';
import { createStore } from '../../signaling/store/store.js';
import { paintedStream } from '../fakes/fake-media.js';

// The fake `kit.devices` of these stories: a real store of device choices whose getUserMedia paints a picture per
// camera (or refuses, or never answers). Kept here because only these stories use it.

const CAMERA_ANSWERS = ['picture', 'refused', 'missing', 'in-use', 'pending'] as const;
type CameraAnswer = (typeof CAMERA_ANSWERS)[number];

const NAMES: Record<DeviceKind, string[]> = {
  camera: ['FaceTime HD Camera', 'Logitech BRIO'],
  microphone: ['MacBook Pro Microphone', 'Jabra Evolve2 65'],
  speaker: ['MacBook Pro Speakers', 'Jabra Evolve2 65'],
};

const list = (kind: DeviceKind): MediaDeviceOption[] =>
  NAMES[kind].map((label, i) => ({ deviceId: `${kind}-${i + 1}`, groupId: `group-${i + 1}`, label }));

const REFUSALS: Record<Exclude<CameraAnswer, 'picture' | 'pending'>, MxError> = {
  refused: new MxError('MEDIA_PERMISSION_DENIED', 'Permission to use the camera was denied.'),
  missing: new MxError('MEDIA_DEVICE_NOT_FOUND', 'No camera was found.'),
  'in-use': new MxError('MEDIA_DEVICE_IN_USE', 'The camera could not be started; another application may be using it.'),
};

function fakeDevices(answer: CameraAnswer): LobbyDevices {
  const store = createStore<MediaDevicesSnapshot>({
    status: 'ready',
    devices: { camera: list('camera'), microphone: list('microphone'), speaker: list('speaker') },
    selected: { camera: undefined, microphone: undefined, speaker: undefined },
    labelsAvailable: true,
    speakerSelectionSupported: true,
    error: undefined,
  });
  return {
    getSnapshot: store.getSnapshot,
    subscribe: store.subscribe,
    select: (kind, deviceId) => store.update((s) => ({ ...s, selected: { ...s.selected, [kind]: deviceId || undefined } })),
    getUserMedia: () => {
      if (answer === 'pending') return new Promise<MediaStream>(() => undefined);
      if (answer !== 'picture') return Promise.reject(REFUSALS[answer]);
      // Each camera paints its own colour and name, so choosing another one visibly re-opens the preview.
      const camera = store.getSnapshot().selected.camera ?? 'camera-1';
      const label = NAMES.camera[camera === 'camera-2' ? 1 : 0] ?? '';
      return Promise.resolve(paintedStream({ scene: 'camera', hue: camera === 'camera-2' ? 30 : 210, label }));
    },
  };
}

interface Args {
  camera: CameraAnswer;
  width: number;
}

/** The story's own controls, plus the element's properties that Storybook lists from the manifest. */
type StoryArgs = Args & Pick<MxLobby, 'roomName' | 'participantCount' | 'unavailable' | 'joining' | 'microphoneMuted' | 'cameraMuted' | 'devices'>;

/**
 * `<mx-lobby>` comes before a group call: your mirrored camera preview, the microphone and camera toggles, the
 * device picker and Join. Give it `kit.devices` through `.devices`; it fires `mx-join-request` with
 * `{ microphoneMuted, cameraMuted }` and the page joins. These stories use a fake device store whose cameras paint a
 * picture, or refuse.
 */
const meta = {
  title: 'Components/Lobby',
  component: 'mx-lobby',
  args: {
    camera: 'picture',
    width: 880,
    roomName: 'Design review',
    participantCount: 3,
    unavailable: '',
    joining: false,
    microphoneMuted: false,
    cameraMuted: false,
  },
  argTypes: {
    camera: { control: 'select', options: CAMERA_ANSWERS, description: "What the fake store's getUserMedia answers." },
    width: { control: { type: 'range', min: 320, max: 1200, step: 20 }, description: 'Width of the container, px.' },
    devices: { table: { disable: true } },
  },
  render: ({ camera, width, roomName, participantCount, unavailable, joining, microphoneMuted, cameraMuted }) =>
    html`<mx-lobby
      style="width: min(100%, ${width}px)"
      room-name=${roomName}
      .participantCount=${participantCount}
      unavailable=${unavailable}
      ?joining=${joining}
      ?microphone-muted=${microphoneMuted}
      ?camera-muted=${cameraMuted}
      .devices=${fakeDevices(camera)}
    ></mx-lobby>`,
} satisfies Meta<StoryArgs>;

export default meta;

type Story = StoryObj<StoryArgs>;

/** Every input as a control. */
export const Playground: Story = {};

/** The camera is on: your picture, mirrored like a mirror. Choose the other camera and the preview opens it. */
export const CameraOn: Story = { name: 'Camera on' };

/** Camera and microphone off: no picture, and Join joins with both off. */
export const CameraOff: Story = { name: 'Camera off', args: { cameraMuted: true, microphoneMuted: true } };

/** Nobody has joined yet. */
export const EmptyCall: Story = { name: 'Nobody in the call', args: { participantCount: 0 } };

/** The camera is opening (the browser is asking for permission). */
export const StartingCamera: Story = { name: 'Starting camera', args: { camera: 'pending' } };

/** The camera was refused: the reason is shown in place of the picture, and Join joins with the camera off. */
export const CameraRefused: Story = { name: 'Camera refused', args: { camera: 'refused' } };

/** No camera is plugged in. */
export const NoCamera: Story = { name: 'No camera', args: { camera: 'missing' } };

/** Another application holds the camera; pressing the camera toggle tries again. */
export const CameraInUse: Story = { name: 'Camera in use', args: { camera: 'in-use' } };

/** Joining is not possible: Join is disabled and the reason is announced. */
export const Unavailable: Story = {
  args: { unavailable: 'You cannot join calls in this room: ask a moderator to let members join calls.' },
};

/** The page is joining: Join is busy. */
export const Joining: Story = { args: { joining: true } };

/** A phone held upright: the panel stacks under the preview. */
export const PhoneWidth: Story = { name: 'Phone width', args: { width: 360 } };

/** A phone whose camera was refused, in a room that cannot be joined either. */
export const PhoneRefusedUnavailable: Story = {
  name: 'Phone width, refused and unavailable',
  args: { width: 360, camera: 'refused', unavailable: 'No call service is configured for this homeserver.' },
};
