import { css } from 'lit';
import { tokens } from '../internal/tokens.js';

export default css`
  @layer mx-component {
    :host {
      --mx-device-picker-gap: ${tokens.spaceS};
      --mx-device-picker-label-gap: ${tokens.spaceXs};
      --mx-device-picker-label-font-weight: 600;
      --mx-device-picker-select-inline-size: 100%;
      display: block;
    }

    .base {
      display: flex;
      flex-direction: column;
      gap: var(--mx-device-picker-gap);
    }

    .field {
      display: flex;
      flex-direction: column;
      gap: var(--mx-device-picker-label-gap);
    }

    .label {
      font-weight: var(--mx-device-picker-label-font-weight);
    }

    .select {
      inline-size: var(--mx-device-picker-select-inline-size);
      max-inline-size: 100%;
      font: inherit;
    }
  }
`;
