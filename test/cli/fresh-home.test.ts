import { readdirSync } from 'node:fs';
import { runBinary } from '../helpers/run-main.js';
import { tempHome } from '../helpers/scripted.js';

describe('processes started at once on a fresh home (the real binary)', () => {
  // before the fix, 4 processes at once on a fresh home crashed one run in about 5 (ENOENT ... config.json.tmp)
  it('all succeed, agree on the serial number, and none writes the default over a commit', async () => {
    const rounds = 12;
    for (let round = 0; round < rounds; round++) {
      const home = tempHome();
      const segsim = (...args: string[]) => runBinary(['--home', home, ...args]);
      const runs = await Promise.all([
        segsim('tdcconfig', '--json'),
        segsim('version'),
        segsim('sethostname', `esa${round}.example.com`),
        segsim('version'),
        segsim('tdcconfig', '--json'),
      ]);
      for (const r of runs) expect({ round, code: r.code, stderr: r.stderr }).toEqual({ round, code: 0, stderr: '' });
      const serials = new Set(runs.filter((r) => r.stdout.includes('Serial #')).map((r) => /Serial #: (\S+)/.exec(r.stdout)?.[1]));
      expect(serials.size).toBe(1);
      expect((await segsim('sethostname')).stdout).toBe(`esa${round}.example.com\n`);
      expect(/Serial #: (\S+)/.exec((await segsim('version')).stdout)?.[1]).toBe([...serials][0]);
      // no temporary file is left behind
      expect([...readdirSync(home), ...readdirSync(`${home}/state`)].filter((f) => f.endsWith('.tmp'))).toEqual([]);
    }
  }, 120_000);
});
