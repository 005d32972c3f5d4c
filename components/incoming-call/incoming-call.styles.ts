import { css } from 'lit';

export default css`
  @layer mx-component {
    :host {
      --mx-incoming-call-background: #1b1f27;
      --mx-incoming-call-color: #f5f7fa;
      --mx-incoming-call-secondary-color: #b8c0cc;
      --mx-incoming-call-radius: 1rem;
      --mx-incoming-call-shadow: 0 12px 32px rgb(0 0 0 / 0.35);
      --mx-incoming-call-accept-background: #1f8a4c;
      --mx-incoming-call-decline-background: #d92d20;
      --mx-incoming-call-focus-ring-color: #8ab4f8;
      display: block;
      font-family: var(--mx-font-family, system-ui, sans-serif);
    }

    .base {
      display: flex;
      flex-direction: column;
      gap: 1.25rem;
      inline-size: min(100%, 24rem);
      padding: 1.25rem;
      border-radius: var(--mx-incoming-call-radius);
      background: var(--mx-incoming-call-background);
      color: var(--mx-incoming-call-color);
      box-shadow: var(--mx-incoming-call-shadow);
    }

    .caller {
      --mx-avatar-size: 3.5rem;
      display: flex;
      align-items: center;
      gap: 0.875rem;
      min-inline-size: 0;
    }

    /* A quiet group notice (no ring) does not pulse. */
    :host(:state(open):not(:state(notice)):not(:state(quiet))) .avatar {
      animation: mx-incoming-call-ring 1.6s ease-out infinite;
    }

    .text {
      display: grid;
      gap: 0.125rem;
      min-inline-size: 0;
    }

    .name {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      font-size: 1.125rem;
      font-weight: 600;
      line-height: 1.3;
    }

    .description,
    .user-id {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
      color: var(--mx-incoming-call-secondary-color);
      font-size: 0.875rem;
      line-height: 1.4;
    }

    .actions {
      display: flex;
      justify-content: space-around;
      gap: 0.75rem;
    }

    .action {
      display: flex;
      flex-direction: column;
      align-items: center;
      gap: 0.375rem;
      min-inline-size: 4.5rem;
      padding: 0;
      border: none;
      background: none;
      color: inherit;
      font: inherit;
      font-size: 0.8125rem;
      line-height: 1.3;
      cursor: pointer;
    }

    .action-icon {
      display: grid;
      place-items: center;
      inline-size: 3.25rem;
      block-size: 3.25rem;
      border-radius: 50%;
      background: var(--mx-incoming-call-accept-background);
      color: #fff;
      transition: filter 120ms ease;
    }

    .action-icon .icon {
      inline-size: 1.5rem;
      block-size: 1.5rem;
    }

    .decline-button .action-icon {
      background: var(--mx-incoming-call-decline-background);
    }

    .action:hover .action-icon {
      filter: brightness(1.12);
    }

    .action:focus-visible {
      outline: none;
    }

    .action:focus-visible .action-icon {
      outline: 2px solid var(--mx-incoming-call-focus-ring-color);
      outline-offset: 3px;
    }

    .notice {
      margin: 0;
      padding: 0.625rem 0.75rem;
      border-radius: 0.5rem;
      background: rgb(255 255 255 / 0.08);
      font-size: 0.875rem;
      text-align: center;
    }

    .error {
      margin-block-start: -0.5rem;
      color: #fda29b;
      font-size: 0.875rem;
      line-height: 1.4;
      text-align: center;
    }

    .error:empty {
      display: none;
    }

    @keyframes mx-incoming-call-ring {
      from {
        box-shadow: 0 0 0 0 rgb(255 255 255 / 0.35);
      }
      to {
        box-shadow: 0 0 0 0.75rem rgb(255 255 255 / 0);
      }
    }

    @media (prefers-reduced-motion: reduce) {
      :host(:state(open)) .avatar {
        animation: none;
      }
    }
  }

  /* Outside the layer, so that no rule inside mx-component (\`.base { display: flex }\`) outranks it. */
  .base[hidden] {
    display: none;
  }
`;
