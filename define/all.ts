// Registers every element of the kit.
import './mx-connection-status.js';
import './mx-device-picker.js';
import './mx-call.js';
import './mx-call-controls.js';
import './mx-incoming-call.js';
import './mx-video-tile.js';
import './mx-call-button.js';
import './mx-call-dialog.js';
import './mx-group-call.js';
import './mx-lobby.js';
import './mx-participant-list.js';
