import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createCallKit, MxError, type CallHandle, type CallKind, type CallKit, type MatrixCredentials } from 'matrix-call-kit';
import { MxCall } from 'matrix-call-kit/react';

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

function App({ credentials }: { credentials: MatrixCredentials }) {
  const [kit, setKit] = useState<CallKit>();
  const [call, setCall] = useState<CallHandle>();
  const [ended, setEnded] = useState<string>();

  useEffect(() => {
    let started: CallKit | undefined;
    let cancelled = false;
    createCallKit({ credentials }).then(
      (created) => {
        if (cancelled) return created.dispose();
        started = created;
        setKit(created);
        created.onIncomingCall((incoming) => {
          if (incoming.type === 'voip') setCall(incoming.call);
        });
      },
      (error: unknown) => {
        consumer.error = error instanceof MxError ? `${error.code}: ${error.message}` : String(error);
      },
    );
    return () => {
      cancelled = true;
      started?.dispose();
    };
  }, [credentials]);

  useEffect(() => {
    if (!kit) return;
    consumer.placeCall = async (userId, kind) => {
      const placed = await kit.placeCall({ userId }, kind);
      consumer.call = placed;
      setCall(placed);
      return placed.getSnapshot().callId;
    };
    consumer.ready = true;
  }, [kit]);

  return (
    <main>
      <h1>Call from a React app</h1>
      <MxCall call={call} onMxCallEnded={(event) => setEnded(event.detail.reason ?? 'ended')} />
      {ended && <p role="status">The call ended ({ended}).</p>}
    </main>
  );
}

const host = document.querySelector('#app');
if (!host) throw new Error('index.html has no #app');
try {
  const credentials = JSON.parse(decodeURIComponent(location.hash.slice(1))) as MatrixCredentials;
  createRoot(host).render(
    <StrictMode>
      <App credentials={credentials} />
    </StrictMode>,
  );
} catch (error) {
  consumer.error = String(error);
}
