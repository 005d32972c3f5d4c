import { MxLobby } from '../components/lobby/index.js';
import { defineElement } from '../components/internal/define-element.js';
import './mx-device-picker.js';

defineElement('mx-lobby', MxLobby);

declare global {
  interface HTMLElementTagNameMap {
    'mx-lobby': MxLobby;
  }
}
