import { css } from 'lit';

/** Styles every kit element starts from. */
export const hostStyles = css`
  @layer mx-component {
    :host {
      box-sizing: border-box;
    }

    *,
    *::before,
    *::after {
      box-sizing: inherit;
    }
  }

  /* Unlayered, so no component rule in mx-component can outrank the hidden attribute. */
  :host([hidden]) {
    display: none;
  }
`;
