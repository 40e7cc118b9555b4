import { spawn, type ChildProcess } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { main } from '../../src/main.js';
import { killAfterFile } from './cleanup.js';

export const BIN = fileURLToPath(new URL('../../bin/segsim.cjs', import.meta.url));

/** Runs main() in-process with captured streams. */
export async function runMain(argv: string[], stdinText = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdin = new PassThrough();
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (d) => (out += d));
  stderr.on('data', (d) => (err += d));
  stdin.end(stdinText);
  const code = await main(argv, { stdin, stdout, stderr, env: {} });
  return { code, stdout: out, stderr: err };
}

/** Runs the real binary (built into dist/) with stdin text; resolves when it exits. */
export function runBinary(args: string[], stdinText = '', timeoutMs = 20_000): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = killAfterFile(spawn(process.execPath, [BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } }));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`segsim ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdinText);
  });
}

/**
 * Runs a fixture script of test/fixtures/ (which imports dist/) on `home`; resolves the child and
 * the port it prints first, or rejects if it exits before printing one.
 */
export function spawnFixture(name: string, home: string, ...args: string[]): Promise<{ child: ChildProcess; port: number }> {
  const script = fileURLToPath(new URL(`../fixtures/${name}`, import.meta.url));
  const child = killAfterFile(spawn(process.execPath, [script, home, ...args], { stdio: ['ignore', 'pipe', 'inherit'] }));
  return new Promise((resolve, reject) => {
    child.stdout.once('data', (d) => resolve({ child, port: Number(String(d).trim()) }));
    child.once('exit', (code, signal) => reject(new Error(`${name} exited (${code ?? signal}) before it printed its port`)));
  });
}
