export { MxLobby, type LobbyDevices } from './lobby.js';
export { MxJoinRequestEvent, type MxJoinRequestEventDetail } from './lobby.events.js';
