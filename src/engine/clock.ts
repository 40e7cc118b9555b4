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

/** How fast the clock runs while it lets real time catch up after a compressed lab. */
export const CATCH_UP_FACTOR = 0.5;

/**
 * The appliance's clock: real time until a lab compresses it. It never goes backwards: changing
 * the speed keeps now() continuous, and when a compressed lab ends ahead of real time (or a
 * restart finds the logs ahead of it) the clock runs at CATCH_UP_FACTOR until real time has
 * caught up, then with real time again.
 */
export class LabClock implements Clock {
  #factor = 1;
  #realAt: number;
  #timeAt: number;
  #last = 0;

  constructor(private readonly base: Clock = systemClock) {
    this.#realAt = base.now();
    this.#timeAt = this.#realAt;
  }

  /** The current speed: the lab's factor, CATCH_UP_FACTOR while catching up, else 1. */
  get factor(): number {
    return this.#factor;
  }

  /** How far ahead of real time the clock is (0 when it runs with real time). */
  get ahead(): number {
    return Math.max(0, this.now() - this.base.now());
  }

  /** Runs `factor` times as fast as real time; 1 means back to real time, catching up first if ahead. */
  setFactor(factor: number): void {
    this.#rebase(factor === 1 && this.now() > this.base.now() ? CATCH_UP_FACTOR : factor);
  }

  /** Moves the clock forward to `time` if it is behind (a restart after a compressed lab). */
  advanceTo(time: number): void {
    if (time <= this.now()) return;
    this.#timeAt = time;
    this.#realAt = this.base.now();
    this.#last = time;
    if (this.#factor === 1) this.#rebase(CATCH_UP_FACTOR);
  }

  now(): number {
    const real = this.base.now();
    let time = this.#timeAt + (real - this.#realAt) * this.#factor;
    if (this.#factor === CATCH_UP_FACTOR && time <= real) {
      // caught up: real time from here on
      this.#factor = 1;
      this.#timeAt = this.#realAt = time = real;
    }
    // never backwards, whatever the system clock does
    this.#last = Math.max(this.#last, time);
    return this.#last;
  }

  setTimeout(fn: () => void, ms: number): { cancel(): void } {
    return this.base.setTimeout(fn, ms / this.#factor);
  }

  #rebase(factor: number): void {
    this.#timeAt = this.now();
    this.#realAt = this.base.now();
    this.#factor = factor;
  }
}
