import { css } from 'lit';
import { tokens } from '../internal/tokens.js';

export default css`
  @layer mx-component {
    :host {
      --mx-connection-status-idle-color: ${tokens.colorNeutral};
      --mx-connection-status-connecting-color: ${tokens.colorWarning};
      --mx-connection-status-online-color: ${tokens.colorSuccess};
      --mx-connection-status-reconnecting-color: ${tokens.colorWarning};
      --mx-connection-status-stopped-color: ${tokens.colorNeutral};
      --mx-connection-status-error-color: ${tokens.colorDanger};
      --mx-connection-status-indicator-size: 0.625rem;
      display: inline-block;
    }

    .base {
      display: inline-flex;
      align-items: center;
      gap: ${tokens.spaceXs};
    }

    .indicator {
      flex: none;
      inline-size: var(--mx-connection-status-indicator-size);
      block-size: var(--mx-connection-status-indicator-size);
      border-radius: 50%;
      /* Forced-colors mode drops backgrounds but paints this border, so the dot stays visible. */
      border: 1px solid transparent;
      background: var(--mx-connection-status-idle-color);
    }

    :host(:state(connecting)) .indicator {
      background: var(--mx-connection-status-connecting-color);
    }

    :host(:state(online)) .indicator {
      background: var(--mx-connection-status-online-color);
    }

    :host(:state(reconnecting)) .indicator {
      background: var(--mx-connection-status-reconnecting-color);
    }

    :host(:state(stopped)) .indicator {
      background: var(--mx-connection-status-stopped-color);
    }

    :host(:state(error)) .indicator {
      background: var(--mx-connection-status-error-color);
    }

    :host(:state(connecting)) .indicator,
    :host(:state(reconnecting)) .indicator {
      animation: mx-connection-status-pulse ${tokens.durationSlow} ease-in-out infinite alternate;
    }

    @media (prefers-reduced-motion: reduce) {
      :host(:state(connecting)) .indicator,
      :host(:state(reconnecting)) .indicator {
        animation: none;
      }
    }

    @keyframes mx-connection-status-pulse {
      to {
        opacity: 0.35;
      }
    }
  }
`;
