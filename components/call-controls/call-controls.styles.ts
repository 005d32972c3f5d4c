import { css } from 'lit';

export default css`
  @layer mx-component {
    :host {
      --mx-call-controls-background: rgb(22 25 31 / 0.88);
      --mx-call-controls-gap: 0.75rem;
      --mx-call-controls-button-size: 3.25rem;
      --mx-call-controls-button-background: rgb(255 255 255 / 0.14);
      --mx-call-controls-button-color: #f5f7fa;
      --mx-call-controls-pressed-background: #f5f7fa;
      --mx-call-controls-pressed-color: #16191f;
      --mx-call-controls-hangup-background: #d92d20;
      --mx-call-controls-focus-ring-color: #8ab4f8;
      display: inline-block;
      font-family: var(--mx-font-family, system-ui, sans-serif);
    }

    .base {
      display: flex;
      flex-direction: column;
      align-items: center;
      gap: 0.5rem;
    }

    .group {
      display: flex;
      flex-wrap: wrap;
      justify-content: center;
      gap: var(--mx-call-controls-gap);
      padding: 0.625rem 0.875rem;
      /* A pill on one row, a rounded panel if a narrow container wraps it. */
      border-radius: calc(var(--mx-call-controls-button-size) / 2 + 0.625rem);
      background: var(--mx-call-controls-background);
      backdrop-filter: blur(12px);
    }

    .button {
      position: relative;
      display: grid;
      place-items: center;
      inline-size: var(--mx-call-controls-button-size);
      block-size: var(--mx-call-controls-button-size);
      padding: 0;
      border: none;
      border-radius: 50%;
      background: var(--mx-call-controls-button-background);
      color: var(--mx-call-controls-button-color);
      cursor: pointer;
      transition:
        background-color 120ms ease,
        color 120ms ease;
    }

    .button .icon {
      inline-size: 1.5rem;
      block-size: 1.5rem;
    }

    .button:hover:not(:disabled) {
      background: color-mix(in srgb, var(--mx-call-controls-button-background), #fff 12%);
    }

    .button[aria-pressed='true'] {
      background: var(--mx-call-controls-pressed-background);
      color: var(--mx-call-controls-pressed-color);
    }

    .button[aria-pressed='true']:hover:not(:disabled) {
      background: color-mix(in srgb, var(--mx-call-controls-pressed-background), #000 10%);
    }

    .button.danger {
      inline-size: calc(var(--mx-call-controls-button-size) * 1.35);
      border-radius: 999px;
      background: var(--mx-call-controls-hangup-background);
      color: #fff;
    }

    .button.danger:hover:not(:disabled) {
      background: color-mix(in srgb, var(--mx-call-controls-hangup-background), #000 15%);
    }

    .button:disabled {
      cursor: not-allowed;
      opacity: 0.4;
    }

    .button:focus-visible,
    .dismiss:focus-visible {
      outline: 2px solid var(--mx-call-controls-focus-ring-color);
      outline-offset: 2px;
    }

    .tooltip {
      position: absolute;
      inset-block-end: calc(100% + 0.5rem);
      left: 50%;
      transform: translateX(-50%);
      translate: 0 0.25rem;
      display: flex;
      align-items: center;
      gap: 0.375rem;
      padding: 0.25rem 0.5rem;
      border-radius: 0.375rem;
      background: #0b0d10;
      color: #f5f7fa;
      font-size: 0.8125rem;
      line-height: 1.4;
      white-space: nowrap;
      pointer-events: none;
      opacity: 0;
      visibility: hidden;
      transition:
        opacity 120ms ease,
        translate 120ms ease,
        visibility 0s linear 120ms;
      z-index: 1;
    }

    /* The outermost tooltips align with their button's outer edge, so they stay inside the call. */
    .button:first-child .tooltip {
      left: auto;
      inset-inline-start: 0;
      transform: none;
    }

    .button:last-child .tooltip {
      left: auto;
      inset-inline-end: 0;
      transform: none;
    }

    .button:hover .tooltip,
    .button:focus-visible .tooltip {
      opacity: 1;
      visibility: visible;
      translate: 0 0;
      transition-delay: 300ms, 300ms, 0s;
    }

    .button:focus-visible .tooltip {
      transition-delay: 0s;
    }

    kbd {
      padding: 0 0.3125rem;
      border: 1px solid rgb(255 255 255 / 0.35);
      border-radius: 0.25rem;
      font: inherit;
      font-size: 0.75rem;
    }

    .error {
      display: flex;
      align-items: center;
      gap: 0.5rem;
      max-inline-size: 36rem;
      padding: 0.375rem 0.375rem 0.375rem 0.875rem;
      border-radius: 0.5rem;
      background: #3a1414;
      color: #fecdca;
      font-size: 0.875rem;
      line-height: 1.4;
    }

    .error:empty {
      display: none;
    }

    .dismiss {
      display: grid;
      place-items: center;
      flex: none;
      inline-size: 1.75rem;
      block-size: 1.75rem;
      padding: 0;
      border: none;
      border-radius: 50%;
      background: transparent;
      color: inherit;
      cursor: pointer;
    }

    .dismiss:hover {
      background: rgb(255 255 255 / 0.1);
    }

    .dismiss .icon {
      inline-size: 1.125rem;
      block-size: 1.125rem;
    }

    @media (prefers-reduced-motion: reduce) {
      .button,
      .tooltip {
        transition: none;
      }
    }
  }
`;
