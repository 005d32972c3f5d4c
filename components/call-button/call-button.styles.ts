import { css } from 'lit';
import { tokens } from '../internal/tokens.js';

export default css`
  @layer mx-component {
    :host {
      --mx-call-button-background: ${tokens.colorSuccess};
      --mx-call-button-color: #fff;
      --mx-call-button-busy-background: #1d4ed8;
      --mx-call-button-unavailable-background: ${tokens.colorNeutral};
      --mx-call-button-radius: 999px;
      display: inline-flex;
      flex-direction: column;
      align-items: flex-start;
      gap: ${tokens.spaceXs};
    }

    .button {
      display: inline-flex;
      align-items: center;
      gap: ${tokens.spaceS};
      min-block-size: 2.75rem;
      padding: 0.5rem 1.25rem 0.5rem 1rem;
      border: 2px solid transparent;
      border-radius: var(--mx-call-button-radius);
      background: var(--mx-call-button-background);
      color: var(--mx-call-button-color);
      font: inherit;
      font-weight: 600;
      cursor: pointer;
    }

    .button:focus-visible {
      outline: 3px solid var(--mx-call-button-background);
      outline-offset: 2px;
    }

    :host(:state(connecting)) .button,
    :host(:state(ringing)) .button,
    :host(:state(in-call)) .button {
      background: var(--mx-call-button-busy-background);
    }

    :host(:state(unavailable)) .button {
      background: var(--mx-call-button-unavailable-background);
      cursor: not-allowed;
    }

    .icon {
      display: inline-flex;
      inline-size: 1.25rem;
      block-size: 1.25rem;
    }

    .icon svg {
      inline-size: 100%;
      block-size: 100%;
    }

    .status:empty {
      display: none;
    }

  }
`;
