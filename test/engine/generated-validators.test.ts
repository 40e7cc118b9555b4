import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

describe('generated validators', () => {
  it('are what scripts/build-validators.mjs makes of the schemas now (npm run build regenerates them)', () => {
    const root = fileURLToPath(new URL('../..', import.meta.url));
    // exits 1, naming the stale files, when a schema changed and its validator was not regenerated
    expect(() => execFileSync(process.execPath, ['scripts/build-validators.mjs', '--check'], { cwd: root, stdio: 'pipe' })).not.toThrow();
  });
});
