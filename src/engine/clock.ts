/** Time is injected so that retry and 120-second rules can be tested without sleeping. */
export interface Clock {
  now(): number;
  setTimeout(fn: () => void, ms: number): { cancel(): void };
  /** how many times faster than real time this clock runs (1 when absent) */
  factor?: number;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const handle = setTimeout(fn, ms);
    handle.unref?.();
    return { cancel: () => clearTimeout(handle) };
  },
};

/**
 * A clock running `factor` times faster than real time (labs compress time). Timers fire after
 * ms/factor real milliseconds; now() advances factor times as fast from its creation.
 */
export function compressedClock(factor: number, base: Clock = systemClock): Clock {
  if (factor === 1) return base;
  const realStart = base.now();
  return {
    now: () => realStart + (base.now() - realStart) * factor,
    setTimeout: (fn, ms) => base.setTimeout(fn, ms / factor),
    factor,
  };
}
