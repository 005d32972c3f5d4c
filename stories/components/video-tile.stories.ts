import type { Meta, StoryObj } from '@storybook/web-components-vite';
import { html } from 'lit';
import type { MxVideoTile } from '../../components/video-tile/index.js';
import '../../define/mx-video-tile.js';
import type { CallFeed } from '../../signaling/media/feed.js';
import { fakeFeed } from '../fakes/fake-call.js';
import { paintedStream } from '../fakes/fake-media.js';

type Source = 'remote-camera' | 'local-camera' | 'screen' | 'audio-only' | 'none';

interface Args {
  source: Source;
  name: string;
  videoMuted: boolean;
  audioMuted: boolean;
  width: number;
}

type StoryArgs = Args & Pick<MxVideoTile, 'feed'>;

const streams: MediaStream[] = [];
const stopStreams = () => {
  for (const stream of streams.splice(0)) for (const track of stream.getTracks()) track.stop();
};

function feedFor({ source, videoMuted, audioMuted }: Args): CallFeed | undefined {
  if (source === 'none') return undefined;
  const stream =
    source === 'audio-only'
      ? new MediaStream()
      : paintedStream(source === 'screen' ? { scene: 'screen' } : { scene: 'camera', hue: source === 'local-camera' ? 150 : 205 });
  streams.push(stream);
  return fakeFeed({
    stream,
    isLocal: source === 'local-camera',
    purpose: source === 'screen' ? 'm.screenshare' : 'm.usermedia',
    videoMuted,
    audioMuted,
  });
}

/**
 * `<mx-video-tile>` shows one feed of a call: its video (your own camera mirrored and muted, a shared screen fitted
 * whole) or, with no picture, the person's avatar or initials. The name and a muted-microphone badge sit in the
 * corner. The `<video>` stays in the tile while hidden, so the feed's audio keeps playing.
 */
const meta = {
  title: 'Components/Video tile',
  component: 'mx-video-tile',
  args: { source: 'remote-camera', name: 'Bob Tanaka', videoMuted: false, audioMuted: false, width: 480 },
  argTypes: {
    source: {
      control: 'select',
      options: ['remote-camera', 'local-camera', 'screen', 'audio-only', 'none'],
      description: 'What the fake feed carries.',
    },
    name: { control: 'text', description: 'The name shown; empty falls back to the feed user id.' },
    videoMuted: { control: 'boolean', description: 'The feed video is muted.' },
    audioMuted: { control: 'boolean', description: 'The feed microphone is muted.' },
    width: { control: { type: 'range', min: 160, max: 960, step: 20 }, description: 'Tile width, px (16:9).' },
    feed: { table: { disable: true } },
  },
  beforeEach: () => stopStreams,
  render: (args) => html`
    <mx-video-tile
      style="width: ${args.width}px; aspect-ratio: 16 / 9"
      .feed=${feedFor(args)}
      .name=${args.name || undefined}
    ></mx-video-tile>
  `,
} satisfies Meta<StoryArgs>;

export default meta;

type Story = StoryObj<StoryArgs>;

/** Every input as a control. */
export const Playground: Story = {};

/** The other person's camera. */
export const RemoteCamera: Story = {};

/** Your own camera: mirrored, and muted so you do not hear yourself. */
export const LocalCamera: Story = { args: { source: 'local-camera', name: 'You' } };

/** A shared screen, fitted whole rather than cropped. */
export const ScreenShare: Story = { args: { source: 'screen', name: 'Bob Tanaka (screen)' } };

/** The camera is off: initials on the person's own colour. */
export const CameraOff: Story = { args: { videoMuted: true } };

/** Your own camera is off: an icon rather than your own initials. */
export const LocalCameraOff: Story = { args: { source: 'local-camera', name: 'You', videoMuted: true } };

/** A voice-only feed, with a muted microphone. */
export const AudioOnlyMuted: Story = { args: { source: 'audio-only', audioMuted: true } };

/** The name falls back to the Matrix user id. */
export const NoName: Story = { args: { source: 'audio-only', name: '' } };

/** With no feed yet, the tile shows the person it will show. */
export const NoFeed: Story = { args: { source: 'none' } };

/** Small tiles keep the label legible. */
export const Small: Story = { args: { width: 200, audioMuted: true } };
