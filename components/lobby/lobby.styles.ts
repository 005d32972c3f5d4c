import { css } from 'lit';

export default css`
  @layer mx-component {
    :host {
      --mx-lobby-background: #0f1217;
      --mx-lobby-color: #f5f7fa;
      --mx-lobby-radius: 1rem;
      --mx-lobby-gap: 1rem;
      --mx-lobby-preview-background: #1f232b;
      --mx-lobby-preview-radius: 0.75rem;
      --mx-lobby-button-size: 3rem;
      --mx-lobby-button-background: rgb(0 0 0 / 0.55);
      --mx-lobby-pressed-background: #f5f7fa;
      --mx-lobby-pressed-color: #16191f;
      --mx-lobby-join-background: #0b7a4b;
      --mx-lobby-join-color: #ffffff;
      --mx-lobby-focus-ring-color: #8ab4f8;
      --mx-lobby-error-background: #3a1414;
      --mx-lobby-error-color: #fecdca;
      display: block;
      /* On the host: a container cannot query its own size, and .base is what changes with it. */
      container: mx-lobby / inline-size;
      font-family: var(--mx-font-family, system-ui, sans-serif);
    }

    .base {
      display: grid;
      grid-template-columns: minmax(0, 1fr);
      gap: var(--mx-lobby-gap);
      padding: var(--mx-lobby-gap);
      border-radius: var(--mx-lobby-radius);
      background: var(--mx-lobby-background);
      color: var(--mx-lobby-color);
    }

    /* Side by side where there is room; a phone stacks the panel under the preview. */
    @container mx-lobby (min-width: 40rem) {
      .base {
        grid-template-columns: minmax(0, 3fr) minmax(14rem, 2fr);
        align-items: center;
      }
    }

    .preview {
      position: relative;
      aspect-ratio: 16 / 9;
      overflow: hidden;
      border-radius: var(--mx-lobby-preview-radius);
      background: var(--mx-lobby-preview-background);
      container-type: size;
    }

    .video {
      display: block;
      inline-size: 100%;
      block-size: 100%;
      object-fit: cover;
      background: #000;
      /* A self-view reads like a mirror; the others see the camera's own orientation. */
      transform: scaleX(-1);
    }

    .video[hidden] {
      display: none;
    }

    .placeholder {
      position: absolute;
      inset: 0 0 calc(var(--mx-lobby-button-size) + 1rem);
      display: flex;
      flex-direction: column;
      align-items: center;
      justify-content: center;
      gap: 0.5rem;
      padding: 0.5rem 1rem;
      text-align: center;
    }

    .placeholder-icon {
      display: grid;
      place-items: center;
      inline-size: min(25cqmin, 4rem);
      block-size: min(25cqmin, 4rem);
      border-radius: 50%;
      background: rgb(255 255 255 / 0.1);
    }

    .placeholder-icon .icon {
      inline-size: 55%;
      block-size: 55%;
    }

    /* A phone's preview is too short for the icon, the message and the toggles. */
    @container (max-height: 12rem) {
      .placeholder-icon {
        display: none;
      }
    }

    .camera-message {
      margin: 0;
      max-inline-size: 28rem;
      font-size: 0.9375rem;
      line-height: 1.4;
    }

    .camera-message.failed {
      color: var(--mx-lobby-error-color);
    }

    .toggles {
      position: absolute;
      inset-inline: 0;
      inset-block-end: 0.5rem;
      display: flex;
      justify-content: center;
      gap: 0.75rem;
    }

    .button {
      display: grid;
      place-items: center;
      inline-size: var(--mx-lobby-button-size);
      block-size: var(--mx-lobby-button-size);
      padding: 0;
      border: none;
      border-radius: 50%;
      background: var(--mx-lobby-button-background);
      color: var(--mx-lobby-color);
      cursor: pointer;
    }

    .button[aria-pressed='true'] {
      background: var(--mx-lobby-pressed-background);
      color: var(--mx-lobby-pressed-color);
    }

    .button .icon {
      inline-size: 1.5rem;
      block-size: 1.5rem;
    }

    .panel {
      display: flex;
      flex-direction: column;
      gap: 0.75rem;
      min-inline-size: 0;
    }

    .title {
      margin: 0;
      font-size: 1.375rem;
      line-height: 1.3;
      overflow-wrap: anywhere;
    }

    .participants {
      margin: 0;
      opacity: 0.85;
    }

    .reason {
      padding: 0.5rem 0.875rem;
      border-radius: 0.5rem;
      background: var(--mx-lobby-error-background);
      color: var(--mx-lobby-error-color);
    }

    .reason:empty {
      display: none;
    }

    .join {
      min-block-size: 2.75rem;
      padding: 0.5rem 1.5rem;
      border: none;
      border-radius: 999px;
      background: var(--mx-lobby-join-background);
      color: var(--mx-lobby-join-color);
      font: inherit;
      font-weight: 600;
      cursor: pointer;
    }

    .join[aria-disabled='true'] {
      opacity: 0.55;
      cursor: default;
    }

    .join[aria-busy='true'] {
      cursor: progress;
    }

    .button:focus-visible,
    .join:focus-visible {
      outline: 2px solid var(--mx-lobby-focus-ring-color);
      outline-offset: 2px;
    }
  }
`;
