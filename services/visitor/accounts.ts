// The life of visitor accounts: registered on demand, deactivated when the visitor ends the call, when their
// lifetime runs out, or when the service stops. Every live account is in the state file before its
// credentials leave the service, so no crash can leave one behind unnoticed. Network, clock and timers are
// injected: the browser tests run it against a fake homeserver and a hand-driven clock.
import { HomeserverError, type Homeserver, type Registered } from './homeserver.js';
import type { Logger } from '../shared/log.js';
import type { LiveAccount, StateFile } from './state.js';

export interface Timers {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface AccountsOptions {
  homeserver: Homeserver;
  state: StateFile;
  timers: Timers;
  logger: Logger;
  /** The homeserver's server name: visitor IDs are `@<prefix><random>:<serverName>`. */
  serverName: string;
  localpartPrefix: string;
  displayName: string;
  lifetimeMs: number;
  maxAccounts: number;
  /** Random lower-case letters and digits for a new localpart. */
  randomSuffix: () => string;
  /** Wait before trying a deactivation again after the homeserver was unreachable. */
  retryMs?: number;
}

export interface VisitorSession {
  userId: string;
  accessToken: string;
  deviceId: string;
  expiresAt: number;
}

/** No room for another visitor until the earliest live account ends. */
export class AtCapacity extends Error {
  constructor(readonly retryAfterMs: number) {
    super('the service has as many live visitor accounts as it may');
  }
}

const DEFAULT_RETRY_MS = 30_000;

interface Entry {
  account: LiveAccount;
  timer: unknown;
}

export class VisitorAccounts {
  private readonly live = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<boolean>>();
  // Registrations under way count against maxAccounts too, or a burst of visitors would overshoot it.
  private registering = 0;
  private stopped = false;

  constructor(private readonly options: AccountsOptions) {}

  get size(): number {
    return this.live.size;
  }

  /** The accounts the service must still deactivate, earliest deadline first. */
  accounts(): LiveAccount[] {
    return [...this.live.values()].map((entry) => ({ ...entry.account })).sort((a, b) => a.expiresAt - b.expiresAt);
  }

  /** Whether `userId` is in the service's namespace (whether or not this run created it). */
  isVisitor(userId: string): boolean {
    const { localpartPrefix, serverName } = this.options;
    return userId.startsWith(`@${localpartPrefix}`) && userId.endsWith(`:${serverName}`) && !userId.slice(1, -serverName.length - 1).includes(':');
  }

  /** Takes over the accounts of an earlier run: the overdue ones are deactivated now, the others on time. */
  async restore(): Promise<void> {
    const { accounts, problems } = await this.options.state.load();
    for (const problem of problems) this.options.logger.warn(`state file: ${problem}`);
    for (const account of accounts) {
      if (!this.isVisitor(account.userId)) {
        this.options.logger.warn('state file: not a visitor of this service, left alone', { user: account.userId });
        continue;
      }
      this.track(account);
    }
    if (accounts.length > 0) this.options.logger.info(`state file: ${this.live.size} visitor account(s) from an earlier run`);
    await this.persist();
  }

  /** Registers a visitor, names it, records it, and hands out its credentials. */
  async create(): Promise<VisitorSession> {
    if (this.stopped) throw new HomeserverError('unreachable', 'the service is stopping');
    const options = this.options;
    const { homeserver, timers } = options;
    if (this.live.size + this.registering >= options.maxAccounts) {
      const earliest = Math.min(...[...this.live.values()].map((entry) => entry.account.expiresAt), timers.now() + options.lifetimeMs);
      throw new AtCapacity(Math.max(1000, earliest - timers.now()));
    }
    this.registering++;
    let registered: Registered;
    try {
      registered = await homeserver.register(`${options.localpartPrefix}${options.randomSuffix()}`, options.displayName);
    } finally {
      this.registering--;
    }
    const account = { userId: registered.userId, expiresAt: timers.now() + options.lifetimeMs };
    // Tracked before anything else can fail, so a failure below still ends with the account deactivated.
    this.track(account);
    try {
      await this.persist();
      await homeserver.setDisplayName(registered.userId, registered.accessToken, options.displayName);
    } catch (error) {
      options.logger.warn('visitor set-up failed; deactivating it', { user: registered.userId, error: String(error) });
      await this.deactivate(registered.userId, 'set-up failed');
      throw error;
    }
    options.logger.info('visitor account created', { user: registered.userId, expiresAt: new Date(account.expiresAt).toISOString() });
    return { ...registered, expiresAt: account.expiresAt };
  }

  /**
   * Deactivates a visitor now. Resolves true once the homeserver confirmed it (or the account needed nothing),
   * false when it must be tried again later (it then stays tracked, with a retry timer).
   */
  deactivate(userId: string, reason: string): Promise<boolean> {
    const running = this.inFlight.get(userId);
    if (running) return running;
    const attempt = this.runDeactivation(userId, reason).finally(() => this.inFlight.delete(userId));
    this.inFlight.set(userId, attempt);
    return attempt;
  }

  /** Deactivates every live account (the service is stopping); what fails stays in the state file. */
  async stop(): Promise<void> {
    this.stopped = true;
    const userIds = [...this.live.keys()];
    for (const entry of this.live.values()) this.options.timers.clearTimeout(entry.timer);
    await Promise.all(userIds.map((userId) => this.deactivate(userId, 'service stopping')));
    for (const entry of this.live.values()) this.options.timers.clearTimeout(entry.timer);
  }

  private async runDeactivation(userId: string, reason: string): Promise<boolean> {
    const { homeserver, logger } = this.options;
    try {
      await homeserver.deactivate(userId);
      logger.info('visitor account deactivated', { user: userId, reason });
    } catch (error) {
      if (error instanceof HomeserverError && error.kind === 'unreachable') {
        const entry = this.live.get(userId);
        const retryMs = this.options.retryMs ?? DEFAULT_RETRY_MS;
        logger.warn('visitor deactivation failed; will try again', { user: userId, reason, retryInMs: retryMs, error: error.message });
        if (entry && !this.stopped) {
          this.options.timers.clearTimeout(entry.timer);
          entry.timer = this.options.timers.setTimeout(() => void this.deactivate(userId, `${reason}, retried`), retryMs);
        }
        return false;
      }
      // The homeserver refuses for good (the user is gone, or not ours): trying again cannot help.
      logger.error('visitor deactivation refused; forgetting the account', {
        user: userId, reason, error: error instanceof Error ? error.message : String(error),
      });
    }
    const entry = this.live.get(userId);
    if (entry) {
      this.options.timers.clearTimeout(entry.timer);
      this.live.delete(userId);
      // Already logged; the next write carries the change.
      await this.persist().catch(() => undefined);
    }
    return true;
  }

  private track(account: LiveAccount): void {
    const delay = Math.max(0, account.expiresAt - this.options.timers.now());
    const timer = this.options.timers.setTimeout(() => void this.deactivate(account.userId, 'lifetime over'), delay);
    this.live.set(account.userId, { account, timer });
  }

  private async persist(): Promise<void> {
    try {
      await this.options.state.save(this.accounts());
    } catch (error) {
      this.options.logger.error('cannot write the state file', { error: error instanceof Error ? error.message : String(error) });
      throw error;
    }
  }
}
