import { defineElement } from '../components/internal/define-element.js';
import { MxVideoTile } from '../components/video-tile/index.js';

defineElement('mx-video-tile', MxVideoTile);

declare global {
  interface HTMLElementTagNameMap {
    'mx-video-tile': MxVideoTile;
  }
}
