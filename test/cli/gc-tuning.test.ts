import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { YOUNG_GENERATION_BYTES } from '../../src/cli/gc-tuning.js';

const TUNING = fileURLToPath(new URL('../../dist/cli/gc-tuning.js', import.meta.url));

/**
 * A process of its own (V8's flags are the whole process's): the tuning, then a server-like load,
 * many short tasks whose objects live a little while. It prints the young generation's size.
 */
const PROBE = `
import { getHeapSpaceStatistics } from 'node:v8';
const { tuneGarbageCollection } = await import(${JSON.stringify(TUNING)});
tuneGarbageCollection();
const young = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
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
  it('lets the young generation grow from its first size to YOUNG_GENERATION_BYTES, and no further', () => {
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', PROBE], { encoding: 'utf8', timeout: 60_000 });
    const { first, last } = JSON.parse(out) as { first: number; last: number };
    expect(first).toBeLessThan(YOUNG_GENERATION_BYTES);
    expect(last).toBe(YOUNG_GENERATION_BYTES);
  });
});
