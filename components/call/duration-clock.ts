import type { ReactiveController, ReactiveControllerHost } from 'lit';

/**
 * Re-renders its host at every whole second counted from a start time, so a `mm:ss` display never skips or
 * repeats a second the way a free-running one-second interval drifts into doing. Holds no timer while stopped
 * or while the host is disconnected.
 */
export class DurationClock implements ReactiveController {
  private since: number | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private connected = false;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  /** Ticks from `since` (epoch ms); `undefined` stops the clock. */
  run(since: number | undefined): void {
    if (since === this.since) return;
    this.since = since;
    this.sync();
  }

  hostConnected(): void {
    this.connected = true;
    this.sync();
  }

  hostDisconnected(): void {
    this.connected = false;
    this.sync();
  }

  private sync(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.connected && this.since !== undefined) this.schedule(this.since);
  }

  private schedule(since: number): void {
    const intoSecond = (((Date.now() - since) % 1000) + 1000) % 1000;
    this.timer = setTimeout(() => {
      this.host.requestUpdate();
      this.schedule(since);
    }, 1000 - intoSecond);
  }
}
