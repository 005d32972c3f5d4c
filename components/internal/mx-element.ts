import { LitElement } from 'lit';

/**
 * Base class of every kit element: a LitElement with ElementInternals attached, so subclasses can expose
 * custom states to `:host(:state(name))` and page `mx-tag:state(name)` selectors.
 */
export class MxElement extends LitElement {
  /** @internal */
  protected readonly internals: ElementInternals = this.attachInternals();

  /** @internal Adds (`active`) or removes a custom state. */
  protected readonly customStates = {
    set: (state: string, active: boolean): void => {
      // Safari before 17.4 has no CustomStateSet; states only refine styling, so the element works without them.
      const states = (this.internals as Partial<ElementInternals>).states;
      if (!states) return;
      if (active) states.add(state);
      else states.delete(state);
    },
  };
}
