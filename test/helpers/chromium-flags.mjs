// Flags for headless Chromium in tests: no calls home (this machine has no network but loopback), fake
// camera and microphone, media that autoplays. Shared by the unit and end-to-end runners and the benchmarks.
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--no-first-run',
  '--no-default-browser-check',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--disable-domain-reliability',
  '--metrics-recording-only',
  '--use-fake-ui-for-media-stream',
  '--use-fake-device-for-media-stream',
  '--autoplay-policy=no-user-gesture-required',
  '--mute-audio',
];

// Debian's Chromium: no test tool may download a browser of its own.
export const CHROMIUM_EXECUTABLE = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';
