// LiveKit's E2EE worker, as the module group calls start (`new URL('./e2ee-worker.js', import.meta.url)`) where
// a bundler builds the kit from its sources (Storybook, an app bundling the sources): the bundler makes it a
// worker of its own. The package's builds put livekit-client's self-contained worker file at this place instead
// (rollup.config.mjs).
import 'livekit-client/e2ee-worker';
