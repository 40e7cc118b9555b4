import { connect, type AddressInfo, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { connect as tlsConnect, createServer, type Server as TlsServer } from 'node:tls';
import { GATED_SERVER_OPTIONS, gateHandshakes, type HandshakeLimits } from '../../src/engine/handshake-gate.js';
import { ensureLabPki } from '../../src/engine/tls.js';
import { apiAppliance } from '../helpers/api.js';
import { tempHome } from '../helpers/scripted.js';
import { webAppliance } from '../helpers/web.js';

/**
 * The handshake gate (engine/handshake-gate.ts) on Node's own TLS server: how many handshakes run
 * at once, what an idle client can hold up, what a closed server lets go; and that the web
 * interface and the API are gated.
 */

const pki = ensureLabPki(tempHome(), ['localhost']);
const servers: TlsServer[] = [];
const sockets: Socket[] = [];
afterEach(async () => {
  sockets.splice(0).forEach((s) => s.destroy());
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

/** A gated TLS server on a free port that ends each connection once its handshake is done; `handed` counts what TLS was given. */
async function gatedServer(limits: HandshakeLimits): Promise<{ port: number; handed: () => number; mostInHandshake: () => number }> {
  const server = createServer({ key: pki.key, cert: pki.cert, ...GATED_SERVER_OPTIONS });
  servers.push(server);
  // Node's TLS wrapper, counted: what the gate hands a socket to
  const [wrap] = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  let handed = 0;
  let most = 0;
  /** the connections handed to TLS whose handshake has not ended, by client port */
  const inHandshake = new Map<number, Socket>();
  server.on('connection', (socket: Socket) => {
    handed++;
    const port = socket.remotePort!;
    inHandshake.set(port, socket);
    most = Math.max(most, inHandshake.size);
    socket.once('close', () => inHandshake.delete(port));
    wrap!.call(server, socket);
  });
  // seen before the gate sees it (and hands the next one on)
  server.on('secureConnection', (tls) => {
    inHandshake.delete(tls.remotePort!);
    tls.end();
  });
  gateHandshakes(server, limits);
  server.on('tlsClientError', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, handed: () => handed, mostInHandshake: () => most };
}

/** A client that connects and says nothing (it holds a place in the gate). */
async function idleClient(port: number): Promise<Socket> {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  socket.on('error', () => undefined);
  await new Promise((r) => socket.once('connect', r));
  return socket;
}

/** A TLS handshake with the server; resolves with how long it took (ms). */
function handshake(port: number, ca: string = pki.ca): Promise<number> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ port, host: '127.0.0.1', ca, servername: 'localhost' }, () => {
      resolve(performance.now() - start);
      socket.end();
    });
    sockets.push(socket);
    socket.on('error', reject);
  });
}

describe('the handshake gate', () => {
  it("takes Node's TLS wrapper off the server's connection event: a server made the usual way has exactly one there", () => {
    const server = createServer({ key: pki.key, cert: pki.cert });
    expect(server.listeners('connection')).toHaveLength(1);
  });

  it('has no more than its number of handshakes in progress in a burst, and every client gets through', async () => {
    const { port, handed, mostInHandshake } = await gatedServer({ inProgress: 3, holdMs: 10_000 });
    await Promise.all(Array.from({ length: 30 }, () => handshake(port)));
    expect(handed()).toBe(30);
    expect(mostInHandshake()).toBe(3);
  });

  it('keeps a connection waiting while the places are taken, and lets it in when one is freed', async () => {
    const { port } = await gatedServer({ inProgress: 1, holdMs: 10_000 });
    const idle = await idleClient(port);
    let done = false;
    const second = handshake(port).then(() => (done = true));
    await new Promise((r) => setTimeout(r, 300));
    expect(done).toBe(false);
    idle.destroy();
    await second;
  });

  it('lets a client that says nothing hold its place for holdMs only', async () => {
    const { port } = await gatedServer({ inProgress: 2, holdMs: 150 });
    await idleClient(port);
    await idleClient(port);
    const took = await handshake(port);
    expect(took).toBeGreaterThanOrEqual(140);
    expect(took).toBeLessThan(10_000);
  });

  it('lets the connections still waiting go once the server is closed (when a place is freed)', async () => {
    const server = createServer({ key: pki.key, cert: pki.cert, ...GATED_SERVER_OPTIONS });
    gateHandshakes(server, { inProgress: 1, holdMs: 200 });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const first = await idleClient(port);
    const waiting = await idleClient(port);
    const stopped = new Promise<void>((r) => server.close(() => r()));
    await new Promise((r) => waiting.once('close', r));
    first.destroy();
    await stopped;
  }, 10_000);

  it.each([
    ['the web interface', async () => webAppliance().then((w) => ({ port: Number(new URL(w.url).port), ca: w.ca, stop: w.stop }))],
    ['the AsyncOS API', async () => apiAppliance().then((a) => ({ port: Number(new URL(a.origin).port), ca: a.ca, stop: a.stop }))],
  ])('%s is gated: forty clients that say nothing hold a handshake back', async (_, start) => {
    const { port, ca, stop } = await start();
    try {
      await Promise.all(Array.from({ length: 40 }, () => idleClient(port)));
      // four places, each held 25 ms by ten of them in turn, ~250 ms (ungated it takes a few ms)
      expect(await handshake(port, ca)).toBeGreaterThanOrEqual(150);
    } finally {
      sockets.splice(0).forEach((s) => s.destroy());
      await stop();
    }
  });
});
