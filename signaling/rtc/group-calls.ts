// The group-call feature of a kit: finds the SFU once per session and joins rooms' calls, one call per room.
import type { MatrixClient } from 'matrix-js-sdk';
import { MxError } from '../errors.js';
import type { Logger } from '../log.js';
import type { UserMediaRequest } from '../media/user-media.js';
import { GroupCall, type GroupJoinOptions } from './group-call.js';
import type { GroupCallHandle } from './group-call.types.js';
import type { MembershipForm } from './token-service.js';
import { clientTransportSources, discoverTransports, type LivekitTransport } from './transports.js';

export interface GroupCallsOptions {
  /**
   * Token services of LiveKit SFUs (lk-jwt-service's contract) to use when the homeserver publishes none, in
   * order of preference.
   */
  readonly livekitServiceUrls?: readonly string[];
  /**
   * Starts LiveKit's E2EE worker (`livekit-client/e2ee-worker`) for calls in encrypted rooms. By default the kit
   * starts the copy it ships beside its group-call code; a bundler that moves that code elsewhere needs this, e.g.
   * with Vite: `() => new Worker(new URL('livekit-client/e2ee-worker', import.meta.url), { type: 'module' })`.
   */
  readonly createE2eeWorker?: () => Worker;
  /**
   * Publish our membership as the MSC4354 sticky event (`org.matrix.msc4143.rtc.member`) where the homeserver
   * advertises `org.matrix.msc4354`. Off by default: Element Call's default is the state event, which every
   * MatrixRTC client reads. Memberships of either form are understood whatever this says.
   */
  readonly stickyMembership?: boolean;
}

/** The unstable feature a homeserver advertises when it serves sticky events. */
const STICKY_EVENTS_FEATURE = 'org.matrix.msc4354';

export interface GroupCallsDependencies {
  readonly client: MatrixClient;
  getUserMedia(request: UserMediaRequest): Promise<MediaStream>;
  readonly log: Logger;
}

export class GroupCalls {
  private readonly calls = new Map<string, GroupCall>();
  private discovery: Promise<readonly LivekitTransport[]> | undefined;
  private disposed = false;

  constructor(private readonly deps: GroupCallsDependencies, private readonly options: GroupCallsOptions = {}) {}

  /**
   * Joins the group call of a room we are a member of (starting it when nobody is in it yet). Joining a room whose
   * call is already joined here gives that call. The handle's `joined` settles when the join did.
   */
  join(roomId: string, options?: GroupJoinOptions): GroupCallHandle {
    if (this.disposed) throw new MxError('INVALID_STATE', 'The call kit was disposed: group calls are no longer available.');
    const current = this.calls.get(roomId);
    if (current && !['left', 'failed'].includes(current.getSnapshot().phase)) return current;
    const room = this.deps.client.getRoom(roomId);
    if (!room || room.getMyMembership() !== 'join') {
      throw new MxError('INVALID_STATE', `Cannot join the call in ${roomId}: this account is not a member of that room.`);
    }
    const call = new GroupCall({
      client: this.deps.client,
      room,
      transports: () => this.transports(),
      getUserMedia: (request) => this.deps.getUserMedia(request),
      createE2eeWorker: this.options.createE2eeWorker ?? shippedE2eeWorker,
      membershipForm: () => this.membershipForm(),
      log: this.deps.log,
    }, options);
    this.calls.set(roomId, call);
    return call;
  }

  /** The call joined (or being joined) in a room, if any. */
  callIn(roomId: string): GroupCallHandle | undefined {
    return this.calls.get(roomId);
  }

  /** Leaves every call; resolves once our memberships are gone. */
  async dispose(): Promise<void> {
    this.disposed = true;
    await Promise.allSettled([...this.calls.values()].map((call) => call.leave()));
    this.calls.clear();
  }

  private async membershipForm(): Promise<MembershipForm> {
    if (!this.options.stickyMembership) return 'state-event';
    const served = await this.deps.client.doesServerSupportUnstableFeature(STICKY_EVENTS_FEATURE).catch(() => false);
    if (!served) this.deps.log.info(`the homeserver does not advertise ${STICKY_EVENTS_FEATURE}: the membership is a state event`);
    return served ? 'sticky' : 'state-event';
  }

  /** Discovered once per session; a failed discovery is tried again at the next join. */
  private transports(): Promise<readonly LivekitTransport[]> {
    if (!this.discovery) {
      const attempt = discoverTransports(clientTransportSources(this.deps.client), this.options.livekitServiceUrls ?? [], this.deps.log);
      this.discovery = attempt;
      attempt.catch(() => { if (this.discovery === attempt) this.discovery = undefined; });
    }
    return this.discovery;
  }
}

/** The worker file the builds put beside this module (scripts/e2ee-worker.mjs copies it from livekit-client). */
function shippedE2eeWorker(): Worker {
  return new Worker(new URL('./e2ee-worker.js', import.meta.url), { type: 'module', name: 'matrix-call-kit E2EE' });
}
