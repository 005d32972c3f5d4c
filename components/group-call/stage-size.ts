import type { ReactiveController, ReactiveControllerHost } from 'lit';
import type { StageSize } from './group-call-layout.js';

/**
 * The size of one element of the host's shadow tree (the area the tiles are laid out in), and its gap, kept current by a
 * ResizeObserver; the host re-renders only when either changes, so a resize that keeps the same grid costs
 * nothing. Pass `observe` to Lit's `ref()` on the element.
 */
export class StageSizeController implements ReactiveController {
  /** `undefined` until the stage has been laid out once. */
  size: StageSize | undefined;
  gap = 0;

  private element: Element | undefined;
  private observer: ResizeObserver | undefined;

  constructor(private readonly host: ReactiveControllerHost) {
    host.addController(this);
  }

  readonly observe = (element: Element | undefined): void => {
    if (element === this.element) return;
    if (this.element) this.observer?.unobserve(this.element);
    this.element = element;
    if (element) this.observer?.observe(element);
  };

  hostConnected(): void {
    this.observer = new ResizeObserver((entries) => this.measure(entries));
    if (this.element) this.observer.observe(this.element);
  }

  hostDisconnected(): void {
    this.observer?.disconnect();
    this.observer = undefined;
  }

  private measure(entries: readonly ResizeObserverEntry[]): void {
    const entry = entries.at(-1);
    if (!entry || entry.target !== this.element) return;
    const width = Math.round(entry.contentRect.width);
    const height = Math.round(entry.contentRect.height);
    const gap = Math.round(parseFloat(getComputedStyle(entry.target).columnGap) || 0);
    if (this.size?.width === width && this.size.height === height && this.gap === gap) return;
    this.size = { width, height };
    this.gap = gap;
    this.host.requestUpdate();
  }
}
