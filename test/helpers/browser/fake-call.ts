export * from '../../../stories/fakes/fake-call.js';
export { paintedStream } from '../../../stories/fakes/fake-media.js';

export interface FakeClock {
  /** The faked `Date.now()`. */
  readonly now: number;
  /** Moves time forward, running every timer that falls due, in order. */
  tick(ms: number): void;
  /** How many timers are waiting. */
  readonly pending: number;
  restore(): void;
}

interface Timer {
  at: number;
  run: () => void;
  every: number | undefined;
}

/**
 * Replaces `Date.now`, `setTimeout` and `setInterval` (and their clears) until `restore()`, so a test moves time
 * by hand instead of waiting. Mocha keeps its own timer references, so its timeouts still work; do not await
 * anything that waits on a real timer (fixture setup, axe) while the clock is installed.
 */
export function installFakeClock(start = Date.now()): FakeClock {
  const real = {
    now: Date.now,
    setTimeout: globalThis.setTimeout,
    clearTimeout: globalThis.clearTimeout,
    setInterval: globalThis.setInterval,
    clearInterval: globalThis.clearInterval,
  };
  const timers = new Map<number, Timer>();
  let now = start;
  let nextId = 1;

  const add = (run: () => void, ms: number | undefined, every: boolean) => {
    const delay = Math.max(0, ms ?? 0);
    const id = nextId;
    nextId += 1;
    timers.set(id, { at: now + delay, run, every: every ? Math.max(1, delay) : undefined });
    return id;
  };
  const clear = (id: unknown) => {
    timers.delete(id as number);
  };

  Date.now = () => now;
  globalThis.setTimeout = ((fn: () => void, ms?: number) => add(fn, ms, false)) as typeof setTimeout;
  globalThis.setInterval = ((fn: () => void, ms?: number) => add(fn, ms, true)) as typeof setInterval;
  globalThis.clearTimeout = clear as typeof clearTimeout;
  globalThis.clearInterval = clear as typeof clearInterval;

  return {
    get now() {
      return now;
    },
    get pending() {
      return timers.size;
    },
    tick(ms) {
      const target = now + ms;
      for (;;) {
        let dueId: number | undefined;
        let due: Timer | undefined;
        for (const [id, timer] of timers) {
          if (timer.at <= target && (!due || timer.at < due.at)) {
            dueId = id;
            due = timer;
          }
        }
        if (!due || dueId === undefined) break;
        now = due.at;
        if (due.every === undefined) timers.delete(dueId);
        else due.at += due.every;
        due.run();
      }
      now = target;
    },
    restore() {
      Object.assign(globalThis, {
        setTimeout: real.setTimeout,
        clearTimeout: real.clearTimeout,
        setInterval: real.setInterval,
        clearInterval: real.clearInterval,
      });
      Date.now = real.now;
    },
  };
}

/**
 * Records unhandled promise rejections until `stop()`, and marks them handled so they do not fail the whole run;
 * the test asserts on `reasons` instead.
 */
export function captureUnhandledRejections(): { readonly reasons: unknown[]; settle(): Promise<void>; stop(): void } {
  const reasons: unknown[] = [];
  const listener = (event: PromiseRejectionEvent) => {
    reasons.push(event.reason);
    event.preventDefault();
  };
  window.addEventListener('unhandledrejection', listener);
  return {
    reasons,
    // Chromium reports an unhandled rejection in a task after the microtasks that could still handle it.
    settle: () => new Promise((resolve) => setTimeout(resolve, 0)),
    stop: () => window.removeEventListener('unhandledrejection', listener),
  };
}

/**
 * Asserts `actual === expected`, reporting `what` instead of the values: a failure that prints a DOM node, a
 * MediaStream or a call handle can stall the test runner while it serializes them.
 */
export function expectSame(actual: unknown, expected: unknown, what: string): void {
  if (actual !== expected) throw new Error(`expected ${what}`);
}
