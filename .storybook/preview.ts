/// <reference types="vite/client" />
import { setCustomElementsManifest, type Preview } from '@storybook/web-components-vite';

// `npm run analyze` writes the manifest; a glob matches nothing when it has not run, so the build never depends on it.
const manifests = import.meta.glob<{ default: unknown }>('../dist/custom-elements.json', { eager: true });
for (const manifest of Object.values(manifests)) setCustomElementsManifest(manifest.default);

const preview: Preview = {};

export default preview;
