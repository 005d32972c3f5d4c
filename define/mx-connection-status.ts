import { MxConnectionStatus } from '../components/connection-status/index.js';
import { defineElement } from '../components/internal/define-element.js';

defineElement('mx-connection-status', MxConnectionStatus);

declare global {
  interface HTMLElementTagNameMap {
    'mx-connection-status': MxConnectionStatus;
  }
}
