import type { MatrixSessionSnapshot } from '../../../signaling/matrix/session.js';
import { createStore, type WritableStore } from '../../../signaling/store/store.js';

/** A session store the test drives by hand, in place of a `MatrixSession` talking to a homeserver. */
export function createFakeSession(snapshot: Partial<MatrixSessionSnapshot> = {}): WritableStore<MatrixSessionSnapshot> {
  return createStore<MatrixSessionSnapshot>({
    status: 'idle',
    homeserverUrl: 'http://localhost:8008',
    userId: '@alice:localhost',
    deviceId: 'ALICEDEVICE',
    error: undefined,
    ...snapshot,
  });
}
