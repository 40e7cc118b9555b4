import { CATCH_UP_FACTOR, LabClock, type Clock } from '../../src/engine/clock.js';

/** A base clock the test moves by hand. */
function manual(start = 1_000_000): Clock & { advance(ms: number): void; set(ms: number): void } {
  let t = start;
  return {
    now: () => t,
    setTimeout: () => ({ cancel: () => undefined }),
    advance: (ms) => void (t += ms),
    set: (ms) => void (t = ms),
  };
}

describe('the appliance clock', () => {
  it('compresses time for a lab, then runs slower until real time catches up, never going backwards', () => {
    const real = manual();
    const clock = new LabClock(real);
    clock.setFactor(20);
    real.advance(60_000); // a minute of a x20 lab: twenty minutes on the appliance
    expect(clock.now() - real.now()).toBe(19 * 60_000);
    clock.setFactor(1); // the lab ends
    expect(clock.factor).toBe(CATCH_UP_FACTOR);
    const samples: number[] = [];
    for (let i = 0; i < 50; i++) {
      real.advance(60_000);
      samples.push(clock.now());
    }
    expect(samples).toEqual([...samples].sort((a, b) => a - b));
    // 19 minutes ahead at half speed: caught up after 38 real minutes, real time from then on
    expect(clock.factor).toBe(1);
    expect(clock.now()).toBe(real.now());
    expect(clock.ahead).toBe(0);
  });

  it('moves forward to a later time found at start (the logs of a compressed run) and catches up from there', () => {
    const real = manual();
    const clock = new LabClock(real);
    clock.advanceTo(real.now() + 10_000);
    expect(clock.now()).toBe(real.now() + 10_000);
    clock.advanceTo(real.now()); // never back
    expect(clock.now()).toBe(real.now() + 10_000);
    real.advance(20_000);
    expect(clock.now()).toBe(real.now());
  });

  it('does not follow the system clock backwards', () => {
    const real = manual();
    const clock = new LabClock(real);
    const before = clock.now();
    real.set(before - 5_000);
    expect(clock.now()).toBe(before);
  });
});
