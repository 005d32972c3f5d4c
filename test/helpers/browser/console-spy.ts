type ConsoleMethod = 'warn' | 'error';

export interface ConsoleSpy {
  /** The argument lists of every call made since the spy was installed. */
  readonly calls: unknown[][];
  restore(): void;
}

const sink: Pick<Console, ConsoleMethod> = console;

/** Replaces `console[method]` with a recorder, so expected warnings are asserted instead of printed. */
export function spyOnConsole(method: ConsoleMethod): ConsoleSpy {
  const original = sink[method];
  const calls: unknown[][] = [];
  sink[method] = (...args: unknown[]) => {
    calls.push(args);
  };
  return {
    calls,
    restore: () => {
      sink[method] = original;
    },
  };
}
