import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/**
 * The young generation a busy appliance works with: two semi-spaces of 8 MB. An object that lives
 * through two scavenges is promoted to the old generation, and a message's objects live as long as
 * the message is in flight (~100 ms at the bench's load). With V8's first size (1 MB) the relay
 * scavenged every ~10 ms and promoted what the message still held. Measured by npm run bench's
 * relay (8,000 messages, 2026-12-02): 870 scavenges at 1 MB, 424 at 2 MB, 205 at 4 MB, 97 at 8 MB;
 * the main thread's collector pauses 70 -> 34 µs per message; peak RSS ~15 MB higher.
 */
export const SEMI_SPACE_BYTES = 8 * 1024 * 1024;
/** V8's own factor: each growth doubles the young generation. */
const GROWTH_FACTOR = 2;

let tuned = false;

/**
 * Keeps a long-running appliance's heap close to what it really holds, with room for the mail in
 * flight. Under a steady stream of mail V8's defaults let the young generation grow to 2 x 16 MB
 * and the old generation fill with promoted garbage to several times the live set before a full
 * collection (measured by npm run bench: ~30 MB live in a 125 MB heap). A smaller growth factor
 * after each full collection keeps the old generation tight. The young generation grows as V8
 * grows it while traffic needs it, and is held once its semi-spaces reach SEMI_SPACE_BYTES: its bounds
 * are fixed when the process starts, but its growth factor is read at each growth, so it is set
 * to 1 while the young generation is at its size and back to V8's when V8 has shrunk it (an idle
 * appliance gives that memory back). Both flags take effect when set after start.
 * One-shot commands never call this.
 */
export function tuneGarbageCollection(): void {
  if (tuned) return;
  tuned = true;
  setFlagsFromString('--heap-growing-percent=25');
  let held = false;
  const hold = (yes: boolean) => {
    if (yes === held) return;
    held = yes;
    setFlagsFromString(`--semi-space-growth-factor=${yes ? 1 : GROWTH_FACTOR}`);
  };
  // a scavenge is what grows or shrinks the young generation; the check runs after each GC
  // (each growth doubles it: three quarters tells 8 MB from 4 whatever the pages' headers take)
  new PerformanceObserver(() => hold(semiSpaceBytes() >= (SEMI_SPACE_BYTES * 3) / 4)).observe({ entryTypes: ['gc'] });
}

/** What one semi-space holds: new_space's space_size also counts the other one once it is committed. */
function semiSpaceBytes(): number {
  const space = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  return space ? space.space_used_size + space.space_available_size : 0;
}
