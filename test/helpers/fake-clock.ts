// A Clock whose time moves only when a test says, for code that takes one (signaling/voip/send-queue.ts).
import type { Clock } from '../../signaling/voip/send-queue.js';

export class FakeClock implements Clock {
  private time: number;
  private nextHandle = 1;
  private readonly timers = new Map<number, { readonly at: number; readonly callback: () => void }>();

  /**
   * `firesEarlyMs`: each timer fires this much before the time it asked for, as real ones can (Node's timers run
   * on a monotonic clock and round, `Date.now()` is the wall clock).
   */
  constructor(start = 1_000_000, private readonly firesEarlyMs = 0) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const handle = this.nextHandle++;
    // Never sooner than a millisecond away, as with real timers, so a timer set again makes time move on.
    this.timers.set(handle, { at: this.time + Math.max(Math.min(ms, 1), ms - this.firesEarlyMs), callback });
    return handle;
  }

  clearTimeout(handle: unknown): void {
    this.timers.delete(handle as number);
  }

  /** How far ahead each pending timer is, soonest first. */
  get pending(): number[] {
    return [...this.timers.values()].map((timer) => timer.at - this.time).sort((a, b) => a - b);
  }

  /**
   * Moves time on by `ms`, firing each timer that falls due on the way at its own time, in order, and letting
   * the promise jobs it starts run (`settle`) before the next.
   */
  async advance(ms: number, settle: () => Promise<void>): Promise<void> {
    const end = this.time + ms;
    for (;;) {
      const due = [...this.timers.entries()].filter(([, timer]) => timer.at <= end).sort(([, a], [, b]) => a.at - b.at)[0];
      if (!due) break;
      const [handle, timer] = due;
      this.timers.delete(handle);
      this.time = Math.max(this.time, timer.at);
      timer.callback();
      await settle();
    }
    this.time = end;
  }
}
