// The live visitor accounts, kept in a small JSON file so that a restart after a crash still deactivates the
// accounts the previous run handed out. The file holds user IDs and deadlines only: never an access token.
// Pure apart from the injected file operations, so the browser tests drive it with an in-memory file.

export interface LiveAccount {
  userId: string;
  /** Milliseconds since the epoch at which the account is deactivated. */
  expiresAt: number;
}

export interface StateIo {
  /** The file's text, or undefined when it does not exist yet. */
  read(): Promise<string | undefined>;
  /** Replaces the file's content as a whole (main.ts writes a temporary file and renames it). */
  write(text: string): Promise<void>;
}

const STATE_VERSION = 1;

export interface LoadedState {
  accounts: LiveAccount[];
  /** Why entries were left out, for the log. */
  problems: string[];
}

export function serializeState(accounts: Iterable<LiveAccount>): string {
  const sorted = [...accounts].sort((a, b) => a.expiresAt - b.expiresAt || a.userId.localeCompare(b.userId));
  return `${JSON.stringify({ version: STATE_VERSION, accounts: sorted.map(({ userId, expiresAt }) => ({ userId, expiresAt })) }, null, 2)}\n`;
}

/**
 * Reads a state file leniently: a bad entry is left out with a reason, not fatal, because a refusal to start
 * would leave every account in the file alive.
 */
export function parseState(text: string): LoadedState {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { accounts: [], problems: ['the state file is not JSON; starting with no accounts'] };
  }
  if (typeof json !== 'object' || json === null || !Array.isArray((json as { accounts?: unknown }).accounts)) {
    return { accounts: [], problems: ['the state file has no "accounts" list; starting with no accounts'] };
  }
  const version = (json as { version?: unknown }).version;
  const problems: string[] = version === STATE_VERSION ? [] : [`the state file has version ${JSON.stringify(version)}, expected ${STATE_VERSION}; reading it anyway`];
  const accounts: LiveAccount[] = [];
  const seen = new Set<string>();
  for (const [index, entry] of ((json as { accounts: unknown[] }).accounts).entries()) {
    const userId = typeof entry === 'object' && entry !== null ? (entry as { userId?: unknown }).userId : undefined;
    const expiresAt = typeof entry === 'object' && entry !== null ? (entry as { expiresAt?: unknown }).expiresAt : undefined;
    if (typeof userId !== 'string' || !userId.startsWith('@') || typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) {
      problems.push(`entry ${index} is not {userId, expiresAt}: left out`);
      continue;
    }
    if (seen.has(userId)) continue;
    seen.add(userId);
    accounts.push({ userId, expiresAt });
  }
  return { accounts, problems };
}

/** Serialises writes: the newest set of accounts always lands last, and a failed write does not stop later ones. */
export class StateFile {
  private pending: Promise<void> = Promise.resolve();

  constructor(private readonly io: StateIo) {}

  async load(): Promise<LoadedState> {
    const text = await this.io.read();
    return text === undefined ? { accounts: [], problems: [] } : parseState(text);
  }

  save(accounts: Iterable<LiveAccount>): Promise<void> {
    const text = serializeState(accounts);
    const write = this.pending.catch(() => undefined).then(() => this.io.write(text));
    this.pending = write;
    return write;
  }
}
