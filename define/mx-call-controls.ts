import { MxCallControls } from '../components/call-controls/index.js';
import { defineElement } from '../components/internal/define-element.js';

defineElement('mx-call-controls', MxCallControls);

declare global {
  interface HTMLElementTagNameMap {
    'mx-call-controls': MxCallControls;
  }
}
