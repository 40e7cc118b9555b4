import { spawn } from 'node:child_process';
import { createConnection } from 'node:net';
import { killAfterFile } from './cleanup.js';
import { waitFor } from './engine.js';
import { BIN } from './run-main.js';

/** `segsim start` on a home, as an operator runs it in a first terminal; resolves once it serves. */
export async function startHeadless(home: string) {
  const child = killAfterFile(spawn(process.execPath, [BIN, '--home', home, 'start'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } }));
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  await waitFor(() => out.includes('Running headless') || child.exitCode !== null, 20_000, `segsim start serving:\n${out}`);
  if (child.exitCode !== null) throw new Error(`segsim start exited (${child.exitCode}):\n${out}`);
  const listener = /listener \S+ on [\d.]+:(\d+)/.exec(out);
  return {
    child,
    /** the port of the appliance's SMTP listener, from its banner */
    listenerPort: Number(listener?.[1]),
    output: () => out,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      await exited;
    },
  };
}

/** The first line an SMTP server sends on 127.0.0.1:`port` (its 220 greeting), or the connection error. */
export function smtpGreeting(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let text = '';
    socket.on('data', (d) => {
      text += d;
      if (text.includes('\n')) {
        socket.destroy();
        resolve(text.split('\n')[0]!.trim());
      }
    });
    socket.on('error', (error) => resolve(`error: ${error.message}`));
  });
}

/** Sends raw lines on a Unix socket; resolves every line received until the other end closes it. */
export function exchangeLines(path: string, lines: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    let text = '';
    socket.on('data', (d) => (text += d));
    socket.on('error', reject);
    socket.on('close', () => resolve(text.split('\n').filter((l) => l !== '')));
    socket.on('connect', () => socket.write(lines.map((l) => `${l}\n`).join('')));
  });
}
