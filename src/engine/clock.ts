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

/**
 * The appliance's clock: real time until a lab compresses it. Changing the factor keeps now()
 * continuous; timers set afterwards run at the new speed.
 */
export class LabClock implements Clock {
  #factor = 1;
  #realAt: number;
  #timeAt: number;

  constructor(private readonly base: Clock = systemClock) {
    this.#realAt = base.now();
    this.#timeAt = this.#realAt;
  }

  get factor(): number {
    return this.#factor;
  }

  setFactor(factor: number): void {
    this.#timeAt = this.now();
    this.#realAt = this.base.now();
    this.#factor = factor;
  }

  now(): number {
    return this.#timeAt + (this.base.now() - this.#realAt) * this.#factor;
  }

  setTimeout(fn: () => void, ms: number): { cancel(): void } {
    return this.base.setTimeout(fn, ms / this.#factor);
  }
}
