import { stripVTControlCharacters } from 'node:util';
import { waitFor } from './engine.js';
import { stopAfterFile } from './cleanup.js';
import { BIN } from './run-main.js';

/** The environment of a terminal: no CI markers (the shell must see a terminal), no colour. */
export function terminalEnv(): Record<string, string> {
  const env = Object.entries(process.env).filter(([k, v]) => v !== undefined && !['CI', 'CONTINUOUS_INTEGRATION'].includes(k));
  return { ...Object.fromEntries(env as [string, string][]), FORCE_COLOR: '0', TERM: 'xterm-256color' };
}

/**
 * The real binary in a real pseudo-terminal: type into it, wait for text on its screen. `env`
 * changes the terminal's environment (a value of undefined removes the variable).
 */
export async function openTerminal(args: string[], env: Record<string, string | undefined> = {}, size: { rows?: number; cols?: number } = {}) {
  const pty = await import('node-pty');
  const merged = Object.entries({ ...terminalEnv(), ...env }).filter((e): e is [string, string] => e[1] !== undefined);
  const term = pty.spawn(process.execPath, [BIN, ...args], { cols: size.cols ?? 120, rows: size.rows ?? 40, env: Object.fromEntries(merged) });
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
    expectText: (text: string | RegExp, timeoutMs = 15_000) => waitFor(() => (typeof text === 'string' ? plain().includes(text) : text.test(plain())), timeoutMs, `"${String(text)}" on the terminal:\n${plain()}`),
    type(line: string) {
      for (const ch of line) term.write(ch);
      term.write('\r');
    },
    key: (data: string) => term.write(data),
    kill: () => {
      if (exitCode === null) term.kill();
    },
  };
}
