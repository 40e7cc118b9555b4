import { chmodSync, rmSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { Writable } from 'node:stream';
import type { CommandSpec } from '../commands/types.js';
import type { Appliance } from '../engine/appliance.js';
import { CancelledError, UserError } from '../errors.js';
import { runOneShot } from './one-shot.js';

/** One request: the words of a one-shot command line. Replies: output chunks, then the end. */
type Request = { argv: string[] };
type Reply = { out: string } | { err: string; exit: number } | { exit: number };

/**
 * The running appliance serves one-shot commands from other terminals on a Unix socket in its
 * home directory (owner-only). Commands run inside the appliance, so they see live counters and
 * configuration they commit takes effect at once. Closing the connection interrupts the command.
 */
export async function serveControlSocket(appliance: Appliance, registry: readonly CommandSpec[]): Promise<Server> {
  const path = appliance.paths.socket;
  rmSync(path, { force: true });
  const server = createServer((socket) => handle(socket, appliance, registry));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  chmodSync(path, 0o600);
  return server;
}

function handle(socket: Socket, appliance: Appliance, registry: readonly CommandSpec[]): void {
  let buffer = '';
  const controller = new AbortController();
  socket.on('close', () => controller.abort());
  socket.on('error', () => controller.abort());
  socket.on('data', (chunk) => {
    buffer += chunk.toString('utf8');
    const newline = buffer.indexOf('\n');
    if (newline < 0) return;
    const line = buffer.slice(0, newline);
    buffer = '';
    socket.removeAllListeners('data');
    void run(line);
  });
  const send = (reply: Reply) => {
    if (!socket.destroyed) socket.write(`${JSON.stringify(reply)}\n`);
  };
  const run = async (line: string) => {
    let request: Request;
    try {
      request = JSON.parse(line) as Request;
      if (!Array.isArray(request.argv) || !request.argv.every((w) => typeof w === 'string')) throw new Error('argv');
    } catch {
      send({ err: 'Invalid control request.', exit: 2 });
      socket.end();
      return;
    }
    const out = new Writable({
      write(chunk, _enc, done) {
        send({ out: chunk.toString() });
        done();
      },
    });
    try {
      await runOneShot({ appliance, registry, words: request.argv, out, signal: controller.signal });
      send({ exit: 0 });
    } catch (error) {
      if (error instanceof CancelledError) send({ exit: 130 });
      else if (error instanceof UserError) send({ err: error.message.trim(), exit: error.exitCode });
      else send({ err: `unexpected error: ${error instanceof Error ? error.message : String(error)}`, exit: 1 });
    }
    socket.end();
  };
}

/**
 * Sends a command to the appliance running on `socketPath`. Resolves the exit status, or null
 * when no appliance answers there (the caller then runs the command locally).
 */
export function forwardToAppliance(
  socketPath: string,
  argv: string[],
  io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream },
  signal?: AbortSignal,
): Promise<number | null> {
  return new Promise((resolve) => {
    const socket = createConnection(socketPath);
    let connected = false;
    let buffer = '';
    let exit: number | null = null;
    signal?.addEventListener('abort', () => socket.destroy(), { once: true });
    socket.on('connect', () => {
      connected = true;
      socket.write(`${JSON.stringify({ argv })}\n`);
    });
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const reply = JSON.parse(buffer.slice(0, newline)) as Reply;
        buffer = buffer.slice(newline + 1);
        if ('out' in reply) io.stdout.write(reply.out);
        else {
          if ('err' in reply) io.stderr.write(`${reply.err}\n`);
          exit = reply.exit;
        }
      }
    });
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(connected ? (exit ?? (signal?.aborted ? 130 : 1)) : null));
  });
}
