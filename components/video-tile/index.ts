export { MxVideoTile } from './video-tile.js';
