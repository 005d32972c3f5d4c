import { defineElement } from '../components/internal/define-element.js';
import { MxParticipantList } from '../components/participant-list/index.js';

defineElement('mx-participant-list', MxParticipantList);

declare global {
  interface HTMLElementTagNameMap {
    'mx-participant-list': MxParticipantList;
  }
}
