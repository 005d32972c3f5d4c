import { MxIncomingCall } from '../components/incoming-call/index.js';
import { defineElement } from '../components/internal/define-element.js';

defineElement('mx-incoming-call', MxIncomingCall);

declare global {
  interface HTMLElementTagNameMap {
    'mx-incoming-call': MxIncomingCall;
  }
}
