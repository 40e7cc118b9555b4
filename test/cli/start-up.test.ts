import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { commandWord } from '../../src/cli/command-parser.js';
import { COMMAND_LOADERS, loadCommand } from '../../src/commands/command-loaders.js';
import { commandRegistry } from '../../src/commands/registry.js';
import { runMain } from '../helpers/run-main.js';
import { tempHome } from '../helpers/scripted.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

describe('a one-shot run loads the one command it names', () => {
  it('has a loader for every command of the registry but help, which loads that very spec', async () => {
    const named = commandRegistry().filter((spec) => spec.name !== 'help');
    expect(Object.keys(COMMAND_LOADERS).sort()).toEqual(named.map((spec) => spec.name).sort());
    for (const spec of named) expect(await loadCommand(spec.name)).toBe(spec);
    // these take the whole registry: help lists it, an alias or an unknown word is not looked up here
    for (const word of ['help', 'h', 'clearchanges', 'q', 'nosuchcommand', 'toString', undefined]) expect(await loadCommand(word)).toBeNull();
  });

  it('finds the command word after the root options only', () => {
    expect(commandWord(['tdcconfig', '--json'])).toBe('tdcconfig');
    expect(commandWord(['--home', '/h', 'tdcconfig'])).toBe('tdcconfig');
    expect(commandWord(['--home=/h', 'setd', 'start'])).toBe('setd');
    for (const words of [[], ['--home', '/h'], ['--help', 'tdcconfig'], ['-V'], ['--bogus', 'tdcconfig']]) expect(commandWord(words)).toBeUndefined();
  });

  it('runs a command by an alias and lab lines (commands a command runs) as before', async () => {
    const home = tempHome();
    expect(await runMain(['--home', home, 'clearchanges'])).toMatchObject({ code: 0, stderr: '' });
    expect(await runMain(['--home', home, 'nosuchcommand'])).toMatchObject({ code: 2 });
    const labs = await runMain(['--home', home, 'lab', 'list']);
    expect(labs).toMatchObject({ code: 0, stderr: '' });
  });
});

/**
 * The built program copied to a directory of its own (bin/ and dist/bundle/, node_modules linked),
 * so that its code cache is this test's alone.
 */
function builtCopy() {
  const dir = mkdtempSync(join(tmpdir(), 'segsim-startup-'));
  cpSync(join(ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
  cpSync(join(ROOT, 'dist/bundle'), join(dir, 'dist/bundle'), { recursive: true, filter: (src) => !src.endsWith('.v8cache') });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const home = join(dir, 'home');
  const userCache = join(dir, 'user-cache');
  const bundle = join(dir, 'dist/bundle/segsim.cjs');
  const run = (env: Record<string, string> = {}) =>
    execFileSync(process.execPath, [join(dir, 'bin/segsim.cjs'), '--home', home, 'tdcconfig', '--json'], { encoding: 'utf8', env: { ...process.env, XDG_CACHE_HOME: userCache, ...env } });
  return { dir, bundle, beside: `${bundle}.v8cache`, inUserCache: join(userCache, 'segsim', 'segsim.cjs.v8cache'), run };
}

const TDC = JSON.stringify({ enabled: false, intakeAddress: null }, null, 2) + '\n';
const inode = (path: string) => statSync(path).ino;

describe('the code cache of the bundle (bin/code-cache.cjs)', () => {
  let copy: ReturnType<typeof builtCopy>;
  beforeEach(() => {
    copy = builtCopy();
  });
  afterEach(() => rmSync(copy.dir, { recursive: true, force: true }));

  it('is written beside the bundle after the first run, keyed by the build, then used as it is', () => {
    expect(copy.run()).toBe(TDC);
    const build = readFileSync(copy.bundle, 'utf8').split('\n')[0];
    expect(build).toMatch(/^\/\/ segsim build [0-9a-f]{32}$/);
    const written = readFileSync(copy.beside);
    expect(written.toString('latin1').split('\n')[0]).toBe(`segsim-code-cache 1 ${process.version} ${process.arch} ${build}`);
    expect(written.length).toBeGreaterThan(100_000);
    // the configuration's validator, required when a run reads config.json (the first made it), has
    // a cache of its own; no other validator ran
    expect(copy.run()).toBe(TDC);
    const validator = join(copy.dir, 'dist/bundle/validators/schema.generated.cjs.v8cache');
    expect(readdirSync(join(copy.dir, 'dist/bundle/validators')).filter((f) => f.endsWith('.v8cache'))).toEqual(['schema.generated.cjs.v8cache']);
    const first = [inode(copy.beside), inode(validator)];
    expect(copy.run()).toBe(TDC);
    expect([inode(copy.beside), inode(validator)]).toEqual(first); // accepted: not written again
  });

  it('holds chalk apart, loaded (and cached) by a run that writes in colour only', () => {
    const chalk = join(copy.dir, 'dist/bundle/chalk.cjs.v8cache');
    expect(copy.run({ FORCE_COLOR: '0' })).toBe(TDC);
    expect(existsSync(chalk)).toBe(false);
    expect(copy.run({ FORCE_COLOR: '1' })).toBe(TDC);
    expect(existsSync(chalk)).toBe(true);
  });

  it('is written again when V8 rejects it or another build made it', () => {
    copy.run();
    const [key] = readFileSync(copy.beside, 'latin1').split('\n');
    writeFileSync(copy.beside, `${key}\n${'not a code cache '.repeat(1000)}`);
    expect(copy.run()).toBe(TDC);
    expect(readFileSync(copy.beside, 'latin1')).not.toContain('not a code cache');

    writeFileSync(copy.beside, readFileSync(copy.beside, 'latin1').replace(/segsim build \w+/, 'segsim build 0000'), 'latin1');
    const stale = inode(copy.beside);
    expect(copy.run()).toBe(TDC);
    expect(readFileSync(copy.beside, 'latin1').split('\n')[0]).toBe(key);
    expect(inode(copy.beside)).not.toBe(stale);
  });

  it('goes to the user cache directory where the bundle is read-only, and runs without one where none is writable', () => {
    // a directory in the cache file's place: as root, no permission bit stops a write
    mkdirSync(copy.beside);
    expect(copy.run()).toBe(TDC);
    const first = inode(copy.inUserCache);
    expect(copy.run()).toBe(TDC);
    expect(inode(copy.inUserCache)).toBe(first);

    rmSync(join(copy.dir, 'user-cache'), { recursive: true });
    writeFileSync(join(copy.dir, 'user-cache'), 'a file where the cache directory would be');
    expect(copy.run()).toBe(TDC);
    expect(statSync(copy.beside).isDirectory()).toBe(true);
  });

  it('is not taken for a bundle of another content, whatever its size and mtime', () => {
    copy.run();
    const { mtime } = statSync(copy.bundle);
    const source = readFileSync(copy.bundle, 'utf8');
    // another build of the same length and mtime (--json indents by 3): V8 itself checks only the
    // length of the source, so a cache taken for it would run the old functions
    const other = source.replace(/segsim build (\w)/, (_, c: string) => `segsim build ${c === 'a' ? 'b' : 'a'}`).replace('print(JSON.stringify(output.data, null, 2))', 'print(JSON.stringify(output.data, null, 3))');
    expect(other.length).toBe(source.length);
    writeFileSync(copy.bundle, other);
    utimesSync(copy.bundle, mtime, mtime);
    expect(copy.run()).toBe(JSON.stringify(JSON.parse(TDC), null, 3) + '\n');
  });
});

describe('what a one-shot run loads', () => {
  it('loads none of the Node modules that bin/segsim.cjs defers, where the command does not use them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'segsim-loads-'));
    try {
      // a module preloaded into the real binary's process lists Node's modules loaded by its exit
      const probe = join(dir, 'probe.cjs');
      writeFileSync(probe, `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(join(dir, 'loaded'))}, process.moduleLoadList.join('\\n')));`);
      const run = (...words: string[]) => {
        execFileSync(process.execPath, ['-r', probe, join(ROOT, 'bin/segsim.cjs'), '--home', join(dir, 'home'), ...words], { stdio: 'ignore' });
        return readFileSync(join(dir, 'loaded'), 'utf8').split('\n');
      };
      const deferred = ['child_process', 'crypto', 'fs/promises', 'perf_hooks', 'readline', 'tls', 'v8'].map((m) => `NativeModule ${m}`);
      expect(run('tdcconfig', '--json').filter((m) => deferred.includes(m))).toEqual([]);
      // a command that uses one loads it: setd's intake TLS settings are made from node:tls
      expect(run('setd', 'accounts', '--json')).toContain('NativeModule tls');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the bundle', () => {
  it('is ASCII, which V8 holds as one byte a character, and names its build on its first line', () => {
    const bytes = readFileSync(join(ROOT, 'dist/bundle/segsim.cjs'));
    expect(bytes.findIndex((b) => b > 0x7f)).toBe(-1);
    expect(bytes.subarray(0, 100).toString().split('\n')[0]).toMatch(/^\/\/ segsim build [0-9a-f]{32}$/);
  });
});
