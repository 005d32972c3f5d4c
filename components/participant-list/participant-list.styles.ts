import { css } from 'lit';

export default css`
  @layer mx-component {
    :host {
      --mx-participant-list-background: transparent;
      --mx-participant-list-color: inherit;
      --mx-participant-list-muted-color: #e5484d;
      --mx-participant-list-speaking-color: #3ccf91;
      --mx-participant-list-hand-background: #f5a524;
      --mx-participant-list-secondary-color: currentColor;
      --mx-participant-list-row-gap: 0.25rem;
      display: block;
      font-family: var(--mx-font-family, system-ui, sans-serif);
    }

    .base {
      position: relative;
      padding: 0.5rem;
      background: var(--mx-participant-list-background);
      color: var(--mx-participant-list-color);
    }

    .heading {
      margin: 0 0 0.5rem;
      font-size: 0.875rem;
      font-weight: 600;
    }

    .list {
      display: flex;
      flex-direction: column;
      gap: var(--mx-participant-list-row-gap);
      margin: 0;
      padding: 0;
      list-style: none;
    }

    .row {
      --mx-avatar-size: 2rem;
      display: flex;
      align-items: center;
      gap: 0.625rem;
      padding: 0.25rem;
      min-inline-size: 0;
    }

    .row .avatar {
      outline: 2px solid transparent;
      outline-offset: 2px;
      transition: outline-color 0.15s;
    }

    .row.speaking .avatar {
      outline-color: var(--mx-participant-list-speaking-color);
    }

    .who {
      display: flex;
      flex-direction: column;
      flex: 1;
      min-inline-size: 0;
    }

    .name {
      overflow: hidden;
      text-overflow: ellipsis;
      white-space: nowrap;
    }

    .secondary {
      color: var(--mx-participant-list-secondary-color);
      font-size: 0.75rem;
    }

    .badges {
      display: flex;
      align-items: center;
      gap: 0.375rem;
      flex: none;
    }

    .hand {
      display: inline-flex;
      align-items: center;
      gap: 0.125rem;
      padding: 0 0.375rem;
      border-radius: 999px;
      background: var(--mx-participant-list-hand-background);
      color: #16191f;
      font-size: 0.8125rem;
      font-weight: 600;
      line-height: 1.5;
    }

    .muted {
      display: inline-grid;
      color: var(--mx-participant-list-muted-color);
    }

    .muted .icon {
      inline-size: 1.125rem;
      block-size: 1.125rem;
    }

    .lock {
      font-size: 0.8125rem;
    }

    .empty {
      margin: 0;
      color: var(--mx-participant-list-secondary-color);
    }

    @media (prefers-reduced-motion: reduce) {
      .row .avatar {
        transition: none;
      }
    }
  }
`;
