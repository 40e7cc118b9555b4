import { spawn } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import type { HomePaths } from '../engine/home.js';
import { readJsonLines, sendJsonLine } from '../engine/json-lines.js';
import { processAlive, runningOwner } from '../engine/lock.js';
import { ErrorCodes, UserError } from '../errors.js';
import type { ControlRequest } from './control-schema.js';
import { reachAppliance } from './control-socket.js';

/** How long `start --detach` waits for the appliance to be ready, and `stop` for it to end. */
const START_WAIT_MS = 120_000;
const STOP_WAIT_MS = 60_000;

/** What a detached appliance tells the process that started it, over the IPC channel. */
interface ReadyMessage {
  ready: string;
  pid: number;
}

/**
 * `segsim start --detach`: starts `segsim start` in a process of its own (a session of its own:
 * it outlives this process and the terminal), its output appended to the home's segsim.log, and
 * returns once it is ready (every service listens, the control socket included): what runs where
 * and its pid on stdout, exit 0. If it ends before that, what it wrote says why (exit 1).
 */
export async function startDetached(paths: HomePaths, out: Writable): Promise<number> {
  const owner = runningOwner(paths.lock);
  if (owner !== null) throw new UserError(`Another appliance (pid ${owner}) is already running on ${paths.root}. Stop it first with "segsim stop".`, ErrorCodes.applianceRunning);
  const log = openSync(paths.detachedLog, 'a', 0o600);
  const from = statSync(paths.detachedLog).size;
  // in the home, not the caller's directory: a daemon keeps no other directory busy
  const home = resolve(paths.root);
  const child = spawn(process.execPath, [...process.execArgv, resolve(process.argv[1]!), '--home', home, 'start'], {
    cwd: home,
    detached: true,
    stdio: ['ignore', log, log, 'ipc'],
    env: { ...process.env, FORCE_COLOR: '0' },
  });
  closeSync(log);
  const outcome = await new Promise<ReadyMessage | { exit: string }>((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGTERM');
      resolve({ exit: `it was not ready after ${START_WAIT_MS / 1000} seconds, and was stopped` });
    }, START_WAIT_MS);
    child.once('message', (message) => {
      clearTimeout(timer);
      resolve(message as ReadyMessage);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ exit: signal ? `it was ended by ${signal}` : `it exited with status ${code}` });
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ exit: error.message });
    });
  });
  if ('exit' in outcome) {
    const said = readFrom(paths.detachedLog, from).trim();
    throw new UserError(`The appliance did not start (${outcome.exit})${said ? `:\n${said}` : '.'}`, ErrorCodes.io);
  }
  child.disconnect?.();
  child.unref();
  out.write(`${outcome.ready}\nRunning in the background (pid ${outcome.pid}); its output goes to ${paths.detachedLog}. Stop it with "segsim stop".\n`);
  return 0;
}

/**
 * In the appliance `start --detach` started: tells that process the appliance is ready (and what
 * runs where), then lets the channel go, so that neither keeps the other alive.
 */
export function reportReady(describe: () => string): void {
  if (!process.send) return;
  process.send({ ready: describe(), pid: process.pid } satisfies ReadyMessage, () => process.disconnect?.());
}

/**
 * `segsim stop`: asks the appliance running headless on the home to stop (over its control
 * socket, as Ctrl-C would) and waits until its process has ended.
 */
export async function stopAppliance(paths: HomePaths, out: Writable): Promise<number> {
  const socket = await reachAppliance(paths);
  const owner = runningOwner(paths.lock);
  if (!socket || owner === null) {
    socket?.destroy();
    throw new UserError(`No appliance is running on ${paths.root}.`, ErrorCodes.noAppliance);
  }
  // the appliance closes the connection as it stops, or answers why it will not
  const refusal = await new Promise<string | null>((resolve) => {
    let err: string | null = null;
    readJsonLines(
      socket,
      (reply) => {
        if (typeof reply === 'object' && reply !== null && 'err' in reply) err = String(reply.err);
      },
      () => socket.destroy(),
    );
    socket.on('close', () => resolve(err));
    sendJsonLine(socket, { stop: true } satisfies ControlRequest);
  });
  if (refusal) throw new UserError(refusal, ErrorCodes.conflict);
  const deadline = Date.now() + STOP_WAIT_MS;
  while (processAlive(owner)) {
    if (Date.now() > deadline) throw new UserError(`The appliance (pid ${owner}) on ${paths.root} is still stopping after ${STOP_WAIT_MS / 1000} seconds.`, ErrorCodes.io);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  out.write(`Appliance (pid ${owner}) on ${paths.root} stopped.\n`);
  return 0;
}

/** What a file holds from byte `offset` on (the tail a failed start wrote). */
function readFrom(path: string, offset: number): string {
  const fd = openSync(path, 'r');
  try {
    const length = Math.max(0, statSync(path).size - offset);
    const buffer = Buffer.alloc(Math.min(length, 64 * 1024));
    const read = readSync(fd, buffer, 0, buffer.length, offset);
    return buffer.subarray(0, read).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
