import { css } from 'lit';

/**
 * Global design tokens. Each reads its `--mx-*` property from the page and falls back to the kit's
 * default; the defaults live in these fallbacks rather than on `:host`, because declaring a token on
 * `:host` would hide a value the page sets on an ancestor such as `:root`.
 */
export const tokens = {
  colorNeutral: css`var(--mx-color-neutral, #6b7280)`,
  colorSuccess: css`var(--mx-color-success, #15803d)`,
  colorWarning: css`var(--mx-color-warning, #b45309)`,
  colorDanger: css`var(--mx-color-danger, #b91c1c)`,
  spaceXs: css`var(--mx-space-xs, 0.25rem)`,
  spaceS: css`var(--mx-space-s, 0.5rem)`,
  durationSlow: css`var(--mx-duration-slow, 1.2s)`,
};
