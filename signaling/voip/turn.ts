// TURN servers from the client (held by it, or asked of the homeserver through it), fetched when a call first
// needs them and refreshed before they expire, so a call that starts an hour later still gets working relays.
import type { Logger } from '../log.js';
import type { VoipPort } from './port.js';

/** Refresh when this share of the lifetime is left (and never later than 5 minutes before expiry). */
const REFRESH_AT_REMAINING = 0.1;
const REFRESH_MARGIN_MS = 5 * 60_000;
/** After a failure, ask again no sooner than this. */
const RETRY_AFTER_MS = 60_000;

export class TurnCredentials {
  private servers: RTCIceServer[] = [];
  private expiresAt = 0;
  private fetching: Promise<RTCIceServer[]> | undefined;
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private lastFailureAt = Number.NEGATIVE_INFINITY;
  private disposed = false;

  constructor(
    private readonly port: Pick<VoipPort, 'turnServers'>,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** The current ICE servers, fetching or refreshing them first when needed. Never rejects. */
  iceServers(): Promise<RTCIceServer[]> {
    if (this.now() < this.expiresAt - REFRESH_MARGIN_MS) return Promise.resolve(this.servers);
    if (this.now() - this.lastFailureAt < RETRY_AFTER_MS) return Promise.resolve(this.servers);
    this.fetching ??= this.fetch().finally(() => { this.fetching = undefined; });
    return this.fetching;
  }

  dispose(): void {
    this.disposed = true;
    if (this.refreshTimer !== undefined) clearTimeout(this.refreshTimer);
  }

  private async fetch(): Promise<RTCIceServer[]> {
    try {
      const turn = await this.port.turnServers();
      if (!turn) {
        this.log.info('the homeserver offers no TURN server; calls use direct connections only');
        this.servers = [];
        this.expiresAt = this.now() + 3600_000;
        return this.servers;
      }
      this.servers = turn.servers.map((server) => ({ ...server }));
      if (turn.expiresAt === undefined) {
        // The client keeps them fresh: the next call reads them again.
        this.expiresAt = 0;
        return this.servers;
      }
      this.expiresAt = turn.expiresAt;
      const lifetimeMs = turn.expiresAt - this.now();
      this.scheduleRefresh(Math.max(lifetimeMs * (1 - REFRESH_AT_REMAINING), lifetimeMs - REFRESH_MARGIN_MS - 1000, 1000));
      return this.servers;
    } catch (error) {
      this.lastFailureAt = this.now();
      this.log.warn(`fetching TURN credentials failed: ${error instanceof Error ? error.message : String(error)}`);
      return this.servers;
    }
  }

  private scheduleRefresh(inMs: number): void {
    if (this.disposed) return;
    if (this.refreshTimer !== undefined) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => {
      this.expiresAt = 0;
      void this.iceServers();
    }, Math.min(inMs, 2 ** 31 - 1));
  }
}
