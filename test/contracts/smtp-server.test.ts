import { connect, createServer, type AddressInfo, type Server } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { greetAtOnce } from '../../src/engine/mail/smtp-adapter.js';
import { dialogue } from '../helpers/smtp-dialogue.js';

/**
 * What segsim relies on in smtp-server beyond its documented options (package.json pins it with
 * a tilde range): speakAs (smtp-adapter.ts) rewords four replies through each connection's
 * `send` and wraps the instance's onMailFrom/onRcptTo; refreshListener (listener.ts) changes
 * `server.options` for the next connection; gateConnections (listener.ts) and the SETD intake
 * (setd/intake-server.ts) hand sockets to smtp-server through its net.Server's 'connection'
 * listener; speakAs also replaces a connection's handler_HELP and handler_VRFY and rewords (and
 * counts) the 500 of an unknown command, which smtp-server sends with the command as context;
 * greetAtOnce (smtp-adapter.ts) replaces a connection's `init`, whose 100 ms timer holds the 220.
 * An upgrade that changes one of these fails here, not in a lab.
 */

const servers: SMTPServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

async function listen(options: SMTPServerOptions = {}): Promise<{ server: SMTPServer; port: number }> {
  const server = new SMTPServer({ authOptional: true, disabledCommands: ['AUTH', 'STARTTLS'], logger: false, disableReverseLookup: true, ...options });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, port: (server.server.address() as AddressInfo).port };
}

const MESSAGE = ['MAIL FROM:<a@outside.example>', 'RCPT TO:<b@example.com>', 'DATA', 'Subject: x\r\n\r\nhello\r\n.', 'QUIT'];

describe('smtp-server: the internals segsim relies on', () => {
  it('words MAIL, RCPT, DATA and QUIT itself (no option changes them): the texts speakAs replaces', async () => {
    const { port } = await listen({ name: 'mx.test' });
    const lines = await dialogue(port, ['EHLO client.test', ...MESSAGE]);
    expect(lines).toContain('250 Accepted');
    expect(lines.filter((l) => l === '250 Accepted')).toHaveLength(2);
    expect(lines).toContain('354 End data with <CR><LF>.<CR><LF>');
    expect(lines.at(-1)).toBe('221 Bye');
  });

  it('adds each connection to server.connections before its greeting, and sends every reply through connection.send(code, text, context)', async () => {
    const { server, port } = await listen({ name: 'mx.test' });
    expect(server.connections).toBeInstanceOf(Set);
    const sent: [number, unknown, unknown][] = [];
    const add = server.connections.add.bind(server.connections);
    server.connections.add = (connection) => {
      expect(typeof connection.send).toBe('function');
      const send = connection.send.bind(connection);
      connection.send = (code, data, context) => {
        sent.push([code, data, context]);
        // the session and the server's name, as speakAs reads them
        expect(connection.session).toMatchObject({ id: expect.any(String) });
        expect(connection.name).toBe('mx.test');
        return send(code, data, context);
      };
      return add(connection);
    };
    await dialogue(port, ['EHLO client.test', ...MESSAGE]);
    expect(sent[0]![0]).toBe(220);
    expect(sent).toContainEqual([250, 'Accepted', 'MAIL_FROM_OK']);
    expect(sent).toContainEqual([250, 'Accepted', 'RCPT_TO_OK']);
    expect(sent.filter(([code]) => code === 354)).toHaveLength(1);
    expect(sent.filter(([code]) => code === 221)).toHaveLength(1);
    expect(sent.find(([code]) => code === 221)![1]).toBe('Bye');
  });

  it('calls the instance onMailFrom and onRcptTo at each command: a wrapper set after construction runs, and the options hook behind it', async () => {
    const seen: string[] = [];
    const { server, port } = await listen({
      onMailFrom: (address, _session, cb) => (seen.push(`hook ${address.address}`), cb()),
      onRcptTo: (address, _session, cb) => (seen.push(`hook ${address.address}`), cb()),
    });
    const mailFrom = server.onMailFrom.bind(server);
    const rcptTo = server.onRcptTo.bind(server);
    server.onMailFrom = (address, session, cb) => (seen.push('wrapper MAIL'), mailFrom(address, session, cb));
    server.onRcptTo = (address, session, cb) => (seen.push('wrapper RCPT'), rcptTo(address, session, cb));
    await dialogue(port, ['EHLO client.test', ...MESSAGE]);
    expect(seen).toEqual(['wrapper MAIL', 'hook a@outside.example', 'wrapper RCPT', 'hook b@example.com']);
  });

  it('reads server.options.name and .size for each new connection', async () => {
    const { server, port } = await listen({ name: 'before.test', size: 4096 });
    const first = await dialogue(port, ['EHLO client.test']);
    expect(first[0]).toMatch(/^220 before\.test /);
    expect(first).toContainEqual(expect.stringMatching(/^250[- ]SIZE 4096$/));
    server.options.name = 'after.test';
    server.options.size = 8192;
    const second = await dialogue(port, ['EHLO client.test']);
    expect(second[0]).toMatch(/^220 after\.test /);
    expect(second).toContainEqual(expect.stringMatching(/^250[- ]SIZE 8192$/));
  });

  it('refuses MAIL FROM with a SIZE above its limit with 552 before onMailFrom is asked', async () => {
    let asked = false;
    const { port } = await listen({ size: 1024, onMailFrom: (_a, _s, cb) => ((asked = true), cb()) });
    const lines = await dialogue(port, ['EHLO client.test', 'MAIL FROM:<a@outside.example> SIZE=5000']);
    expect(lines.at(-1)).toMatch(/^552 /);
    expect(asked).toBe(false);
  });

  it("takes its sockets through one listener of its net.Server's connection event: a socket emitted there is served", async () => {
    const { server } = await listen({ name: 'handed.test' });
    expect(server.server.listeners('connection')).toHaveLength(1);
    const front: Server = createServer((socket) => server.server.emit('connection', socket));
    await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
    try {
      const lines = await dialogue((front.address() as AddressInfo).port, ['EHLO client.test', ...MESSAGE]);
      expect(lines[0]).toMatch(/^220 handed\.test /);
      expect(lines.at(-1)).toBe('221 Bye');
    } finally {
      await new Promise<void>((r) => front.close(() => r()));
    }
  });

  it('sends the 500 of an unknown command with the command as context (its only 500 with one), and a disabled command is unknown', async () => {
    const { server, port } = await listen({ disabledCommands: ['AUTH', 'STARTTLS', 'WIZ'] });
    const sent: [number, unknown, unknown][] = [];
    const add = server.connections.add.bind(server.connections);
    server.connections.add = (connection) => {
      const send = connection.send.bind(connection);
      connection.send = (code, data, context) => (sent.push([code, data, context]), send(code, data, context));
      return add(connection);
    };
    const lines = await dialogue(port, ['EHLO client.test', 'FOO bar', 'WIZ secret', 'MAIL FROM:<bad', 'VRFY']);
    expect(sent).toContainEqual([500, 'Error: command not recognized', 'FOO']);
    expect(sent).toContainEqual([500, 'Error: command not recognized', 'WIZ']);
    expect(sent.filter(([code, , context]) => code === 500 && typeof context === 'string')).toHaveLength(2);
    // the syntax errors of known commands are other codes
    expect(lines.slice(-2).map((l) => l.slice(0, 3))).toEqual(['501', '501']);
  });

  it("looks a command's handler up by name on the connection: handler_HELP and handler_VRFY set on it answer", async () => {
    const { server, port } = await listen();
    const add = server.connections.add.bind(server.connections);
    server.connections.add = (connection) => {
      connection.handler_HELP = (_command, callback) => (connection.send(214, ['first', 'last']), callback());
      connection.handler_VRFY = (_command, callback) => (connection.send(252, 'checked'), callback());
      return add(connection);
    };
    const lines = await dialogue(port, ['EHLO client.test', 'HELP', 'VRFY someone', 'VRFY']);
    expect(lines.slice(-4)).toEqual(['214-first', '214 last', '252 checked', '252 checked']);
  });

  it('closes the connection after a 421 sent through connection.send', async () => {
    const { server, port } = await listen();
    const add = server.connections.add.bind(server.connections);
    server.connections.add = (connection) => {
      connection.handler_NOOP = (_command, callback) => (connection.send(421, 'going', false), callback());
      return add(connection);
    };
    const socket = connect(port, '127.0.0.1');
    let text = '';
    socket.once('data', () => socket.write('NOOP\r\n'));
    socket.on('data', (d: Buffer) => (text += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => (socket.destroy(), reject(new Error(`still open: ${text}`))), 5_000);
      socket.on('end', () => (clearTimeout(timer), resolve()));
    });
    socket.destroy();
    expect(text).toContain('421 going\r\n');
  });

  describe('the greeting', () => {
    const setRealTimeout = globalThis.setTimeout;
    const clearRealTimeout = globalThis.clearTimeout;
    afterEach(() => vi.useRealTimers());

    /** The first line the server sends, or null if none came in `ms` of real time. */
    async function firstLine(port: number, ms: number): Promise<string | null> {
      const socket = connect(port, '127.0.0.1');
      try {
        return await new Promise<string | null>((resolve, reject) => {
          const timer = setRealTimeout(() => resolve(null), ms);
          socket.once('data', (d: Buffer) => (clearRealTimeout(timer), resolve(d.toString().split('\r\n')[0]!)));
          socket.on('error', reject);
        });
      } finally {
        socket.destroy();
      }
    }
    it("is held by a 100 ms timer of the connection's (what greetAtOnce takes away): with timers stopped, no 220 comes", async () => {
      const { port } = await listen({ name: 'mx.test' });
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      expect(await firstLine(port, 500)).toBeNull();
    });

    it('comes at once with greetAtOnce, timers stopped, after the onConnect hook', async () => {
      const connected: string[] = [];
      const { server, port } = await listen({ name: 'mx.test', onConnect: (session, cb) => (connected.push(session.id), cb()) });
      greetAtOnce(server);
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
      expect(await firstLine(port, 5_000)).toMatch(/^220 mx\.test /);
      expect(connected).toHaveLength(1);
    });

    it('is refused to a server with a connection limit (checked in the init greetAtOnce replaces)', async () => {
      const { server } = await listen({ maxClients: 10 });
      expect(() => greetAtOnce(server)).toThrow(/maxClients/);
    });
  });
});
