import * as sdk from 'matrix-js-sdk';

/**
 * Starts a matrix-js-sdk client's sync loop and resolves after its first sync (PREPARED), or rejects if the
 * sync fails. Shared by the e2e harness and the benchmark page, which both drive plain clients.
 */
export async function syncUntilPrepared(client: sdk.MatrixClient): Promise<void> {
  const prepared = new Promise<void>((resolve, reject) => {
    client.on(sdk.ClientEvent.Sync, (state) => {
      if (state === sdk.SyncState.Prepared) resolve();
      if (state === sdk.SyncState.Error) reject(new Error('sync failed'));
    });
  });
  await client.startClient({ initialSyncLimit: 1 });
  await prepared;
}
