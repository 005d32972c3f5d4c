// Per-client token buckets with bounded memory: a bucket that has refilled completely is the same as no
// bucket, so it is dropped; when the table is full the least recently used bucket goes first.

export interface RateLimit {
  /** Requests a client may make at once. */
  burst: number;
  /** One request is given back every `refillMs` milliseconds. */
  refillMs: number;
}

export type RateDecision = { ok: true } | { ok: false; retryAfterMs: number };

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class RateLimiter {
  // Map iteration follows insertion order; re-inserting on use keeps the least recently used first.
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    private readonly limit: RateLimit,
    private readonly now: () => number,
    private readonly maxClients = 10_000,
  ) {
    if (!(limit.burst >= 1) || !(limit.refillMs > 0)) throw new Error('a rate limit needs burst >= 1 and refillMs > 0');
  }

  /** Takes one request from `key`'s bucket, or says how long until one is there. */
  take(key: string): RateDecision {
    const now = this.now();
    const bucket = this.refilled(this.buckets.get(key), now);
    this.buckets.delete(key);
    if (bucket.tokens < 1) {
      this.buckets.set(key, bucket);
      return { ok: false, retryAfterMs: Math.ceil((1 - bucket.tokens) * this.limit.refillMs) };
    }
    bucket.tokens -= 1;
    this.makeRoom();
    this.buckets.set(key, bucket);
    return { ok: true };
  }

  /** How many clients have a bucket that is not full. */
  get size(): number {
    return this.buckets.size;
  }

  private refilled(bucket: Bucket | undefined, now: number): Bucket {
    if (bucket === undefined) return { tokens: this.limit.burst, updatedAt: now };
    // A clock that went back gives nothing back, rather than a negative refill.
    const elapsed = Math.max(0, now - bucket.updatedAt);
    return { tokens: Math.min(this.limit.burst, bucket.tokens + elapsed / this.limit.refillMs), updatedAt: now };
  }

  /** Drops the buckets that have refilled completely (main.ts calls it now and then). */
  sweep(): void {
    const now = this.now();
    for (const [key, bucket] of this.buckets) {
      if (this.refilled(bucket, now).tokens >= this.limit.burst) this.buckets.delete(key);
    }
  }

  private makeRoom(): void {
    if (this.buckets.size < this.maxClients) return;
    this.sweep();
    while (this.buckets.size >= this.maxClients) {
      const oldest = this.buckets.keys().next();
      if (oldest.done === true) break;
      this.buckets.delete(oldest.value);
    }
  }
}
