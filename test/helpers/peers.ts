import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { killAfterFile } from './cleanup.js';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';

/** Whether Debian's swaks and Postfix tools are installed (.ci/run installs them). */
export const havePeers = ['/usr/bin/swaks', '/usr/sbin/smtp-sink', '/usr/sbin/smtp-source'].every((p) => existsSync(p));

/** A free TCP port on loopback (for programs that cannot be given port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Runs swaks against a loopback server; returns its exit code and transcript. */
export function swaks(args: string[], timeoutMs = 20_000): { code: number | null; out: string } {
  const r = spawnSync('swaks', ['--timeout', '10', ...args], { encoding: 'utf8', timeout: timeoutMs });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

export interface Sink {
  port: number;
  process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Postfix's smtp-sink on 127.0.0.1 (as nobody: it refuses to run as root), with fault options
 * such as -r RCPT (450), -f RCPT (500), -Q, -q, -b/-B custom replies.
 */
export async function smtpSink(options: string[], port?: number): Promise<Sink> {
  const p = port ?? (await freePort());
  const child = killAfterFile(spawn('smtp-sink', [...(process.getuid?.() === 0 ? ['-u', 'nobody'] : []), ...options, `127.0.0.1:${p}`, '100'], { stdio: 'ignore' }));
  await waitForPort(p);
  return {
    port: p,
    process: child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/** smtp-source: pushes `count` messages of `size` bytes over `sessions` sessions; resolves at exit. */
export function smtpSource(port: number, opts: { count: number; sessions: number; size: number; to: string; from?: string }, timeoutMs = 120_000): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = killAfterFile(
      spawn('smtp-source', ['-s', String(opts.sessions), '-m', String(opts.count), '-l', String(opts.size), '-d', '-f', opts.from ?? 'source@outside.example', '-t', opts.to, `127.0.0.1:${port}`], {
        stdio: 'ignore',
      }),
    );
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error('smtp-source did not finish in time'));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

async function waitForPort(port: number, timeoutMs = 5000): Promise<void> {
  const { connect } = await import('node:net');
  const started = Date.now();
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => (s.destroy(), resolve(true)));
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() - started > timeoutMs) throw new Error(`nothing listens on 127.0.0.1:${port}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
