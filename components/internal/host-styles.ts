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

    /* Read by screen readers, not shown: live regions and labels that the picture already says. */
    .visually-hidden {
      position: absolute;
      inline-size: 1px;
      block-size: 1px;
      overflow: hidden;
      clip-path: inset(50%);
      white-space: nowrap;
    }
  }

  /* Unlayered, so no component rule in mx-component can outrank the hidden attribute. */
  :host([hidden]) {
    display: none;
  }
`;
