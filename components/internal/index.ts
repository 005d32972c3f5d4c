export { MxElement } from './mx-element.js';
export { defineElement } from './define-element.js';
export { StoreController } from './store-controller.js';
export { hostStyles } from './host-styles.js';
export { tokens } from './tokens.js';
