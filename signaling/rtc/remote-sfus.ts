// Multi-SFU: members publish on the SFU of their own transport (their homeserver's, usually), so a call can span
// several. We publish on ours only, and subscribe to each member on theirs: one receive-only LiveKit connection
// per other transport, opened while a member uses it and closed when none does. A transport whose token points
// at the very SFU we publish on needs no second connection (a second one with our identity would push the first
// out), so its members are looked for on ours.
import { Room as LivekitRoom, RoomEvent } from 'livekit-client';
import { MxError } from '../errors.js';
import type { Logger } from '../log.js';
import type { SfuToken } from './token-service.js';

/** Waits before opening a connection again after one failed or ended, doubling up to the last. */
const RETRY_DELAYS_MS = [1_000, 2_000, 5_000, 10_000, 30_000] as const;

export interface RemoteSfusDependencies {
  /** A token for the call's LiveKit room on the SFU behind this token service. */
  requestToken(serviceUrl: string): Promise<SfuToken>;
  /** A LiveKit room set up as the call's own (its E2EE included); `dispose` frees what it holds (the worker). */
  createRoom(): { readonly room: LivekitRoom; dispose(): void };
  /** After connecting, before anything is subscribed: media keys, E2EE. */
  prepare(room: LivekitRoom): Promise<void>;
  /** The LiveKit server we publish on, to tell a transport that leads to it. */
  ownLivekitUrl(): string | undefined;
  /** Something in a connection changed (a participant, a track, a state): the call recomputes its members. */
  onChange(): void;
  readonly log: Logger;
  readonly now: () => number;
}

type Connection =
  | { readonly state: 'connecting'; readonly opened: Promise<void> }
  | { readonly state: 'connected'; readonly room: LivekitRoom; readonly dispose: () => void }
  | { readonly state: 'own-sfu' }
  | { readonly state: 'failed'; readonly retryAt: number; readonly failures: number };

export class RemoteSfus {
  private readonly connections = new Map<string, Connection>();
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private disposed = false;

  constructor(private readonly deps: RemoteSfusDependencies) {}

  /** Keeps a connection to each of these token services' SFUs (the members' other than ours), and only those. */
  want(serviceUrls: ReadonlySet<string>): void {
    if (this.disposed) return;
    for (const [serviceUrl, connection] of this.connections) {
      if (serviceUrls.has(serviceUrl)) continue;
      this.connections.delete(serviceUrl);
      if (connection.state === 'connected') this.close(serviceUrl, connection);
    }
    for (const serviceUrl of serviceUrls) {
      const connection = this.connections.get(serviceUrl);
      if (connection && (connection.state !== 'failed' || connection.retryAt > this.deps.now())) continue;
      this.open(serviceUrl, connection?.state === 'failed' ? connection.failures : 0);
    }
  }

  /**
   * The connection a member on `serviceUrl`'s SFU is found in: undefined while it is not open, `own` where the
   * transport leads to the SFU we publish on.
   */
  roomOf(serviceUrl: string): LivekitRoom | 'own' | undefined {
    const connection = this.connections.get(serviceUrl);
    if (connection?.state === 'own-sfu') return 'own';
    return connection?.state === 'connected' ? connection.room : undefined;
  }

  /** Every open connection, with its token service. */
  rooms(): [string, LivekitRoom][] {
    const rooms: [string, LivekitRoom][] = [];
    for (const [serviceUrl, connection] of this.connections) if (connection.state === 'connected') rooms.push([serviceUrl, connection.room]);
    return rooms;
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    clearTimeout(this.retryTimer);
    const closing = [...this.connections].map(([serviceUrl, connection]) => connection.state === 'connected' ? this.close(serviceUrl, connection) : undefined);
    this.connections.clear();
    await Promise.allSettled(closing);
  }

  private open(serviceUrl: string, failures: number): void {
    const opened = this.connect(serviceUrl).then(
      (connection) => {
        if (this.connections.get(serviceUrl) !== entry || this.disposed) {
          if (connection.state === 'connected') void this.close(serviceUrl, connection);
          return;
        }
        this.connections.set(serviceUrl, connection);
        this.deps.onChange();
      },
      (error: unknown) => {
        if (this.connections.get(serviceUrl) !== entry || this.disposed) return;
        this.failed(serviceUrl, failures + 1, error);
      },
    );
    const entry: Connection = { state: 'connecting', opened };
    this.connections.set(serviceUrl, entry);
  }

  private async connect(serviceUrl: string): Promise<Connection> {
    const token = await this.deps.requestToken(serviceUrl);
    if (sameServer(token.url, this.deps.ownLivekitUrl())) {
      this.deps.log.info(`members on ${serviceUrl} publish on our own SFU: no second connection`);
      return { state: 'own-sfu' };
    }
    const { room, dispose } = this.deps.createRoom();
    try {
      await room.connect(token.url, token.jwt, { autoSubscribe: false });
      await this.deps.prepare(room);
    } catch (error) {
      room.removeAllListeners();
      await room.disconnect().catch(() => undefined);
      dispose();
      throw error;
    }
    for (const event of ROOM_CHANGES) room.on(event, this.deps.onChange);
    room.on(RoomEvent.Disconnected, () => {
      const current = this.connections.get(serviceUrl);
      if (current?.state !== 'connected' || current.room !== room || this.disposed) return;
      room.removeAllListeners();
      dispose();
      this.failed(serviceUrl, 1, new MxError('RTC_CONNECTION_LOST', `the connection to ${token.url} ended`));
      this.deps.onChange();
    });
    this.deps.log.info(`subscribing to the members on ${serviceUrl} through ${token.url}`);
    return { state: 'connected', room, dispose };
  }

  private failed(serviceUrl: string, failures: number, error: unknown): void {
    const delay = RETRY_DELAYS_MS[Math.min(failures - 1, RETRY_DELAYS_MS.length - 1)]!;
    this.deps.log.warn(`the SFU of ${serviceUrl} cannot be reached (${MxError.from(error).message}); its members show as connecting, trying again in ${delay / 1000} s`);
    this.connections.set(serviceUrl, { state: 'failed', retryAt: this.deps.now() + delay, failures });
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(this.deps.onChange, delay);
  }

  private async close(serviceUrl: string, connection: Extract<Connection, { state: 'connected' }>): Promise<void> {
    this.deps.log.info(`no member uses ${serviceUrl} any more: leaving its SFU`);
    connection.room.removeAllListeners();
    await connection.room.disconnect().catch(() => undefined);
    connection.dispose();
  }
}

/** Room events that change what the call shows, on any of its connections. */
export const ROOM_CHANGES = [
  RoomEvent.ParticipantConnected,
  RoomEvent.ParticipantDisconnected,
  RoomEvent.TrackPublished,
  RoomEvent.TrackUnpublished,
  RoomEvent.TrackSubscribed,
  RoomEvent.TrackUnsubscribed,
  RoomEvent.TrackMuted,
  RoomEvent.TrackUnmuted,
  RoomEvent.ActiveSpeakersChanged,
  RoomEvent.ConnectionQualityChanged,
  RoomEvent.ParticipantEncryptionStatusChanged,
] as const;

function sameServer(a: string, b: string | undefined): boolean {
  if (b === undefined) return false;
  try {
    const [first, second] = [new URL(a), new URL(b)];
    return first.host === second.host && first.pathname.replace(/\/$/, '') === second.pathname.replace(/\/$/, '');
  } catch {
    return a === b;
  }
}
