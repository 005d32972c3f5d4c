import { MxCall } from '../components/call/index.js';
import { defineElement } from '../components/internal/define-element.js';
import './mx-call-controls.js';
import './mx-incoming-call.js';
import './mx-video-tile.js';

defineElement('mx-call', MxCall);

declare global {
  interface HTMLElementTagNameMap {
    'mx-call': MxCall;
  }
}
