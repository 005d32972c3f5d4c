import 'matrix-call-kit/define/mx-call.js';
import { createCallKit, MxError, type CallHandle, type CallKind, type MatrixCredentials } from 'matrix-call-kit';

interface Consumer {
  ready: boolean;
  error: string | undefined;
  call: CallHandle | undefined;
  placeCall?: (userId: string, kind: CallKind) => Promise<string>;
}

declare global {
  interface Window {
    consumer: Consumer;
  }
}

const consumer: Consumer = { ready: false, error: undefined, call: undefined };
window.consumer = consumer;

const view = document.querySelector('mx-call');
if (!view) throw new Error('index.html has no <mx-call>');

try {
  const credentials = JSON.parse(decodeURIComponent(location.hash.slice(1))) as MatrixCredentials;
  const kit = await createCallKit({ credentials });
  kit.onIncomingCall((incoming) => {
    if (incoming.type === 'voip') view.call = incoming.call;
  });
  consumer.placeCall = async (userId, kind) => {
    const call = await kit.placeCall({ userId }, kind);
    consumer.call = view.call = call;
    return call.getSnapshot().callId;
  };
  consumer.ready = true;
} catch (error) {
  consumer.error = error instanceof MxError ? `${error.code}: ${error.message}` : String(error);
}
