import { createServer, Socket, type AddressInfo, type Server } from 'node:net';
import { TLSSocket } from 'node:tls';
import SMTPConnection from 'nodemailer/lib/smtp-connection';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { ensureLabPki } from '../../src/engine/tls.js';
import { tempHome } from '../helpers/scripted.js';

/**
 * What segsim's SMTP client (delivery/smtp-client.ts) relies on in nodemailer's SMTPConnection
 * beyond its documented API (package.json pins it with a tilde range): the private `_socket`
 * (the TLS socket after STARTTLS: protocol, cipher and local address for the log), the private
 * `upgrading` flag (an error during the STARTTLS handshake is a TLS error), and the fields of its
 * errors that failure.ts sorts failures by (code, originalCode, command, responseCode, and
 * rejectedErrors of a partly refused envelope). Each on a real connection.
 */

const pki = (() => {
  const home = tempHome();
  return { lab: ensureLabPki(`${home}/lab`, ['localhost']), foreign: ensureLabPki(`${home}/foreign`, ['localhost']) };
})();

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function smtpServer(options: SMTPServerOptions): Promise<number> {
  const server = new SMTPServer({ authOptional: true, disabledCommands: ['AUTH'], logger: false, disableReverseLookup: true, ...options });
  server.on('error', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  return (server.server.address() as AddressInfo).port;
}

const plainServer = (options: SMTPServerOptions = {}) => smtpServer({ disabledCommands: ['AUTH', 'STARTTLS'], ...options });
const tlsServer = (which: 'lab' | 'foreign') => smtpServer({ key: pki[which].key, cert: pki[which].cert });

function client(port: number, options: Partial<SMTPConnection.Options> = {}): SMTPConnection {
  const conn = new SMTPConnection({ host: '127.0.0.1', port, secure: false, logger: false, tls: { minVersion: 'TLSv1.2', ca: pki.lab.ca }, ...options });
  closers.push(async () => conn.close());
  return conn;
}

/** Connects; resolves with the error (and the `upgrading` flag as it was when 'error' was emitted), or null. */
function connect(conn: SMTPConnection): Promise<{ error: SMTPConnection.SMTPError & { originalCode?: string }; upgrading: unknown } | null> {
  return new Promise((resolve) => {
    conn.once('error', (error: SMTPConnection.SMTPError) => resolve({ error, upgrading: (conn as unknown as { upgrading?: boolean }).upgrading }));
    conn.connect((error) => (error ? undefined : resolve(null)));
  });
}

const privateSocket = (conn: SMTPConnection) => (conn as unknown as { _socket?: unknown })._socket;

describe('nodemailer SMTPConnection: the internals segsim relies on', () => {
  it("_socket is the connection's socket: its local address on a plaintext connection, and secure is false", async () => {
    const conn = client(await plainServer(), { ignoreTLS: true });
    expect(await connect(conn)).toBeNull();
    expect(privateSocket(conn)).toBeInstanceOf(Socket);
    expect((privateSocket(conn) as Socket).localAddress).toBe('127.0.0.1');
    expect(conn.secure).toBe(false);
  });

  it('after STARTTLS, _socket is the TLS socket (protocol and cipher), secure is true and upgrading is no longer true', async () => {
    const conn = client(await tlsServer('lab'), { requireTLS: true });
    expect(await connect(conn)).toBeNull();
    expect(conn.secure).toBe(true);
    const socket = privateSocket(conn);
    expect(socket).toBeInstanceOf(TLSSocket);
    expect((socket as TLSSocket).getProtocol()).toMatch(/^TLSv1\.[23]$/);
    expect((socket as TLSSocket).getCipher().name).toMatch(/\w/);
    expect((socket as TLSSocket).localAddress).toBe('127.0.0.1');
    expect((conn as unknown as { upgrading?: boolean }).upgrading).not.toBe(true);
  });

  it('upgrading is true when a STARTTLS handshake fails; the error carries the X.509 code as originalCode', async () => {
    const failed = await connect(client(await tlsServer('foreign'), { requireTLS: true }));
    expect(failed).not.toBeNull();
    expect(failed!.upgrading).toBe(true);
    expect(failed!.error.originalCode).toMatch(/^(?!ERR_)[A-Z_]+$/);
  });

  it('upgrading is not true for a failure before any TLS: a refused connection is ESOCKET with originalCode ECONNREFUSED', async () => {
    const closed: Server = createServer();
    await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const failed = await connect(client(port));
    expect(failed!.upgrading).not.toBe(true);
    expect(failed!.error).toMatchObject({ code: 'ESOCKET', originalCode: 'ECONNREFUSED' });
  });

  it('a server that offers no STARTTLS, with TLS required: code ETLS, command STARTTLS, and no plaintext transaction', async () => {
    let mailFrom = false;
    const failed = await connect(client(await plainServer({ onMailFrom: (_a, _s, cb) => ((mailFrom = true), cb()) }), { requireTLS: true }));
    expect(failed!.error).toMatchObject({ code: 'ETLS', command: 'STARTTLS' });
    expect(mailFrom).toBe(false);
  });

  it('a server that never greets: code ETIMEDOUT', async () => {
    const silent: Server = createServer(() => undefined);
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    closers.push(() => new Promise<void>((r) => silent.close(() => r())));
    const failed = await connect(client((silent.address() as AddressInfo).port, { greetingTimeout: 200 }));
    expect(failed!.error.code).toBe('ETIMEDOUT');
  });

  it('a refused recipient: responseCode, response and command RCPT TO; one of two refused: accepted, rejected and rejectedErrors in the result', async () => {
    const port = await plainServer({ onRcptTo: (a, _s, cb) => cb(a.address.startsWith('no') ? Object.assign(new Error('5.1.1 no such user'), { responseCode: 550 }) : undefined) });
    const conn = client(port, { ignoreTLS: true });
    expect(await connect(conn)).toBeNull();
    const send = (to: string[]) =>
      new Promise<{ err: (SMTPConnection.SMTPError & { command?: string }) | null; info: SMTPConnection.SentMessageInfo & { rejectedErrors?: SMTPConnection.SMTPError[] } }>((resolve) =>
        conn.send({ from: 'a@outside.example', to }, Buffer.from('Subject: x\r\n\r\nhello\r\n'), (err, info) => resolve({ err, info })),
      );
    const refused = await send(['no@example.com']);
    expect(refused.err).toMatchObject({ responseCode: 550, command: 'RCPT TO', response: expect.stringContaining('5.1.1 no such user') });
    await new Promise<void>((resolve, reject) => conn.reset((err) => (err ? reject(err) : resolve())));
    const partly = await send(['yes@example.com', 'no@example.com']);
    expect(partly.err).toBeNull();
    expect(partly.info.accepted).toEqual(['yes@example.com']);
    expect(partly.info.rejected).toEqual(['no@example.com']);
    expect(partly.info.rejectedErrors).toHaveLength(1);
    expect(partly.info.rejectedErrors![0]).toMatchObject({ responseCode: 550, command: 'RCPT TO' });
    expect(partly.info.response).toMatch(/^250 /);
  });
});
