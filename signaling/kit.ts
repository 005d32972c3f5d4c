// The headless entry point for 1:1 calls: a signed-in Matrix session plus its call manager.
import { MxError } from './errors.js';
import { createMatrixSession, type MatrixCredentials, type MatrixSession } from './matrix/session.js';
import type { MatrixClient } from 'matrix-js-sdk';
import type { CallManager, CallManagerOptions, CallTarget } from './voip/call-manager.js';
import type { CallHandle, CallKind } from './voip/types.js';
import { createMediaDevicesStore, type MediaDevicesStore } from './media/index.js';

export type CallKitOptions = CallManagerOptions & (
  | {
      credentials: MatrixCredentials;
      client?: undefined;
      /** End-to-end encryption for encrypted rooms (default on); see MatrixSessionOptions. */
      encryption?: boolean;
    }
  /** A matrix-js-sdk client your app already runs (its own VoIP handling should be off: `disableVoip: true`). */
  | { client: MatrixClient; credentials?: undefined; encryption?: undefined }
);

export interface CallKit {
  readonly session: MatrixSession;
  /**
   * Cameras, microphones and speakers, with the person's choices remembered. Calls open the chosen camera
   * and microphone, and live calls switch when the choice changes; the speaker is for the elements that
   * play the call (`<mx-call sink-id>`).
   */
  readonly devices: MediaDevicesStore;
  readonly calls: CallManager;
  /** Calls a user (reusing or creating your DM with them) or the other member of a room. */
  placeCall(target: CallTarget, kind?: CallKind): Promise<CallHandle>;
  /** Calls `listener` for each call that starts ringing here; returns the unsubscribe function. */
  onIncomingCall(listener: (call: CallHandle) => void): () => void;
  /** Hangs up every call and stops the session (when the kit created it). */
  dispose(): void;
}

/**
 * Signs in (or adopts a client), starts syncing and starts listening for calls. matrix-js-sdk and the call
 * machinery load here, on first use, not when the package is imported.
 */
export async function createCallKit(options: CallKitOptions): Promise<CallKit> {
  const session = options.client
    ? createMatrixSession({ client: options.client })
    : createMatrixSession({ credentials: options.credentials, encryption: options.encryption ?? true });
  const [client, { JsSdkVoipPort }, { CallManager }, { followDeviceChoices }] = await Promise.all([
    session.start(),
    import('./voip/js-sdk-port.js'),
    import('./voip/call-manager.js'),
    import('./voip/follow-device-choices.js'),
  ]);
  if (!client.getDeviceId()) throw new MxError('INVALID_CONFIGURATION', 'Calls need a device id (it is the party id of every call).');
  const port = new JsSdkVoipPort(client);
  const devices = createMediaDevicesStore();
  const calls = new CallManager(port, {
    ...options,
    getUserMedia: options.getUserMedia ?? ((constraints) => devices.getUserMedia(constraints)),
  });
  // With a getUserMedia of the app's own, the store's choices are not what calls open.
  const stopFollowingDevices = options.getUserMedia ? () => undefined : followDeviceChoices(devices, calls);
  return {
    session,
    devices,
    calls,
    placeCall: (target, kind) => calls.placeCall(target, kind),
    onIncomingCall(listener) {
      const seen = new Set<CallHandle>(calls.getSnapshot().ringing);
      return calls.subscribe(({ ringing }) => {
        // Only calls still ringing are remembered, so a page open all day holds no call that rang hours ago.
        for (const old of seen) if (!ringing.includes(old)) seen.delete(old);
        for (const call of ringing) {
          if (seen.has(call)) continue;
          seen.add(call);
          try {
            listener(call);
          } catch (error) {
            console.error('matrix-call-kit: an incoming-call listener threw', error);
          }
        }
      });
    },
    dispose() {
      stopFollowingDevices();
      calls.dispose();
      devices.dispose();
      port.dispose();
      session.stop();
    },
  };
}
