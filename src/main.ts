import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { isatty } from 'node:tty';
import type { Readable, Writable } from 'node:stream';
import { parseCommandLine } from './cli/command-parser.js';
import { runOneShot } from './cli/one-shot.js';
import { tuneGarbageCollection } from './cli/gc-tuning.js';
import { streamFront } from './ui/stream-front.js';
import { streamStyles } from './ui/styles.js';
import { commandRegistry } from './commands/registry.js';
import { Appliance } from './engine/appliance.js';
import { homePaths, resolveHome, type HomePaths } from './engine/home.js';
import { refuseCommitsWhileHeld, runningOwner } from './engine/lock.js';
import { describeError, ErrorCodes, UserError } from './errors.js';
import type { RunningAppliance } from './cli/run-appliance.js';
import type { LineIO } from './conversation/line-io.js';
import type { ShellDriver } from './ui/ink-shell.js';

export interface MainIO {
  stdin: Readable & { isTTY?: boolean };
  stdout: Writable & { isTTY?: boolean };
  stderr: Writable & { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
}

/** The process's own streams, each made when first read: Node builds a stream for each (stdin: ~2 ms). */
const PROCESS_IO: MainIO = {
  get stdin() {
    return process.stdin;
  },
  get stdout() {
    return process.stdout;
  },
  get stderr() {
    return process.stderr;
  },
  env: process.env,
};

/** The whole program; returns the exit status (0 ok, 1 failure, 2 usage error). */
export async function main(argv: string[], io: MainIO = PROCESS_IO): Promise<number> {
  // a reader that goes away (segsim status | head) is not an error
  io.stdout.on?.('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') throw error;
  });
  try {
    const registry = commandRegistry();
    const line = parseCommandLine(registry, argv, { oneShot: true, write: (text) => void io.stdout.write(text) });
    if (line.kind === 'printed') return 0;
    const root = resolveHome(line.home, io.env);
    // a process that may run an appliance for long tunes the collector before its heap grows
    if (line.kind === 'shell' || line.spec.name === 'start') tuneGarbageCollection();
    if (line.kind === 'shell') {
      await openShell(localAppliance(root), io);
      return 0;
    }
    if (line.spec.name === 'start' && line.input.flags.detach === true) return await (await import('./cli/detach.js')).startDetached(homePaths(root), io.stdout);
    if (line.spec.name === 'start') {
      await runHeadless(new Appliance({ home: root }), io);
      return 0;
    }
    if (line.spec.name === 'stop') return await (await import('./cli/detach.js')).stopAppliance(homePaths(root), io.stdout);
    // a lab cluster is made and run by this process, never by an appliance
    if (line.spec.name === 'lab' && line.input.args[0] === 'cluster') return await (await import('./cli/lab-cluster.js')).runLabCluster(line.input.args, line.input.flags, registry, io.stdout);
    const controller = new AbortController();
    const onSigint = () => controller.abort();
    process.once('SIGINT', onSigint);
    try {
      // `setd start` starts a server of its own: it never goes to a running appliance
      if (!(line.spec.name === 'setd' && line.input.args[0] === 'start')) {
        // A running appliance on this home serves the command: live data, immediate effect.
        const socket = await reachAppliance(homePaths(root), controller.signal);
        if (socket) return await (await import('./cli/control-socket.js')).runOnAppliance(socket, argv, io, controller.signal);
      }
      // in a terminal, live views end on their keys and progress redraws in place
      // stdin serves only as a terminal's keys: the process's own is not made when it is none
      const stdin = io === PROCESS_IO && !isatty(0) ? undefined : (io.stdin as NodeJS.ReadStream);
      const front = streamFront({ stdout: io.stdout, env: io.env, stdin, stop: () => controller.abort() });
      await runOneShot({ appliance: localAppliance(root), registry, words: argv, out: io.stdout, signal: controller.signal, front, parsed: line });
    } finally {
      process.off('SIGINT', onSigint);
    }
    return 0;
  } catch (error) {
    const { text, exitCode } = describeError(error);
    if (text !== null) io.stderr.write(`${streamStyles(io.stderr, io.env).error(text)}\n`);
    return exitCode;
  }
}

/**
 * The appliance of a home for a session in this process. Its commits are refused once another
 * process's appliance holds the home (one started after this session found none).
 */
function localAppliance(home: string): Appliance {
  const appliance = new Appliance({ home });
  refuseCommitsWhileHeld(appliance.configuration, appliance.paths.lock);
  return appliance;
}

/**
 * The control socket of the appliance running on the home (reachAppliance): with no socket file
 * and no process holding the home, none runs, and the socket module (and node:net) is not even loaded.
 */
async function reachAppliance(paths: HomePaths, signal?: AbortSignal): Promise<Socket | null> {
  if (!existsSync(paths.socket) && runningOwner(paths.lock) === null) return null;
  return (await import('./cli/control-socket.js')).reachAppliance(paths, signal);
}

/**
 * The shell: attached to the appliance already running on this home, else on an appliance started
 * here (if it cannot start, the shell still opens for configuration).
 */
async function openShell(appliance: Appliance, io: MainIO): Promise<void> {
  const terminal = Boolean(io.stdin.isTTY && io.stdout.isTTY);
  const registry = commandRegistry();
  let running: RunningAppliance | null = null;
  let banner = '';
  // an appliance starting here at the same moment as another on this home loses the lock: the
  // shell then attaches to the one that won
  for (let attempt = 0; attempt < 2 && !running; attempt++) {
    const socket = await reachAppliance(appliance.paths);
    if (socket) {
      const { attachShell } = await import('./cli/control-socket.js');
      await withFront(io, terminal, (front) => {
        const attached = attachShell(socket, front, terminal);
        return { run: () => attached.done, interrupt: attached.interrupt };
      });
      return;
    }
    try {
      const { startAppliance } = await import('./cli/run-appliance.js');
      running = await startAppliance(appliance, registry);
      banner = `${running.describe()}\nEnter "help" for the commands, "quit" to leave.`;
    } catch (error) {
      if (error instanceof UserError && error.code === ErrorCodes.applianceRunning && attempt === 0) continue;
      const why = error instanceof Error ? error.message : String(error);
      banner = `The embedded appliance did not start: ${why}\nConfiguration commands work; live views need a running appliance.`;
      break;
    }
  }
  const session = appliance.sessions.open(terminal ? 'shell' : 'script', 'console');
  try {
    const { Shell } = await import('./cli/execute.js');
    await withFront(io, terminal, (front) => new Shell({ appliance, session, registry, io: front, interactive: true, banner, endOfInputQuits: terminal }));
  } finally {
    session.close();
    await running?.stop();
  }
}

/** Runs a shell through the terminal (ink) or, for a script on stdin, through plain lines. */
async function withFront(io: MainIO, terminal: boolean, drive: (front: LineIO) => ShellDriver): Promise<void> {
  if (terminal) {
    const { runInkShell } = await import('./ui/ink-shell.js');
    await runInkShell({ drive, env: io.env });
    return;
  }
  const { scriptLineIO } = await import('./ui/plain-io.js');
  const lineIO = scriptLineIO(io.stdin, io.stdout, io.env);
  try {
    await drive(lineIO).run();
  } finally {
    lineIO.close();
  }
}

/**
 * `segsim start`: the appliance without a shell, until SIGINT, SIGTERM or `segsim stop`. Started by
 * `start --detach`, it tells that process once it is ready.
 */
async function runHeadless(appliance: Appliance, io: MainIO): Promise<void> {
  const { startAppliance } = await import('./cli/run-appliance.js');
  let stop = () => undefined as void;
  const stopped = new Promise<void>((resolve) => (stop = resolve));
  const running = await startAppliance(appliance, commandRegistry(), { stopRequested: () => stop() });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  (await import('./cli/detach.js')).reportReady(() => running.describe());
  io.stdout.write(`${running.describe()}\nRunning headless (pid ${process.pid}); control socket ${appliance.paths.socket}. Stop it with Ctrl-C or "segsim stop".\n`);
  await stopped;
  await running.stop();
  io.stdout.write('Appliance stopped.\n');
}
