export { MxParticipantList } from './participant-list.js';
