import { css } from 'lit';

export default css`
  @layer mx-component {
    :host {
      --mx-group-call-background: #0f1217;
      --mx-group-call-color: #f5f7fa;
      --mx-group-call-radius: 1rem;
      --mx-group-call-gap: 0.5rem;
      --mx-group-call-min-block-size: 24rem;
      --mx-group-call-tile-background: #1f232b;
      --mx-group-call-tile-radius: 0.625rem;
      --mx-group-call-speaking-color: #3ccf91;
      --mx-group-call-strip-size: clamp(4.5rem, 22cqb, 8rem);
      --mx-group-call-label-background: rgb(0 0 0 / 0.6);
      --mx-group-call-muted-color: #e5484d;
      --mx-group-call-hand-background: #f5a524;
      --mx-group-call-menu-background: #2b303b;
      --mx-group-call-banner-background: #5c3d00;
      --mx-group-call-button-size: 3rem;
      --mx-group-call-button-background: rgb(255 255 255 / 0.14);
      --mx-group-call-pressed-background: #f5f7fa;
      --mx-group-call-pressed-color: #16191f;
      --mx-group-call-leave-background: #d92d20;
      --mx-group-call-focus-ring-color: #8ab4f8;
      --mx-group-call-error-background: #3a1414;
      --mx-group-call-error-color: #fecdca;
      display: flex;
      flex-direction: column;
      min-block-size: var(--mx-group-call-min-block-size);
      font-family: var(--mx-font-family, system-ui, sans-serif);
    }

    .base {
      position: relative;
      flex: 1;
      /* Fills the host's size however the page displays it (block, grid, flex): the tiles measure from it. */
      box-sizing: border-box;
      block-size: 100%;
      display: flex;
      flex-direction: column;
      gap: var(--mx-group-call-gap);
      padding: var(--mx-group-call-gap);
      overflow: hidden;
      border-radius: var(--mx-group-call-radius);
      background: var(--mx-group-call-background);
      color: var(--mx-group-call-color);
      container: mx-group-call / size;
    }

    .banner {
      align-self: center;
      padding: 0.25rem 0.875rem;
      border-radius: 999px;
      background: var(--mx-group-call-banner-background);
      font-size: 0.875rem;
      line-height: 1.4;
    }

    /* Measured for the grid: its size comes from the surface, never from the tiles or the pager inside it. */
    .stage-area {
      flex: 1;
      min-block-size: 0;
      display: flex;
      flex-direction: column;
      gap: var(--mx-group-call-gap);
    }

    .stage {
      flex: 1;
      min-block-size: 0;
      gap: var(--mx-group-call-gap);
    }

    .stage.grid {
      display: grid;
      grid-template-columns: repeat(var(--_columns, 1), minmax(0, 1fr));
      grid-template-rows: repeat(var(--_rows, 1), minmax(0, 1fr));
    }

    .stage.spotlight {
      display: grid;
      grid-template-rows: minmax(0, 1fr) auto;
    }

    .strip {
      display: flex;
      gap: var(--mx-group-call-gap);
      block-size: var(--mx-group-call-strip-size);
      overflow-x: auto;
      overflow-y: hidden;
      scrollbar-width: thin;
    }

    .strip .tile {
      flex: none;
      block-size: 100%;
      aspect-ratio: 16 / 9;
    }

    .strip:focus-visible,
    .button:focus-visible,
    .play-button:focus-visible,
    .reaction-item:focus-visible,
    .dismiss:focus-visible {
      outline: 2px solid var(--mx-group-call-focus-ring-color);
      outline-offset: 2px;
    }

    .tile {
      position: relative;
      min-inline-size: 0;
      min-block-size: 0;
      overflow: hidden;
      border-radius: var(--mx-group-call-tile-radius);
      background: var(--mx-group-call-tile-background);
      container-type: size;
    }

    /* Drawn over the picture, so it shows whatever the video does. */
    .tile::after {
      content: '';
      position: absolute;
      inset: 0;
      border-radius: inherit;
      pointer-events: none;
      box-shadow: inset 0 0 0 0 var(--mx-group-call-speaking-color);
      transition: box-shadow 150ms ease;
    }

    .tile.speaking::after {
      box-shadow: inset 0 0 0 3px var(--mx-group-call-speaking-color);
    }

    .video {
      display: block;
      inline-size: 100%;
      block-size: 100%;
      object-fit: cover;
      background: #000;
    }

    .video[hidden] {
      display: none;
    }

    .screen .video {
      object-fit: contain;
    }

    .local.camera .video {
      transform: scaleX(-1);
    }

    .placeholder {
      --mx-avatar-size: min(40cqmin, 7rem);
      position: absolute;
      inset: 0;
      display: flex;
      flex-direction: column;
      align-items: center;
      justify-content: center;
      gap: 0.5rem;
    }

    .placeholder-icon {
      display: grid;
      place-items: center;
      inline-size: min(30cqmin, 4rem);
      block-size: min(30cqmin, 4rem);
      border-radius: 50%;
      background: rgb(255 255 255 / 0.1);
    }

    .placeholder-icon .icon {
      inline-size: 55%;
      block-size: 55%;
    }

    .connecting {
      font-size: 0.8125rem;
    }

    .label {
      position: absolute;
      inset-inline-start: 0.375rem;
      inset-block-end: 0.375rem;
      display: flex;
      align-items: center;
      gap: 0.25rem;
      max-inline-size: calc(100% - 0.75rem);
      padding: 0.125rem 0.5rem;
      border-radius: 999px;
      background: var(--mx-group-call-label-background);
      font-size: 0.8125rem;
      line-height: 1.4;
    }

    .name {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }

    .badge {
      display: inline-grid;
      place-items: center;
      flex: none;
      inline-size: 1.125rem;
      block-size: 1.125rem;
      border-radius: 50%;
    }

    .badge .icon {
      inline-size: 0.75rem;
      block-size: 0.75rem;
    }

    .badge.muted {
      margin-inline-start: -0.375rem;
      background: var(--mx-group-call-muted-color);
      color: #fff;
    }

    .hand {
      position: absolute;
      inset-inline-start: 0.375rem;
      inset-block-start: 0.375rem;
      display: inline-flex;
      align-items: center;
      gap: 0.125rem;
      padding: 0.125rem 0.5rem;
      border-radius: 999px;
      background: var(--mx-group-call-hand-background);
      color: #16191f;
      font-size: 0.875rem;
      line-height: 1.4;
    }

    .hand-order {
      font-weight: 600;
      font-variant-numeric: tabular-nums;
    }

    .reaction {
      position: absolute;
      inset-inline-end: 0.5rem;
      inset-block-start: 0.25rem;
      font-size: clamp(1.5rem, 18cqmin, 3rem);
      line-height: 1;
      pointer-events: none;
      animation: mx-reaction-pop 3s ease-out both;
    }

    @keyframes mx-reaction-pop {
      0% {
        opacity: 0;
        transform: translateY(0.5em) scale(0.6);
      }
      12% {
        opacity: 1;
        transform: none;
      }
      80% {
        opacity: 1;
      }
      100% {
        opacity: 0;
      }
    }

    .reactions {
      position: relative;
    }

    .reactions-menu {
      position: absolute;
      inset-block-end: calc(100% + 0.5rem);
      inset-inline-start: 50%;
      translate: -50% 0;
      z-index: 1;
      display: grid;
      grid-template-columns: repeat(4, 2.75rem);
      gap: 0.25rem;
      padding: 0.375rem;
      border-radius: 0.75rem;
      background: var(--mx-group-call-menu-background);
      box-shadow: 0 0.25rem 1rem rgb(0 0 0 / 0.4);
    }

    .reaction-item {
      inline-size: 2.75rem;
      block-size: 2.75rem;
      padding: 0;
      border: none;
      border-radius: 0.5rem;
      background: transparent;
      font-size: 1.5rem;
      cursor: pointer;
    }

    .reaction-item:hover,
    .reaction-item:focus-visible {
      background: rgb(255 255 255 / 0.14);
    }

    .quality {
      display: inline-flex;
      align-items: end;
      gap: 1px;
      flex: none;
      block-size: 0.75rem;
    }

    .quality .bar {
      inline-size: 3px;
      border-radius: 1px;
      background: rgb(255 255 255 / 0.3);
    }

    .quality .bar:nth-child(1) {
      block-size: 40%;
    }
    .quality .bar:nth-child(2) {
      block-size: 70%;
    }
    .quality .bar:nth-child(3) {
      block-size: 100%;
    }

    .quality .bar.lit {
      background: #3ccf91;
    }

    .quality.poor .bar.lit {
      background: #f5a524;
    }

    .quality.lost .bar {
      background: var(--mx-group-call-muted-color);
    }

    /* A fixed height, which the grid sets aside (PAGER_BLOCK_SIZE) while there are pages. */
    .pager {
      flex: none;
      block-size: 2.25rem;
      display: flex;
      align-items: center;
      justify-content: center;
      gap: 0.75rem;
      font-size: 0.875rem;
    }

    .page-status {
      font-variant-numeric: tabular-nums;
    }

    .controls {
      display: flex;
      flex-wrap: wrap;
      justify-content: center;
      gap: 0.75rem;
    }

    .button {
      display: grid;
      place-items: center;
      inline-size: var(--mx-group-call-button-size);
      block-size: var(--mx-group-call-button-size);
      padding: 0;
      border: none;
      border-radius: 50%;
      background: var(--mx-group-call-button-background);
      color: var(--mx-group-call-color);
      cursor: pointer;
    }

    .button.small {
      inline-size: 2.25rem;
      block-size: 2.25rem;
    }

    .button[aria-pressed='true'] {
      background: var(--mx-group-call-pressed-background);
      color: var(--mx-group-call-pressed-color);
    }

    .button.danger {
      background: var(--mx-group-call-leave-background);
      color: #fff;
    }

    .button:disabled {
      opacity: 0.45;
      cursor: default;
    }

    .button .icon {
      inline-size: 1.5rem;
      block-size: 1.5rem;
    }

    .play-button {
      position: absolute;
      inset-block-start: 50%;
      inset-inline-start: 50%;
      translate: -50% -50%;
      display: inline-flex;
      align-items: center;
      gap: 0.375rem;
      padding: 0.5rem 1rem;
      border: 1px solid rgb(255 255 255 / 0.4);
      border-radius: 999px;
      background: rgb(0 0 0 / 0.75);
      color: #fff;
      font: inherit;
      font-size: 0.875rem;
      cursor: pointer;
    }

    .play-button .icon {
      inline-size: 1.125rem;
      block-size: 1.125rem;
    }

    .error {
      display: flex;
      align-items: center;
      align-self: center;
      gap: 0.5rem;
      max-inline-size: 36rem;
      padding: 0.375rem 0.375rem 0.375rem 0.875rem;
      border-radius: 0.5rem;
      background: var(--mx-group-call-error-background);
      color: var(--mx-group-call-error-color);
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

    .dismiss .icon {
      inline-size: 1.125rem;
      block-size: 1.125rem;
    }

    .message,
    .empty {
      flex: 1;
      display: flex;
      flex-direction: column;
      align-items: center;
      justify-content: center;
      margin: 0;
      font-size: 1.0625rem;
      text-align: center;
    }

    .message p {
      margin: 0.25rem 0;
    }

    .headline {
      font-weight: 600;
    }

    .error-text {
      max-inline-size: 32rem;
      padding: 0.5rem 0.875rem;
      border-radius: 0.5rem;
      background: var(--mx-group-call-error-background);
      color: var(--mx-group-call-error-color);
      font-size: 0.9375rem;
    }

    /* A phone: smaller buttons and labels, so the tiles keep the room. */
    @container mx-group-call (max-width: 30rem) {
      .button:not(.small) {
        inline-size: calc(var(--mx-group-call-button-size) * 0.875);
        block-size: calc(var(--mx-group-call-button-size) * 0.875);
      }

      .controls {
        gap: 0.5rem;
      }

      .label {
        font-size: 0.75rem;
        padding: 0.0625rem 0.375rem;
      }
    }

    @container (max-height: 6rem) {
      .connecting {
        display: none;
      }
    }

    @media (prefers-reduced-motion: reduce) {
      .tile::after {
        transition: none;
      }

      .reaction {
        animation: none;
      }
    }
  }
`;
