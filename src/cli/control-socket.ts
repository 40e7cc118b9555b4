import { chmodSync, existsSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import type { LineIO } from '../conversation/line-io.js';
import type { CommandSpec } from '../commands/types.js';
import type { Appliance } from '../engine/appliance.js';
import { CancelledError, describeError, ErrorCodes, UserError } from '../errors.js';
import type { HomePaths } from '../engine/home.js';
import { runningOwner } from '../engine/lock.js';
import { Shell } from './execute.js';
import { readJsonLines, sendJsonLine } from '../engine/json-lines.js';
import { jsonShape, shapeProblems, summarizeProblems, type JsonShape } from '../engine/json-shape.js';
import { controlRequestSchema, shellMessageSchema, type ControlRequest, type ShellMessage } from './control-schema.js';
import { validateControlRequest, validateShellMessage } from './control-schema.generated.js';
import { runOneShot } from './one-shot.js';
import { RemoteLineIO } from './remote-line-io.js';
import { colourLevel, streamStyles, stylesFor, type ColourLevel, type OutputStream } from '../ui/styles.js';

/**
 * The control protocol: newline-delimited JSON, each client message checked against
 * control-schema.ts. The first message says what the connection is: one command line (`argv`), a
 * shell that attaches (`shell`), or `segsim stop` (`stop`). The appliance then sends output
 * (`out`, `frame`; for shells also `live` and `progress`, null when they end), prompts (`ask`,
 * shells only) and the end (`exit`, with `err` on failure, or `bye` when the appliance stops under
 * an attached shell); an attached shell says how many colours its terminal has (`colour`, 0 to 3),
 * answers prompts with `line` or `eof`, and sends `interrupt` (Ctrl-C or a key that ends a live
 * view, while a command runs) and `cancel` (Ctrl-C at a prompt). A message of the wrong shape gets
 * an error naming what is wrong, and the connection closes.
 */
const REQUEST = jsonShape<ControlRequest>(controlRequestSchema, validateControlRequest);
const SHELL_MESSAGE = jsonShape<ShellMessage>(shellMessageSchema, validateShellMessage);
type Reply =
  | { out: string }
  | { frame: string }
  | { live: string | null }
  | { progress: string | null }
  | { paging: boolean }
  | { ask: string }
  | { err: string; exit: number }
  | { exit: number }
  | { bye: string };

export interface ControlServer {
  /** Stops serving: attached shells are told the appliance stopped, one-shot commands are interrupted. */
  close(): Promise<void>;
}

/**
 * The running appliance serves other terminals on a Unix socket in its home directory
 * (owner-only): one-shot commands, and shells that attach. Each connection is a session of its
 * own, with its own pending changes; closing the connection interrupts what it runs.
 */
export async function serveControlSocket(
  appliance: Appliance,
  registry: readonly CommandSpec[],
  banner: () => string = () => '',
  /** stops the appliance for `segsim stop`; without it (an appliance inside a shell) stop is refused */
  stop?: () => void,
): Promise<ControlServer> {
  const path = appliance.paths.socket;
  rmSync(path, { force: true });
  const connections = new Set<{ socket: Socket; stop(why: string): void }>();
  const server = createServer((socket) => {
    const connection: { socket: Socket; stop(why: string): void } = { socket, stop: () => socket.destroy() };
    connections.add(connection);
    socket.on('close', () => connections.delete(connection));
    serve(socket, appliance, registry, banner, stop, (stopConnection) => (connection.stop = stopConnection));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);
  return {
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const c of connections) c.stop(`The appliance on ${appliance.paths.root} stopped; this session is closed.`);
      await closed;
    },
  };
}

function serve(
  socket: Socket,
  appliance: Appliance,
  registry: readonly CommandSpec[],
  banner: () => string,
  stopAppliance: (() => void) | undefined,
  onStop: (stop: (why: string) => void) => void,
): void {
  const send = (reply: Reply) => sendJsonLine(socket, reply);
  const refuse = (why: string) => {
    send({ err: `Invalid control request: ${why}.`, exit: 2 });
    socket.end();
    socket.destroy();
  };
  let route: ((message: ShellMessage) => void) | null = null;
  socket.on('error', () => undefined);
  readJsonLines(
    socket,
    (message) => {
      if (route) {
        const checked = checkMessage(message, SHELL_MESSAGE, 'the message', ['line', 'eof', 'interrupt', 'cancel']);
        return typeof checked === 'string' ? refuse(checked) : route(checked);
      }
      const request = checkMessage(message, REQUEST, 'the request', ['argv', 'shell', 'stop']);
      if (typeof request === 'string') return refuse(request);
      route = () => undefined;
      if (request.shell) route = attach(socket, send, appliance, registry, banner(), request.shell, onStop);
      else if (request.stop) {
        if (!stopAppliance) {
          send({ err: `The appliance on ${appliance.paths.root} runs inside a shell (pid ${process.pid}): quit that shell to stop it.`, exit: 1 });
          socket.end();
        } else stopAppliance(); // the connection closes as the appliance stops; the client then waits for the process to end
      } else {
        void runCommand(socket, send, appliance, registry, request.argv ?? []);
      }
    },
    refuse,
  );
}

/**
 * A client's message with the shape it must have and exactly one of `kinds` (the key says what it
 * is), else what is wrong with it.
 */
function checkMessage<T extends object>(message: unknown, shape: JsonShape<T>, name: string, kinds: readonly (keyof T & string)[]): T | string {
  const problems = shapeProblems(message, shape, { root: name });
  if (problems.length > 0) return summarizeProblems(problems);
  const given = kinds.filter((k) => (message as T)[k] !== undefined);
  if (given.length !== 1) return `${name} must have exactly one of ${kinds.map((k) => `"${k}"`).join(', ')}`;
  return message as T;
}

async function runCommand(socket: Socket, send: (reply: Reply) => void, appliance: Appliance, registry: readonly CommandSpec[], argv: string[]): Promise<void> {
  const controller = new AbortController();
  socket.on('close', () => controller.abort());
  const out = new Writable({
    write(chunk, _enc, done) {
      send({ out: chunk.toString() });
      done();
    },
  });
  try {
    if (argv.length === 0) throw new UserError('No command given. Enter "segsim help" for the list of commands.', 'USAGE');
    await runOneShot({ appliance, registry, words: argv, out, signal: controller.signal, from: 'socket' });
    send({ exit: 0 });
  } catch (error) {
    const { text, exitCode } = describeError(error);
    send(text === null ? { exit: exitCode } : { err: text, exit: exitCode });
  }
  socket.end();
}

/** A shell session on this appliance for the terminal at the other end of the socket. */
function attach(
  socket: Socket,
  send: (reply: Reply) => void,
  appliance: Appliance,
  registry: readonly CommandSpec[],
  banner: string,
  { terminal, colour = 0 }: NonNullable<ControlRequest['shell']>,
  onStop: (stop: (why: string) => void) => void,
): (message: ShellMessage) => void {
  const session = appliance.sessions.open(terminal ? 'shell' : 'script', 'socket');
  const io = new RemoteLineIO(send, stylesFor(colour as ColourLevel));
  const shell = new Shell({ appliance, session, registry, io, interactive: true, banner, endOfInputQuits: terminal });
  const leave = () => {
    shell.exit();
    shell.interrupt();
    io.close();
  };
  socket.on('close', leave);
  onStop((why) => {
    send({ bye: why });
    leave();
    socket.end();
  });
  void shell.run().finally(() => {
    session.close();
    send({ exit: 0 });
    socket.end();
  });
  return (message) => {
    if (message.line !== undefined) io.answer(message.line);
    else if (message.eof) io.answer(null);
    else if (message.interrupt) shell.interrupt();
    else io.cancel();
  };
}

/** Connects to the appliance running on `socketPath`; null when none answers there. */
export function connectControl(socketPath: string): Promise<Socket | null> {
  return new Promise((resolve) => {
    const socket = createConnection(socketPath);
    socket.once('connect', () => {
      socket.off('error', fail);
      socket.on('error', () => undefined);
      resolve(socket);
    });
    const fail = () => resolve(null);
    socket.once('error', fail);
  });
}

/** How long a session waits for the control socket of an appliance that holds its home's lock. */
export const CONTROL_WAIT_MS = 30_000;

/**
 * The control socket of the appliance running on a home, once it answers; null when none runs
 * there (no live process holds the home's lock). While a process holds the lock and its socket
 * does not answer yet (the appliance is starting), waits for the socket or for that process to
 * exit: a session never goes on as if no appliance ran while one does (it would edit the stored
 * configuration behind the appliance's back).
 */
export async function reachAppliance(paths: Pick<HomePaths, 'socket' | 'lock' | 'root'>, signal?: AbortSignal, waitMs = CONTROL_WAIT_MS): Promise<Socket | null> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    const socket = existsSync(paths.socket) ? await connectControl(paths.socket) : null;
    if (socket) return socket;
    const owner = runningOwner(paths.lock);
    if (owner === null || owner === process.pid) return null;
    if (signal?.aborted) throw new CancelledError();
    if (Date.now() > deadline) {
      throw new UserError(
        `The appliance (pid ${owner}) holding ${paths.root} has not opened its control socket in ${waitMs / 1000} seconds. Nothing was run; try again once it is ready, or stop it.`,
        ErrorCodes.applianceRunning,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Sends a command to the appliance running on `socketPath`. Resolves the exit status, or null
 * when no appliance answers there (the caller then runs the command locally).
 */
export async function forwardToAppliance(
  socketPath: string,
  argv: string[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream & OutputStream; env?: NodeJS.ProcessEnv },
  signal?: AbortSignal,
): Promise<number | null> {
  const socket = await connectControl(socketPath);
  return socket ? runOnAppliance(socket, argv, io, signal) : null;
}

/** Runs a command on the appliance at the other end of `socket`; resolves its exit status. */
export function runOnAppliance(
  socket: Socket,
  argv: string[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream & OutputStream; env?: NodeJS.ProcessEnv },
  signal?: AbortSignal,
): Promise<number> {
  return new Promise((resolve) => {
    let exit: number | null = null;
    signal?.addEventListener('abort', () => socket.destroy(), { once: true });
    readJsonLines(
      socket,
      (message) => {
        const reply = message as Reply;
        if ('out' in reply) io.stdout.write(reply.out);
        else if ('frame' in reply) io.stdout.write(`${reply.frame}\n`);
        else if ('exit' in reply) {
          // coloured here as a local run colours its errors (main.ts): the terminal is this end's
          if ('err' in reply) io.stderr.write(`${streamStyles(io.stderr, io.env).error(reply.err)}\n`);
          exit = reply.exit;
        }
      },
      () => socket.destroy(),
    );
    socket.on('close', () => resolve(exit ?? (signal?.aborted ? 130 : 1)));
    sendJsonLine(socket, { argv } satisfies ControlRequest);
  });
}

/** The terminal's end of an attached shell: LineIO for output and prompts, plus where Ctrl-C goes. */
export interface AttachedShell {
  /** resolves when the shell ends: quit, or the appliance stopped (the reason is written) */
  done: Promise<void>;
  /** Ctrl-C while a command runs on the appliance */
  interrupt(): void;
}

/**
 * Attaches a shell to the appliance on the other end of `socket`; `front` is the terminal or the
 * script. The appliance styles its words for `colour` (by default what this process's stdout can show).
 */
export function attachShell(socket: Socket, front: LineIO, terminal: boolean, colour: ColourLevel = terminal ? colourLevel(process.stdout, process.env) : 0): AttachedShell {
  const done = new Promise<void>((resolve) => {
    readJsonLines(
      socket,
      (message) => {
        const reply = message as Reply;
        if ('out' in reply) front.write(reply.out);
        else if ('frame' in reply) (front.frame ?? front.write).call(front, reply.frame);
        else if ('live' in reply) front.live?.(reply.live);
        else if ('progress' in reply) front.progress?.(reply.progress);
        else if ('paging' in reply) front.paging?.(reply.paging);
        else if ('bye' in reply) front.write(`\n${reply.bye}\n`);
        else if ('ask' in reply) {
          front.readLine(reply.ask).then(
            (line) => sendJsonLine(socket, line === null ? { eof: true } : { line }),
            (error: unknown) => {
              if (error instanceof CancelledError) sendJsonLine(socket, { cancel: true });
              else socket.destroy();
            },
          );
        }
      },
      () => socket.destroy(),
    );
    socket.on('close', () => resolve());
  });
  sendJsonLine(socket, { shell: { terminal, colour } } satisfies ControlRequest);
  return { done, interrupt: () => sendJsonLine(socket, { interrupt: true }) };
}
