import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { SEMI_SPACE_BYTES } from '../../src/cli/gc-tuning.js';

const TUNING = fileURLToPath(new URL('../../dist/cli/gc-tuning.js', import.meta.url));

/**
 * A process of its own (V8's flags are the whole process's): the tuning, then a server-like load,
 * many short tasks whose objects live a little while. It prints what one semi-space holds.
 */
const PROBE = `
import { getHeapSpaceStatistics } from 'node:v8';
const { tuneGarbageCollection } = await import(${JSON.stringify(TUNING)});
tuneGarbageCollection();
const young = () => { const s = getHeapSpaceStatistics().find((s) => s.space_name === 'new_space'); return s.space_used_size + s.space_available_size; };
const first = young();
let kept = [];
for (let task = 0; task < 3000; task++) {
  for (let i = 0; i < 500; i++) kept.push({ task, i, text: 'line ' + i });
  if (kept.length > 40000) kept = [];
  await new Promise((resolve) => setImmediate(resolve));
}
console.log(JSON.stringify({ first, last: young() }));
`;

describe('the collector tuning of a running appliance', () => {
  it('lets the young generation grow from its first size to semi-spaces of SEMI_SPACE_BYTES, and no further', () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', PROBE], { encoding: 'utf8', timeout: 60_000 });
    const { first, last } = JSON.parse(out) as { first: number; last: number };
    expect(first).toBeLessThan(SEMI_SPACE_BYTES / 2);
    // a semi-space's capacity is its pages less their headers: within 3 % of the size, never the next doubling
    expect(last).toBeGreaterThan(SEMI_SPACE_BYTES * 0.97);
    expect(last).toBeLessThanOrEqual(SEMI_SPACE_BYTES);
  });
});
