import type { MatrixClient, SyncState } from 'matrix-js-sdk';
import { MxError } from '../errors.js';
import { createStore, type ReadableStore } from '../store/store.js';
import { isRecord } from '../json.js';

export const MATRIX_SESSION_STATUSES = ['idle', 'connecting', 'online', 'reconnecting', 'stopped', 'error'] as const;
export type MatrixSessionStatus = (typeof MATRIX_SESSION_STATUSES)[number];

export interface MatrixSessionSnapshot {
  readonly status: MatrixSessionStatus;
  readonly homeserverUrl: string;
  readonly userId: string | undefined;
  readonly deviceId: string | undefined;
  readonly error: MxError | undefined;
}

export interface MatrixCredentials {
  homeserverUrl: string;
  userId: string;
  accessToken: string;
  deviceId: string;
}

export type MatrixSessionOptions =
  | {
      credentials: MatrixCredentials;
      client?: undefined;
      /**
       * Start matrix-js-sdk's Rust crypto (its WebAssembly loads here, not at import), so events in
       * encrypted rooms go out and come in encrypted. Keys are kept in IndexedDB per user and device.
       */
      encryption?: boolean;
    }
  /** A client the host app already runs; the session neither starts nor stops its sync. */
  | { client: MatrixClient; credentials?: undefined; encryption?: undefined };

const trimSlash = (url: string): string => url.replace(/\/+$/, '');

/** Logs in with a password over the client-server API, without loading matrix-js-sdk. */
export async function loginWithPassword(homeserverUrl: string, username: string, password: string): Promise<MatrixCredentials> {
  const base = trimSlash(homeserverUrl);
  let response: Response;
  try {
    response = await fetch(`${base}/_matrix/client/v3/login`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ type: 'm.login.password', identifier: { type: 'm.id.user', user: username }, password }),
    });
  } catch (error) {
    throw new MxError('HOMESERVER_UNREACHABLE', `The homeserver at ${base} could not be reached.`, { cause: error });
  }
  const body: unknown = await response.json().catch(() => undefined);
  if (!response.ok) {
    const reason = isRecord(body) && typeof body.error === 'string' ? body.error : `HTTP ${response.status}`;
    throw new MxError('LOGIN_FAILED', `Login as ${username} failed: ${reason}`);
  }
  if (!isRecord(body) || typeof body.user_id !== 'string' || typeof body.access_token !== 'string' || typeof body.device_id !== 'string') {
    throw new MxError('LOGIN_FAILED', 'The homeserver answered the login with an unexpected body.');
  }
  return { homeserverUrl: base, userId: body.user_id, accessToken: body.access_token, deviceId: body.device_id };
}

/**
 * Runs Rust crypto set-ups one after another: two sessions in one page starting it at once race on the
 * WebAssembly module's initialisation, and one of them fails.
 */
let cryptoInitQueue: Promise<unknown> = Promise.resolve();
function initCryptoInTurn(init: () => Promise<void>): Promise<void> {
  const turn = cryptoInitQueue.then(init);
  cryptoInitQueue = turn.catch(() => undefined);
  return turn;
}

/**
 * One signed-in Matrix account, as the rest of the kit needs it. matrix-js-sdk is imported only when
 * `start()` runs, so creating a session (or rendering anything that holds one) stays light.
 */
export class MatrixSession implements ReadableStore<MatrixSessionSnapshot> {
  private readonly store;
  private matrixClient: MatrixClient | undefined;
  private readonly ownsClient: boolean;
  private detachSyncListener: (() => void) | undefined;
  private starting: Promise<MatrixClient> | undefined;

  constructor(private readonly options: MatrixSessionOptions) {
    this.ownsClient = options.client === undefined;
    this.matrixClient = options.client;
    this.store = createStore<MatrixSessionSnapshot>({
      status: 'idle',
      homeserverUrl: options.credentials ? trimSlash(options.credentials.homeserverUrl) : options.client.getHomeserverUrl(),
      userId: options.credentials?.userId ?? options.client?.getUserId() ?? undefined,
      deviceId: options.credentials?.deviceId ?? options.client?.getDeviceId() ?? undefined,
      error: undefined,
    });
  }

  getSnapshot(): MatrixSessionSnapshot {
    return this.store.getSnapshot();
  }

  subscribe(listener: (snapshot: MatrixSessionSnapshot) => void): () => void {
    return this.store.subscribe(listener);
  }

  /** The underlying client, once `start()` has resolved. */
  get client(): MatrixClient {
    if (!this.matrixClient) throw new MxError('INVALID_CONFIGURATION', 'The Matrix session has not been started.');
    return this.matrixClient;
  }

  /** Loads matrix-js-sdk, starts syncing (for sessions made from credentials) and resolves once online. */
  start(): Promise<MatrixClient> {
    this.starting ??= this.connect().catch((error: unknown) => {
      this.starting = undefined;
      const failure = MxError.from(error, 'HOMESERVER_UNREACHABLE');
      this.store.update((s) => ({ ...s, status: 'error', error: failure }));
      throw failure;
    });
    return this.starting;
  }

  /** Stops syncing if this session started it. Safe to call more than once. */
  stop(): void {
    this.detachSyncListener?.();
    this.detachSyncListener = undefined;
    if (this.ownsClient) this.matrixClient?.stopClient();
    this.starting = undefined;
    this.store.update((s) => ({ ...s, status: 'stopped' }));
  }

  private async connect(): Promise<MatrixClient> {
    this.store.update((s) => ({ ...s, status: 'connecting', error: undefined }));
    const sdk = await import('matrix-js-sdk');
    if (!this.matrixClient) {
      const { credentials } = this.options;
      if (!credentials) throw new MxError('INVALID_CONFIGURATION', 'A Matrix session needs credentials or a client.');
      this.matrixClient = sdk.createClient({
        baseUrl: trimSlash(credentials.homeserverUrl),
        accessToken: credentials.accessToken,
        userId: credentials.userId,
        deviceId: credentials.deviceId,
        // The kit runs 1:1 calls itself; matrix-js-sdk's own handler would answer the same events.
        disableVoip: true,
      });
    }
    const client = this.matrixClient;
    if (this.ownsClient && this.options.encryption && !client.getCrypto()) {
      try {
        // One store per account and device: a page may hold several sessions (the demo does), and the
        // SDK's default store name is shared by all of them.
        await initCryptoInTurn(() => client.initRustCrypto({ cryptoDatabasePrefix: `matrix-call-kit:${client.getUserId() ?? ''}:${client.getDeviceId() ?? ''}` }));
      } catch (error) {
        throw new MxError('INVALID_CONFIGURATION', `End-to-end encryption could not start: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }
    }
    const online = new Promise<void>((resolve, reject) => {
      const onSync = (state: SyncState, _previous: SyncState | null, data?: { error?: Error }): void => {
        switch (state) {
          case sdk.SyncState.Prepared:
          case sdk.SyncState.Syncing:
            this.store.update((s) => ({ ...s, status: 'online', error: undefined }));
            resolve();
            break;
          case sdk.SyncState.Reconnecting:
          case sdk.SyncState.Catchup:
            this.store.update((s) => ({ ...s, status: 'reconnecting' }));
            break;
          case sdk.SyncState.Error: {
            const failure = new MxError('HOMESERVER_UNREACHABLE', `Sync with ${client.getHomeserverUrl()} failed: ${data?.error?.message ?? 'unknown error'}`, { cause: data?.error });
            this.store.update((s) => ({ ...s, status: 'error', error: failure }));
            reject(failure);
            break;
          }
          case sdk.SyncState.Stopped:
            this.store.update((s) => ({ ...s, status: 'stopped' }));
            break;
        }
      };
      client.on(sdk.ClientEvent.Sync, onSync);
      this.detachSyncListener = () => client.off(sdk.ClientEvent.Sync, onSync);
      const current = client.getSyncState();
      if (current === sdk.SyncState.Prepared || current === sdk.SyncState.Syncing) onSync(current, null);
    });
    if (this.ownsClient) await client.startClient({ initialSyncLimit: 1, lazyLoadMembers: true });
    await online;
    return client;
  }
}

export function createMatrixSession(options: MatrixSessionOptions): MatrixSession {
  return new MatrixSession(options);
}
