// What a click on <mx-call-button> loads, and nothing before it: the dialog (with <mx-call>) and the visitor
// call, which loads matrix-js-sdk when it signs in.
import '../../define/mx-call-dialog.js';

export { startVisitorCall } from '../../signaling/visitor/visitor-call.js';
