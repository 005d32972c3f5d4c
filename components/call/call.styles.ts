import { css } from 'lit';

export default css`
  @layer mx-component {
    :host {
      --mx-call-background: #0f1217;
      --mx-call-color: #f5f7fa;
      --mx-call-secondary-color: #b8c0cc;
      --mx-call-radius: 1rem;
      --mx-call-gap: 0.75rem;
      --mx-call-min-block-size: 22rem;
      --mx-call-self-view-size: clamp(6.5rem, 24cqi, 13rem);
      --mx-call-filmstrip-size: clamp(9rem, 24cqi, 16rem);
      --mx-call-error-background: #3a1414;
      --mx-call-error-color: #fecdca;
      display: flex;
      flex-direction: column;
      min-block-size: var(--mx-call-min-block-size);
      font-family: var(--mx-font-family, system-ui, sans-serif);
    }

    .base {
      position: relative;
      flex: 1;
      display: grid;
      grid-template-rows: auto minmax(0, 1fr);
      grid-auto-rows: auto;
      gap: var(--mx-call-gap);
      padding: var(--mx-call-gap);
      overflow: hidden;
      border-radius: var(--mx-call-radius);
      background: var(--mx-call-background);
      color: var(--mx-call-color);
      container: mx-call / inline-size;
    }

    .header {
      display: flex;
      flex-wrap: wrap;
      align-items: baseline;
      column-gap: 0.75rem;
      row-gap: 0.125rem;
      padding-inline: 0.25rem;
      min-inline-size: 0;
    }

    .name {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      font-size: 1.0625rem;
      font-weight: 600;
      line-height: 1.4;
    }

    .status-line {
      display: inline-flex;
      gap: 0.375rem;
      color: var(--mx-call-secondary-color);
      font-size: 0.875rem;
      line-height: 1.4;
    }

    .duration {
      font-variant-numeric: tabular-nums;
    }

    .stage {
      position: relative;
      min-block-size: 0;
    }

    .tile {
      position: absolute;
      inset: 0;
    }

    .local {
      inset: auto var(--mx-call-gap) var(--mx-call-gap) auto;
      inline-size: var(--mx-call-self-view-size);
      aspect-ratio: 16 / 9;
      box-shadow: 0 4px 16px rgb(0 0 0 / 0.45);
      --mx-video-tile-radius: 0.625rem;
    }

    :host(:state(presentation)) .stage {
      display: grid;
      grid-template-columns: minmax(0, 1fr) var(--mx-call-filmstrip-size);
      grid-template-rows: repeat(2, minmax(0, auto)) 1fr;
      gap: var(--mx-call-gap);
      align-content: start;
    }

    :host(:state(presentation)) .tile {
      position: relative;
      inset: auto;
      aspect-ratio: 16 / 9;
      box-shadow: none;
      inline-size: auto;
    }

    :host(:state(presentation)) .shared {
      grid-column: 1;
      grid-row: 1 / -1;
      aspect-ratio: auto;
      --mx-video-tile-background: #000;
    }

    :host(:state(presentation)) .remote,
    :host(:state(presentation)) .local {
      grid-column: 2;
    }

    :host(:state(on-hold)) .remote,
    :host(:state(ended)) .tile {
      filter: brightness(0.45) saturate(0.6);
    }

    /* Low and centred: clear of the avatar in the middle and of the self-view in the corner. */
    .overlay {
      position: absolute;
      inset-block-end: 1.25rem;
      left: 50%;
      translate: -50% 0;
      display: inline-flex;
      align-items: center;
      gap: 0.5rem;
      padding: 0.5rem 1rem;
      border-radius: 999px;
      background: rgb(0 0 0 / 0.65);
      font-size: 0.9375rem;
      font-weight: 600;
      white-space: nowrap;
    }

    .overlay .icon {
      inline-size: 1.25rem;
      block-size: 1.25rem;
    }

    .error {
      justify-self: center;
      max-inline-size: 40rem;
      padding: 0.5rem 0.875rem;
      border-radius: 0.5rem;
      background: var(--mx-call-error-background);
      color: var(--mx-call-error-color);
      font-size: 0.875rem;
      line-height: 1.4;
    }

    .error:empty {
      display: none;
    }

    .dock {
      display: flex;
      justify-content: center;
    }

    .incoming {
      position: absolute;
      inset: 0;
      display: grid;
      place-items: center;
      padding: var(--mx-call-gap);
      pointer-events: none;
    }

    .incoming:state(open) {
      background: rgb(6 8 11 / 0.72);
      backdrop-filter: blur(6px);
      pointer-events: auto;
    }

    .empty {
      grid-row: 1 / -1;
      align-self: center;
      justify-self: center;
      margin: 0;
      color: var(--mx-call-secondary-color);
    }

    @container mx-call (max-width: 32rem) {
      .controls {
        --mx-call-controls-button-size: 2.75rem;
        --mx-call-controls-gap: 0.5rem;
      }

      .local {
        aspect-ratio: 3 / 4;
        inline-size: clamp(5rem, 28cqi, 8rem);
      }

      :host(:state(presentation)) .stage {
        grid-template-columns: repeat(2, minmax(0, 1fr));
        grid-template-rows: minmax(0, 1fr) auto;
      }

      :host(:state(presentation)) .shared {
        grid-column: 1 / -1;
        grid-row: 1;
      }

      :host(:state(presentation)) .remote {
        grid-column: 1;
        grid-row: 2;
      }

      :host(:state(presentation)) .local {
        grid-column: 2;
        grid-row: 2;
      }
    }
  }
`;
