import { stripVTControlCharacters } from 'node:util';
import { waitFor } from './engine.js';
import { stopAfterFile } from './cleanup.js';
import { BIN } from './run-main.js';

/** The environment of a terminal: no CI markers (the shell must see a terminal), no colour. */
export function terminalEnv(): Record<string, string> {
  const env = Object.entries(process.env).filter(([k, v]) => v !== undefined && !['CI', 'CONTINUOUS_INTEGRATION'].includes(k));
  return { ...Object.fromEntries(env as [string, string][]), FORCE_COLOR: '0', TERM: 'xterm-256color' };
}

type Pty = typeof import('@lydell/node-pty');

/**
 * node-pty as a package with prebuilt binaries (no compiler at install), or why it did not load.
 * A machine without it skips the terminal tests with that reason; CI must run them, so there its
 * absence fails the run.
 */
async function loadPty(): Promise<{ pty: Pty; problem: null } | { pty: null; problem: string }> {
  try {
    return { pty: await import('@lydell/node-pty'), problem: null };
  } catch (e) {
    if (process.env.CI) throw e;
    return { pty: null, problem: `no pseudo-terminal: @lydell/node-pty did not load (${(e as Error).message})` };
  }
}

const loaded = await loadPty();

/** Why the terminal tests cannot run here, or null when they can (use with `describe.skipIf`). */
export const ptyProblem = loaded.problem;

/**
 * The real binary in a real pseudo-terminal: type into it, wait for text on its screen. `env`
 * changes the terminal's environment (a value of undefined removes the variable).
 */
export async function openTerminal(args: string[], env: Record<string, string | undefined> = {}, size: { rows?: number; cols?: number } = {}) {
  return openProgram(process.execPath, [BIN, ...args], env, size);
}

/** Any program in a real pseudo-terminal (OpenSSH's ssh, for one), as openTerminal runs segsim. */
export async function openProgram(file: string, args: string[], env: Record<string, string | undefined> = {}, size: { rows?: number; cols?: number } = {}) {
  const { pty } = loaded;
  if (!pty) throw new Error(ptyProblem!);
  const merged = Object.entries({ ...terminalEnv(), ...env }).filter((e): e is [string, string] => e[1] !== undefined);
  const term = pty.spawn(file, args, { cols: size.cols ?? 120, rows: size.rows ?? 40, env: Object.fromEntries(merged) });
  let screen = '';
  let exitCode: number | null = null;
  term.onData((d) => (screen += d));
  const exited = new Promise<number>((resolve) => term.onExit(({ exitCode: code }) => resolve((exitCode = code))));
  stopAfterFile(() => {
    if (exitCode === null) term.kill();
  });
  const plain = () => stripVTControlCharacters(screen);
  return {
    plain,
    /** everything the program wrote, escape codes included */
    raw: () => screen,
    exited,
    /** the number of times text appears on the screen so far */
    count: (text: string) => plain().split(text).length - 1,
    expectText: (text: string | RegExp, timeoutMs = 15_000) =>
      waitFor(() => (typeof text === 'string' ? plain().includes(text) : text.test(plain())), timeoutMs, `"${String(text)}" on the terminal:\n${plain()}`),
    type(line: string) {
      for (const ch of line) term.write(ch);
      term.write('\r');
    },
    key: (data: string) => term.write(data),
    resize: (cols: number, rows: number) => term.resize(cols, rows),
    kill: () => {
      if (exitCode === null) term.kill();
    },
  };
}

/** `describe` for tests that need a pseudo-terminal: skipped, with the reason in its name, where none loads. */
export function describeTerminal(name: string, fn: () => void): void {
  if (ptyProblem) describe.skip(`${name} (skipped: ${ptyProblem})`, fn);
  else describe(name, fn);
}
