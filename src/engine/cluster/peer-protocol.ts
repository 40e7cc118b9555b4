import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createConnection, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { readJsonLines, sendJsonLine } from '../json-lines.js';
import type { ReplicatedDoc } from './cluster-state.js';

/**
 * The Cluster Communication Service between members: one TCP connection per request, on
 * 127.0.0.1 only, newline-delimited JSON. Both ends prove they know the cluster's join secret
 * without sending it (HMAC over the other end's fresh nonce), and the client's proof covers its
 * request, so a process that does not know the secret can neither read the cluster's
 * configuration nor change it:
 *   client: {hello: {cluster, from, nonce}}   cluster null: a machine joining, which learns the name
 *   server: {challenge: {cluster, nonce, proof}} proof = HMAC(secret, "server", cluster, client nonce)
 *   client: {proof, request}                 proof = HMAC(secret, "client", cluster, server nonce, sha256(request))
 *   server: {reply}                          then closes
 */
export type PeerRequest =
  /** a machine asks to join: its name and where its own service listens */
  | { join: { name: string; port: number } }
  /** a member sends its copy; the answer is the receiver's copy after merging it */
  | { sync: ReplicatedDoc; from: string };

export type PeerReply = { doc: ReplicatedDoc } | { removed: true } | { err: string };

/** What the serving end knows: the cluster it is in (null when standalone) and how it answers. */
export interface PeerHandler {
  identity(): { cluster: string; secret: string } | null;
  handle(request: PeerRequest): Promise<PeerReply>;
}

const PEER_TIMEOUT_MS = 5_000;
const nonce = () => randomBytes(16).toString('hex');
const mac = (secret: string, ...parts: string[]) => createHmac('sha256', Buffer.from(secret, 'hex')).update(parts.join('\n')).digest('hex');
const digest = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

function sameMac(a: unknown, b: string): boolean {
  if (typeof a !== 'string' || a.length !== b.length) return false;
  return timingSafeEqual(Buffer.from(a), Buffer.from(b));
}

export interface PeerServer {
  port: number;
  close(): Promise<void>;
}

/** Serves the cluster service on 127.0.0.1:port (0: any free port). */
export async function servePeers(port: number, handler: PeerHandler): Promise<PeerServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.setTimeout(PEER_TIMEOUT_MS, () => socket.destroy());
    serveOne(socket, handler);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}

function serveOne(socket: Socket, handler: PeerHandler): void {
  const fail = (err: string) => {
    sendJsonLine(socket, { reply: { err } });
    socket.end();
  };
  let serverNonce: string | null = null;
  let identity: { cluster: string; secret: string } | null = null;
  readJsonLines(
    socket,
    (message) => {
      const m = message as Record<string, unknown>;
      if (serverNonce === null) {
        const hello = m.hello as { cluster?: unknown; nonce?: unknown } | undefined;
        identity = handler.identity();
        if (!hello || typeof hello.nonce !== 'string' || (typeof hello.cluster !== 'string' && hello.cluster !== null)) return fail('expected a hello');
        if (!identity) return fail('This machine is not in a cluster.');
        if (hello.cluster !== null && hello.cluster !== identity.cluster) return fail(`This machine is in cluster ${identity.cluster}, not ${hello.cluster}.`);
        serverNonce = nonce();
        sendJsonLine(socket, { challenge: { cluster: identity.cluster, nonce: serverNonce, proof: mac(identity.secret, 'server', identity.cluster, hello.nonce) } });
        return;
      }
      const { cluster, secret } = identity!;
      if (!sameMac(m.proof, mac(secret, 'client', cluster, serverNonce, digest(m.request)))) return fail("The join secret is not the cluster's.");
      serverNonce = '';
      handler.handle(m.request as PeerRequest).then(
        (reply) => {
          sendJsonLine(socket, { reply });
          socket.end();
        },
        (error: unknown) => fail(error instanceof Error ? error.message : String(error)),
      );
    },
    () => socket.destroy(),
  );
}

/**
 * Sends one request to a member and returns its reply. Rejects when the member cannot be reached
 * or does not prove it knows the secret (the error says which).
 */
export function askPeer(address: { host: string; port: number }, cluster: string | null, secret: string, from: string, request: PeerRequest): Promise<PeerReply> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: address.host, port: address.port });
    const clientNonce = nonce();
    let settled = false;
    const done = (error: Error | null, reply?: PeerReply) => {
      if (settled) return;
      settled = true;
      socket.destroy();
      if (error) reject(error);
      else resolve(reply!);
    };
    socket.setTimeout(PEER_TIMEOUT_MS, () => done(new Error('no answer within 5 seconds')));
    socket.on('error', (error) => done(new Error((error as NodeJS.ErrnoException).code ?? error.message)));
    socket.on('close', () => done(new Error('the connection closed')));
    socket.on('connect', () => sendJsonLine(socket, { hello: { cluster, from, nonce: clientNonce } }));
    readJsonLines(
      socket,
      (message) => {
        const m = message as { challenge?: { cluster?: unknown; nonce?: unknown; proof?: unknown }; reply?: PeerReply };
        if (m.reply) return done(null, m.reply);
        const c = m.challenge;
        if (!c || typeof c.nonce !== 'string' || typeof c.cluster !== 'string' || (cluster !== null && c.cluster !== cluster)) return done(new Error('not a service of this cluster'));
        if (!sameMac(c.proof, mac(secret, 'server', c.cluster, clientNonce))) return done(new Error('the machine does not know the join secret'));
        sendJsonLine(socket, { proof: mac(secret, 'client', c.cluster, c.nonce, digest(request)), request });
      },
      (why) => done(new Error(why)),
    );
  });
}
