// Live calls follow the person's camera and microphone choice: when it changes (in a device picker, or
// because the chosen device was unplugged), each call whose track is on another device opens the new one.
import type { MediaDevicesSnapshot } from '../media/media.types.js';
import type { ReadableStore } from '../store/store.js';
import type { CallManagerSnapshot, ReopenableDevice } from './types.js';

const SWITCHABLE: readonly ReopenableDevice[] = ['camera', 'microphone'];

/**
 * Subscribes to `devices` and asks the calls in `calls` to reopen a device whose choice changed; returns the
 * unsubscribe function. A call whose track already runs on the chosen device is left alone: the first device
 * list read after permission "changes" the choice to the very device the call just opened.
 */
export function followDeviceChoices(
  devices: ReadableStore<MediaDevicesSnapshot>,
  calls: ReadableStore<CallManagerSnapshot>,
): () => void {
  let previous = devices.getSnapshot().selected;
  return devices.subscribe(({ selected, devices: listed }) => {
    const before = previous;
    const changed = SWITCHABLE.filter((device) => selected[device] !== before[device]);
    previous = selected;
    for (const device of changed) {
      const wanted = selected[device];
      // The chosen device was unplugged: its track ended, and the call reopens it (on the default) by itself.
      const unplugged = wanted === undefined && !listed[device].some((option) => option.deviceId === before[device]);
      if (unplugged) continue;
      for (const call of calls.getSnapshot().calls) {
        const feed = call.getSnapshot().localFeeds.find((candidate) => candidate.purpose === 'm.usermedia');
        const track = device === 'camera' ? feed?.stream.getVideoTracks()[0] : feed?.stream.getAudioTracks()[0];
        if (!track || track.readyState !== 'live') continue;
        if (wanted !== undefined && track.getSettings().deviceId === wanted) continue;
        void call.reopenDevice(device);
      }
    }
  });
}
