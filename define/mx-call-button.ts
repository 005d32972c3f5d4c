import { MxCallButton } from '../components/call-button/index.js';
import { defineElement } from '../components/internal/define-element.js';

defineElement('mx-call-button', MxCallButton);

declare global {
  interface HTMLElementTagNameMap {
    'mx-call-button': MxCallButton;
  }
}
