import type { Socket } from 'node:net';
import type { Server as TlsServer, TLSSocket } from 'node:tls';

/** How many handshakes a gated server has in progress at most, and how long one may hold its place. */
export interface HandshakeLimits {
  inProgress: number;
  holdMs: number;
}

/**
 * Four at a time, a place held 25 ms at most, as measured with the bench's burst of 300 logins
 * (docs/performance.md: 4, 8 and 16 places, 25 and 100 ms tried); a browser's connections to a
 * page are each through their handshake in a few milliseconds.
 */
export const HANDSHAKE_LIMITS: HandshakeLimits = { inProgress: 4, holdMs: 25 };

/** What a server to be gated is made with: its accepted sockets wait unread until their turn. */
export const GATED_SERVER_OPTIONS = { pauseOnConnect: true } as const;

type ConnectionListener = (this: TlsServer, socket: Socket) => void;

const peerOf = (socket: Socket | TLSSocket) => `${socket.remoteAddress}|${socket.remotePort}`;

/**
 * Lets a TLS server (the web interface's, the API's) take the handshakes of new connections a few
 * at a time. Each handshake costs the appliance's one thread a private-key signature and a key
 * exchange: a burst of clients (300 browsers logging in at once) had hundreds of them run in one
 * turn of the event loop, and the SMTP greeting and every timer of the appliance waited behind
 * them. Gated, a connection waits unread in the kernel until a place is free; it holds its place
 * until its handshake ends (done, failed or the client gone) or for `holdMs` at most, so that
 * clients that connect and say nothing delay the others by no more than that. Once the server is
 * closed, the connections still waiting are let go as places are freed (within `holdMs`).
 *
 * The server must be made with GATED_SERVER_OPTIONS. Node's TLS server wraps each accepted socket
 * in its own 'connection' listener (registered when the server is made); those listeners are
 * taken off and called in turn. test/engine/handshake-gate.test.ts holds that on every Node
 * version CI runs.
 */
export function gateHandshakes(server: TlsServer, limits: HandshakeLimits = HANDSHAKE_LIMITS): void {
  const wrappers = server.listeners('connection') as ConnectionListener[];
  server.removeAllListeners('connection');
  const waiting: Socket[] = [];
  /** the connections in their handshake, by peer address, each with what frees its place */
  const inHandshake = new Map<string, () => void>();
  const admit = () => {
    while (inHandshake.size < limits.inProgress && waiting.length) {
      const socket = waiting.shift()!;
      // a server closed while it waited: its 'close' comes once every connection has ended
      if (!server.listening) socket.destroy();
      if (socket.destroyed) continue;
      const peer = peerOf(socket);
      const done = () => {
        if (inHandshake.get(peer) !== done) return;
        inHandshake.delete(peer);
        clearTimeout(held);
        socket.off('close', done);
        admit();
      };
      const held = setTimeout(done, limits.holdMs).unref();
      inHandshake.set(peer, done);
      socket.once('close', done);
      for (const wrap of wrappers) wrap.call(server, socket);
    }
  };
  server.on('connection', (socket: Socket) => {
    waiting.push(socket);
    admit();
  });
  server.on('secureConnection', (socket: TLSSocket) => inHandshake.get(peerOf(socket))?.());
}
