import { MxCallDialog } from '../components/call-dialog/index.js';
import { defineElement } from '../components/internal/define-element.js';
import './mx-call.js';
import './mx-group-call.js';

defineElement('mx-call-dialog', MxCallDialog);

declare global {
  interface HTMLElementTagNameMap {
    'mx-call-dialog': MxCallDialog;
  }
}
