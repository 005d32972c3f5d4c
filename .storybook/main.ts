import type { StorybookConfig } from '@storybook/web-components-vite';

const config: StorybookConfig = {
  stories: ['../stories/**/*.stories.ts'],
  framework: { name: '@storybook/web-components-vite', options: {} },
  // Builds run offline in CI; nothing should phone home.
  core: { disableTelemetry: true, disableWhatsNewNotifications: true },
};

export default config;
