import { readdirSync } from 'node:fs';
import { defineConfig } from 'vite';

// The README's snippets (copied to src/readme/ by the consumers phase) are built as pages' scripts are.
const snippets = readdirSync('src/readme').filter((file) => file.endsWith('.ts'));

export default defineConfig({
  build: {
    target: 'es2022',
    rollupOptions: {
      input: ['index.html', ...snippets.map((file) => `src/readme/${file}`)],
    },
  },
});
