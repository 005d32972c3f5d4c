// Chromium's MediaStreamTrackProcessor and MediaStreamTrackGenerator, which TypeScript's DOM library does not
// declare yet. Tests use them for devices they control: a generator's track ends, as an unplugged device's
// does, when its writable side is closed.
export interface TrackProcessor { readable: ReadableStream<{ close(): void }> }
export interface TrackGenerator extends MediaStreamTrack { writable: WritableStream<unknown> }

export const { MediaStreamTrackProcessor: TrackProcessor, MediaStreamTrackGenerator: TrackGenerator } = globalThis as unknown as {
  MediaStreamTrackProcessor: new (init: { track: MediaStreamTrack }) => TrackProcessor;
  MediaStreamTrackGenerator: new (init: { kind: 'audio' | 'video' }) => TrackGenerator;
};
