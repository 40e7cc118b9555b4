import { readdirSync } from 'node:fs';
import { runBinary } from '../helpers/run-main.js';
import { tempHome } from '../helpers/scripted.js';

describe('processes started at once on a fresh home (the real binary)', () => {
  // before the fix, 4 processes at once on a fresh home crashed one run in about 5 (ENOENT ...
  // config.json.tmp), and of two one-shot commits at once, one was lost in 7 runs of 10
  it('all succeed, agree on the serial number, and every commit is kept (none writes the default, or its own start, over another)', async () => {
    const rounds = 8;
    for (let round = 0; round < rounds; round++) {
      const home = tempHome();
      const segsim = (...args: string[]) => runBinary(['--home', home, ...args]);
      const runs = await Promise.all([
        segsim('tdcconfig', '--json'),
        segsim('version'),
        segsim('sethostname', `esa${round}.example.com`),
        segsim('version'),
        segsim('tdcconfig', '--json'),
        segsim('policyconfig', '--new', 'partners', '--recipient', 'partner.example'),
        segsim('policyconfig', '--new', 'executives', '--recipient', 'ceo@example.com'),
      ]);
      for (const r of runs) expect({ round, code: r.code, stderr: r.stderr }).toEqual({ round, code: 0, stderr: '' });
      const serials = new Set(runs.filter((r) => r.stdout.includes('Serial #')).map((r) => /Serial #: (\S+)/.exec(r.stdout)?.[1]));
      expect(serials.size).toBe(1);
      expect((await segsim('sethostname')).stdout).toBe(`esa${round}.example.com\n`);
      const policies = JSON.parse((await segsim('policyconfig', '--list', '--json')).stdout) as { name: string }[];
      expect(policies.map((p) => p.name).sort()).toEqual(['DEFAULT', 'executives', 'partners']);
      expect(/Serial #: (\S+)/.exec((await segsim('version')).stdout)?.[1]).toBe([...serials][0]);
      // no temporary file or lock is left behind
      expect([...readdirSync(home), ...readdirSync(`${home}/state`)].filter((f) => /\.(tmp|lock)$/.test(f))).toEqual([]);
    }
  }, 120_000);
});
