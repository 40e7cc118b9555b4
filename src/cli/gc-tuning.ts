import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';

/**
 * The young generation (V8's new space, both semi-spaces) a running appliance keeps. V8's default
 * lets it grow to 32 MB under a steady stream of mail; 2 MB (its first size) saved RSS but took 4 x
 * the scavenges and promoted the objects of messages in flight to the old generation, which then
 * needed more full collections: ~20 % more user CPU in the journaling bench (README, Performance).
 */
export const YOUNG_GENERATION_BYTES = 8 * 1024 * 1024;

let tuned = false;

/**
 * Keeps a long-running appliance's heap close to what it really holds. Under a steady stream of
 * mail V8's defaults let the young generation grow to 2 x 16 MB and the old generation fill with
 * promoted garbage to several times the live set before a full collection (measured by npm run
 * bench: ~30 MB live in a 125 MB heap). A smaller growth factor after each full collection roughly
 * halves the old generation; the young generation is held at YOUNG_GENERATION_BYTES.
 * V8 reads the young generation's bounds (--min/--max-semi-space-size) only when it creates the
 * heap, before any of segsim runs, but its growth factor whenever the new space may grow: the
 * factor is 2 while the new space is below the size wanted and 1 once it is there, steered after
 * each collection (should V8 shrink the new space after a quiet spell, it grows back under load).
 * The process that runs an appliance calls this first thing. One-shot commands never call this.
 */
export function tuneGarbageCollection(): void {
  if (tuned) return;
  tuned = true;
  setFlagsFromString('--heap-growing-percent=25');
  let growing: boolean | null = null;
  const steer = () => {
    const grow = youngGenerationBytes() < YOUNG_GENERATION_BYTES;
    if (grow === growing) return;
    growing = grow;
    setFlagsFromString(`--semi-space-growth-factor=${grow ? 2 : 1}`);
  };
  steer();
  new PerformanceObserver(steer).observe({ entryTypes: ['gc'] });
}

function youngGenerationBytes(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}
