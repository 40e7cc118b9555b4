// Some tests run the built program (bin/segsim.cjs runs dist/bundle/, fixtures import dist/): it is
// rebuilt here first whenever a source is newer than what was built, so that no test runs stale code.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const INPUTS = ['src', 'esbuild.config.mjs', 'tsconfig.json', 'package.json'];
const OUTPUTS = ['dist/bundle/segsim.cjs', 'dist/bundle/terminal-view.js', 'dist/main.js'];

function newest(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newest(join(path, name))));
}

/** Whether dist/ is missing something or older than a source. */
export function distIsStale(): boolean {
  const outputs = OUTPUTS.map((p) => join(root, p));
  if (!outputs.every((p) => existsSync(p))) return true;
  const built = Math.min(...outputs.map((p) => statSync(p).mtimeMs));
  return INPUTS.some((p) => newest(join(root, p)) > built);
}

export default function setup(): void {
  if (!distIsStale()) return;
  // a failed build (a type error) fails the run here, with the compiler's words
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: 'inherit' });
}
