import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('what a one-shot run loads', () => {
  it('is the bundle alone: the packages left in node_modules load where a command uses them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'segsim-loads-'));
    try {
      // a module preloaded into the real binary's process lists the files required by its exit
      const probe = join(dir, 'probe.cjs');
      writeFileSync(probe, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(join(dir, 'loaded'))}, Object.keys(require.cache).join('\\n')));`);
      const run = (...words: string[]) => {
        execFileSync(process.execPath, ['-r', probe, join(ROOT, 'bin/segsim.cjs'), '--home', join(dir, 'home'), ...words], { stdio: 'ignore' });
        return readFileSync(join(dir, 'loaded'), 'utf8')
          .split('\n')
          .filter((file) => file !== probe);
      };
      expect(run('tdcconfig', '--json')).toEqual([join(ROOT, 'bin/segsim.cjs'), join(ROOT, 'dist/bundle/segsim.cjs')]);
      // a command that needs one loads it: lab reads its scenarios with yaml
      expect(run('lab', 'list').some((file) => file.includes('/node_modules/yaml/'))).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
