import { MxGroupCall } from '../components/group-call/index.js';
import { defineElement } from '../components/internal/define-element.js';

defineElement('mx-group-call', MxGroupCall);

declare global {
  interface HTMLElementTagNameMap {
    'mx-group-call': MxGroupCall;
  }
}
