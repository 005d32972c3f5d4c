import { css } from 'lit';

export default css`
  @layer mx-component {
    :host {
      --mx-video-tile-background: #1f232b;
      --mx-video-tile-color: #f5f7fa;
      --mx-video-tile-radius: 0.75rem;
      --mx-video-tile-camera-fit: cover;
      --mx-video-tile-screenshare-fit: contain;
      --mx-video-tile-avatar-size: min(40cqmin, 7.5rem);
      --mx-video-tile-label-background: rgb(0 0 0 / 0.6);
      --mx-video-tile-indicator-color: #e5484d;
      display: block;
      position: relative;
      min-inline-size: 4rem;
      min-block-size: 3rem;
      font-family: var(--mx-font-family, system-ui, sans-serif);
    }

    .base {
      position: absolute;
      inset: 0;
      overflow: hidden;
      border-radius: var(--mx-video-tile-radius);
      background: var(--mx-video-tile-background);
      color: var(--mx-video-tile-color);
      /* The avatar scales with whichever side of the tile is shorter. */
      container-type: size;
    }

    .video {
      display: block;
      inline-size: 100%;
      block-size: 100%;
      object-fit: var(--mx-video-tile-camera-fit);
      background: #000;
    }

    /* Hidden rather than removed, so the same element keeps playing the feed's audio. */
    .video[hidden] {
      display: none;
    }

    :host(:state(screenshare)) .video {
      object-fit: var(--mx-video-tile-screenshare-fit);
    }

    /* A mirror is what people expect of their own camera; everyone else sees the picture unmirrored. */
    :host(:state(mirrored)) .video {
      transform: scaleX(-1);
    }

    .placeholder {
      --mx-avatar-size: var(--mx-video-tile-avatar-size);
      position: absolute;
      inset: 0;
      display: grid;
      place-items: center;
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

    .label {
      position: absolute;
      inset-inline-start: 0.5rem;
      inset-block-end: 0.5rem;
      display: flex;
      align-items: center;
      gap: 0.25rem;
      max-inline-size: calc(100% - 1rem);
      padding: 0.125rem 0.5rem;
      border-radius: 999px;
      background: var(--mx-video-tile-label-background);
      font-size: 0.8125rem;
      line-height: 1.4;
    }

    .label:empty {
      display: none;
    }

    .name {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }

    .indicator {
      display: inline-grid;
      place-items: center;
      flex: none;
      inline-size: 1.125rem;
      block-size: 1.125rem;
      margin-inline-start: -0.375rem;
      border-radius: 50%;
      background: var(--mx-video-tile-indicator-color);
      color: #fff;
    }

    .indicator .icon {
      inline-size: 0.75rem;
      block-size: 0.75rem;
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
      background: rgb(0 0 0 / 0.7);
      color: #fff;
      font: inherit;
      font-size: 0.875rem;
      cursor: pointer;
    }

    .play-button:focus-visible {
      outline: 2px solid var(--mx-focus-ring-color, #8ab4f8);
      outline-offset: 2px;
    }

    .play-button .icon {
      inline-size: 1.125rem;
      block-size: 1.125rem;
    }

    @container (max-height: 7rem) {
      .label {
        inset-inline-start: 0.25rem;
        inset-block-end: 0.25rem;
        font-size: 0.75rem;
      }
    }
  }
`;
