// The headless entry point: one signed-in Matrix session, and the features that use it. Each feature loads
// when first used, so a page pays only for what it does: 1:1 calls (the spec's VoIP) load at the first
// placeCall, voip() or onIncomingCall; group calls (MatrixRTC, with livekit-client) load at their first join,
// never for a 1:1 call.
import { MxError } from './errors.js';
import { consoleLogger, type Logger } from './log.js';
import { createMatrixSession, type MatrixCredentials, type MatrixSession } from './matrix/session.js';
import type { MatrixClient } from 'matrix-js-sdk';
import type { CallManager, CallManagerOptions, CallTarget } from './voip/call-manager.js';
import type { CallHandle, CallKind } from './voip/types.js';
import { createMediaDevicesStore, type MediaDevicesStore } from './media/index.js';
import { onDemand } from './on-demand.js';
import type { ReadableStore } from './store/store.js';
import type { GroupCalls, GroupCallsOptions } from './rtc/group-calls.js';
import type { GroupJoinOptions } from './rtc/group-call.js';
import type { GroupCallHandle } from './rtc/group-call.types.js';
import type { GroupRing, GroupRings } from './rtc/rings.js';

/** How long dispose() waits for group calls to leave before it stops the session. */
const LEAVE_GRACE_MS = 10_000;

/** Options of 1:1 calls (`voip`). */
export type VoipOptions = Omit<CallManagerOptions, 'log'>;

export type CallKitOptions = {
  /** Where the kit and its features log what they did and why they dropped something (default: the console). */
  log?: Logger;
  /** 1:1 calls. */
  voip?: VoipOptions;
  /** Group calls (MatrixRTC through LiveKit). */
  group?: GroupCallsOptions;
} & (
  | {
      credentials: MatrixCredentials;
      client?: undefined;
      /** End-to-end encryption for encrypted rooms (default on); see MatrixSessionOptions. */
      encryption?: boolean;
    }
  /** A matrix-js-sdk client your app already runs (its own VoIP handling should be off: `disableVoip: true`). */
  | { client: MatrixClient; credentials?: undefined; encryption?: undefined }
);

/**
 * A call that rings here, by feature: `voip` for a 1:1 invite (`m.call.invite`), `group` for a MatrixRTC call
 * someone started with a ring or notification (MSC4075); join that with `kit.joinGroupCall(ring.roomId)`.
 */
export type IncomingCall =
  | { readonly type: 'voip'; readonly call: CallHandle }
  | { readonly type: 'group'; readonly ring: GroupRing };

export interface CallKit {
  readonly session: MatrixSession;
  /**
   * Cameras, microphones and speakers, with the person's choices remembered. Calls open the chosen camera
   * and microphone, and live calls switch when the choice changes; the speaker is for the elements that
   * play the call (`<mx-call sink-id>`).
   */
  readonly devices: MediaDevicesStore;
  /**
   * The 1:1 call manager (`getSnapshot()` → `{ calls, ringing }`), loaded on the first call of this, of
   * `placeCall` or of `onIncomingCall`; from then on it listens for invites.
   */
  voip(): Promise<CallManager>;
  /** Calls a user (reusing or creating your DM with them) or the other member of a room, 1:1. */
  placeCall(target: CallTarget, kind?: CallKind): Promise<CallHandle>;
  /**
   * Calls `listener` for each call that rings here, those already ringing first; returns the unsubscribe
   * function. Loads the features that ring (1:1 calls); a failure to load them is logged, not thrown.
   */
  onIncomingCall(listener: (incoming: IncomingCall) => void): () => void;
  /**
   * Group calls ringing here (`getSnapshot()` → `{ ringing }`), loaded on the first call of this or of
   * `onIncomingCall`; it loads no LiveKit.
   */
  groupRings(): Promise<GroupRings>;
  /** The group-call feature, loaded (with livekit-client) on the first call of this or of `joinGroupCall`. */
  groupCalls(): Promise<GroupCalls>;
  /**
   * Joins a room's group call (starting it if nobody is in it). The handle is a store of the call; its `joined`
   * rejects with an MxError when the join failed, and nothing of it is left behind then.
   */
  joinGroupCall(roomId: string, options?: GroupJoinOptions): Promise<GroupCallHandle>;
  /**
   * Hangs up every call, leaves every group call, unloads the features and stops the session (when the kit
   * created it; after the group calls have left, or 10 s).
   */
  dispose(): void;
}

/**
 * Signs in (or adopts a client) and starts syncing. matrix-js-sdk loads here, on first use, not when the
 * package is imported; each feature's own code loads when the feature is first used.
 */
export async function createCallKit(options: CallKitOptions): Promise<CallKit> {
  const log = options.log ?? consoleLogger('kit');
  const session = options.client
    ? createMatrixSession({ client: options.client })
    : createMatrixSession({ credentials: options.credentials, encryption: options.encryption ?? true });
  const client = await session.start();
  if (!client.getDeviceId()) throw new MxError('INVALID_CONFIGURATION', 'Calls need a device id (it is the party id of every call).');
  const devices = createMediaDevicesStore();

  const voip = onDemand('1:1 calls', async () => {
    const [{ JsSdkVoipPort }, { CallManager }, { followDeviceChoices }] = await Promise.all([
      import('./voip/js-sdk-port.js'),
      import('./voip/call-manager.js'),
      import('./voip/follow-device-choices.js'),
    ]);
    const port = new JsSdkVoipPort(client);
    const voipOptions = options.voip ?? {};
    const calls = new CallManager(port, {
      ...voipOptions,
      log: options.log ?? consoleLogger('voip'),
      getUserMedia: voipOptions.getUserMedia ?? ((constraints) => devices.getUserMedia(constraints)),
    });
    // With a getUserMedia of the app's own, the store's choices are not what calls open.
    const stopFollowingDevices = voipOptions.getUserMedia ? () => undefined : followDeviceChoices(devices, calls);
    return {
      feature: calls,
      dispose: () => {
        stopFollowingDevices();
        calls.dispose();
        port.dispose();
      },
    };
  });

  const group = onDemand('group calls', async () => {
    const { GroupCalls } = await import('./rtc/group-calls.js');
    const calls = new GroupCalls({
      client,
      getUserMedia: (request) => devices.getUserMedia(request),
      log: options.log ?? consoleLogger('group'),
    }, options.group);
    return { feature: calls, dispose: () => calls.dispose() };
  });

  const rings = onDemand('group-call rings', async () => {
    const { GroupRings } = await import('./rtc/rings.js');
    const watcher = new GroupRings(client, options.log ?? consoleLogger('rings'));
    return { feature: watcher, dispose: () => watcher.dispose() };
  });

  /**
   * Hands `listener` each entry of a store's `ringing` list once, those ringing already first: a feature may load
   * after a call arrived (the 1:1 port catches up on invites), and whether it rings before or after the listener
   * is attached is a matter of milliseconds.
   */
  const deliverRinging = <T>(store: ReadableStore<{ readonly ringing: readonly T[] }>, incoming: (entry: T) => IncomingCall, listener: (incoming: IncomingCall) => void): (() => void) => {
    const seen = new Set<T>();
    const deliver = ({ ringing }: { readonly ringing: readonly T[] }): void => {
      // Only entries still ringing are remembered, so a page open all day holds no call that rang hours ago.
      for (const old of seen) if (!ringing.includes(old)) seen.delete(old);
      for (const entry of ringing) {
        if (seen.has(entry)) continue;
        seen.add(entry);
        try {
          listener(incoming(entry));
        } catch (error) {
          log.error('an incoming-call listener threw', error);
        }
      }
    };
    deliver(store.getSnapshot());
    return store.subscribe(deliver);
  };

  return {
    session,
    devices,
    voip: () => voip.get(),
    placeCall: async (target, kind) => (await voip.get()).placeCall(target, kind),
    groupCalls: () => group.get(),
    joinGroupCall: async (roomId, joinOptions) => (await group.get()).join(roomId, joinOptions),
    groupRings: () => rings.get(),
    onIncomingCall(listener) {
      const stopVoip = voip.whenLoaded(
        (calls) => deliverRinging(calls, (call) => ({ type: 'voip', call }), listener),
        (error) => log.error(`incoming calls cannot ring: ${error.message}`, error),
      );
      const stopGroup = rings.whenLoaded(
        (watcher) => deliverRinging(watcher, (ring) => ({ type: 'group', ring }), listener),
        (error) => log.error(`group calls cannot ring: ${error.message}`, error),
      );
      return () => {
        stopVoip();
        stopGroup();
      };
    },
    dispose() {
      void voip.dispose();
      void rings.dispose();
      devices.dispose();
      // Group calls leave through the homeserver: the session stops once they have (or after LEAVE_GRACE_MS;
      // their delayed leave events end what could not be left).
      void Promise.race([group.dispose(), new Promise((resolve) => setTimeout(resolve, LEAVE_GRACE_MS))]).then(() => session.stop());
    },
  };
}
