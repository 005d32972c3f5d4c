import { css } from 'lit';
import { tokens } from '../internal/tokens.js';

export default css`
  @layer mx-component {
    :host {
      --mx-call-dialog-width: min(56rem, 100vw);
      --mx-call-dialog-height: min(40rem, 100dvh);
      --mx-call-dialog-background: #111827;
      --mx-call-dialog-color: #f9fafb;
      display: contents;
    }

    .dialog {
      inline-size: var(--mx-call-dialog-width);
      block-size: var(--mx-call-dialog-height);
      max-inline-size: 100vw;
      max-block-size: 100dvh;
      padding: 0;
      border: none;
      border-radius: 0.75rem;
      background: var(--mx-call-dialog-background);
      color: var(--mx-call-dialog-color);
    }

    .dialog[open] {
      display: flex;
      flex-direction: column;
    }

    .dialog::backdrop {
      background: rgb(0 0 0 / 0.6);
    }

    .header {
      display: flex;
      align-items: center;
      justify-content: space-between;
      gap: ${tokens.spaceS};
      padding: ${tokens.spaceS} ${tokens.spaceS} 0 1rem;
    }

    .title {
      margin: 0;
      font-size: 1.1rem;
    }

    .close,
    .confirm button,
    .done {
      min-inline-size: 2.75rem;
      min-block-size: 2.75rem;
      border: 1px solid #9ca3af;
      border-radius: 0.5rem;
      background: transparent;
      color: inherit;
      font: inherit;
      cursor: pointer;
    }

    .close svg {
      inline-size: 1.25rem;
      block-size: 1.25rem;
    }

    .message {
      margin: ${tokens.spaceS} 1rem;
    }

    .message:empty {
      display: none;
    }

    .confirm {
      display: flex;
      flex-wrap: wrap;
      align-items: center;
      gap: ${tokens.spaceS};
      margin: 0 1rem ${tokens.spaceS};
    }

    .confirm .end {
      background: ${tokens.colorDanger};
      border-color: transparent;
      color: #fff;
      padding-inline: 1rem;
    }

    .confirm .keep,
    .done {
      padding-inline: 1rem;
    }

    .done {
      align-self: center;
      margin: auto;
    }

    .call {
      flex: 1;
      min-block-size: 0;
    }
  }
`;
