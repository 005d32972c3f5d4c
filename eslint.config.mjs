import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  {
    ignores: ['node_modules/', 'dist/', '.stack/', 'storybook-static/', 'test-results/', 'playwright-report/', 'test/e2e/pages/build/', 'custom-elements.json', '.consumers/', 'test/consumers/'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error', { allow: ['warn', 'error', 'info', 'debug'] }],
    },
  },
  {
    // signaling/ is framework-free: no Lit, nothing from the UI layers.
    files: ['signaling/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['lit', 'lit/*', '@lit/*'], message: 'signaling/ has no Lit.' },
          { group: ['**/components/**', '**/widgets/**'], message: 'signaling/ never imports from components/ or widgets/.' },
        ],
      }],
    },
  },
  {
    // Components render snapshots and emit intents; the heavy protocol libraries stay in signaling/.
    files: ['components/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['matrix-js-sdk', 'matrix-js-sdk/*', 'livekit-client'], message: 'components/ hold no protocol logic: go through signaling/.' },
          { group: ['**/widgets/**'], message: 'components/ never import from widgets/.' },
        ],
      }],
    },
  },
  {
    files: ['scripts/**/*.mjs', '*.mjs', 'services/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
