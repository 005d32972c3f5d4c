import { expect } from '@open-wc/testing';
import { RateLimiter } from '../../../services/visitor/rate-limit.js';

function clock(start = 1_000_000): { now: () => number; advance: (ms: number) => void } {
  let now = start;
  return { now: () => now, advance: (ms) => { now += ms; } };
}

describe('visitor rate limiter', () => {
  it('lets a burst through, then refuses with the time until the next request', () => {
    const time = clock();
    const limiter = new RateLimiter({ burst: 3, refillMs: 60_000 }, time.now);
    expect([limiter.take('a'), limiter.take('a'), limiter.take('a')].every((d) => d.ok)).to.equal(true);
    expect(limiter.take('a')).to.deep.equal({ ok: false, retryAfterMs: 60_000 });
    time.advance(45_000);
    expect(limiter.take('a')).to.deep.equal({ ok: false, retryAfterMs: 15_000 });
  });

  it('gives one request back per refill period, never more than the burst', () => {
    const time = clock();
    const limiter = new RateLimiter({ burst: 2, refillMs: 1000 }, time.now);
    limiter.take('a');
    limiter.take('a');
    time.advance(1000);
    expect(limiter.take('a').ok).to.equal(true);
    expect(limiter.take('a').ok).to.equal(false);
    time.advance(60_000);
    expect(limiter.take('a').ok).to.equal(true);
    expect(limiter.take('a').ok).to.equal(true);
    expect(limiter.take('a').ok).to.equal(false);
  });

  it('keeps clients apart', () => {
    const limiter = new RateLimiter({ burst: 1, refillMs: 1000 }, clock().now);
    expect(limiter.take('a').ok).to.equal(true);
    expect(limiter.take('a').ok).to.equal(false);
    expect(limiter.take('b').ok).to.equal(true);
  });

  it('refused requests do not push the wait further out', () => {
    const time = clock();
    const limiter = new RateLimiter({ burst: 1, refillMs: 1000 }, time.now);
    limiter.take('a');
    for (let i = 0; i < 10; i++) limiter.take('a');
    time.advance(1000);
    expect(limiter.take('a').ok).to.equal(true);
  });

  it('a clock that goes back gives nothing back', () => {
    const time = clock();
    const limiter = new RateLimiter({ burst: 1, refillMs: 1000 }, time.now);
    limiter.take('a');
    time.advance(-5000);
    expect(limiter.take('a').ok).to.equal(false);
  });

  it('sweep drops buckets that refilled, and keeps the others', () => {
    const time = clock();
    const limiter = new RateLimiter({ burst: 2, refillMs: 1000 }, time.now);
    limiter.take('a');
    time.advance(500);
    limiter.take('b');
    time.advance(600);
    limiter.sweep();
    expect(limiter.size).to.equal(1);
    time.advance(1000);
    limiter.sweep();
    expect(limiter.size).to.equal(0);
  });

  it('never holds more than maxClients buckets, dropping the least recently used first', () => {
    const time = clock();
    const limiter = new RateLimiter({ burst: 1, refillMs: 60_000 }, time.now, 3);
    for (const key of ['a', 'b', 'c']) limiter.take(key);
    limiter.take('a'); // refused, but now the most recently used
    limiter.take('d');
    expect(limiter.size).to.equal(3);
    expect(limiter.take('a').ok, 'a was kept').to.equal(false);
    expect(limiter.take('b').ok, 'b was dropped').to.equal(true);
  });

  it('refuses a limit that could never let a request through', () => {
    expect(() => new RateLimiter({ burst: 0, refillMs: 1000 }, clock().now)).to.throw();
    expect(() => new RateLimiter({ burst: 1, refillMs: 0 }, clock().now)).to.throw();
  });
});
