import type { Socket } from 'node:net';

/** The largest control message accepted: a command line or an answer, pasted text included. */
export const MAX_CONTROL_LINE = 1024 * 1024;

/**
 * Newline-delimited JSON on a socket, both ways. A line longer than MAX_CONTROL_LINE, or one that
 * is not JSON, goes to onBad (the peer is then told and dropped), never buffered without end.
 */
export function readJsonLines(socket: Socket, onMessage: (message: unknown) => void, onBad: (why: string) => void): void {
  let buffer = '';
  socket.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      let message: unknown;
      try {
        message = JSON.parse(line);
      } catch {
        return onBad('a control message is not valid JSON');
      }
      onMessage(message);
      if (socket.destroyed) return;
    }
    if (buffer.length > MAX_CONTROL_LINE) {
      buffer = '';
      onBad(`a control message is longer than ${MAX_CONTROL_LINE} bytes`);
    }
  });
}

export function sendJsonLine(socket: Socket, message: unknown): void {
  if (!socket.destroyed && socket.writable) socket.write(`${JSON.stringify(message)}\n`);
}
