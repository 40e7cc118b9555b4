import type { TLSSocket } from 'node:tls';
import type { SMTPServer, SMTPServerAddress, SMTPServerDataStream, SMTPServerOptions, SMTPServerSession } from 'smtp-server';

/** A refusal with an SMTP code: thrown by a hook, it becomes the SMTP reply. */
export class SmtpReply extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

/**
 * What a server does at each SMTP step, as async functions. Each may throw an SmtpReply to refuse;
 * `data` resolves the text of the 250 (smtp-server's own when undefined).
 */
export interface SmtpHooks {
  connect?(session: SMTPServerSession): void | Promise<void>;
  /** after a STARTTLS handshake, on the TLS socket */
  secure?(socket: TLSSocket, session: SMTPServerSession): void | Promise<void>;
  mailFrom?(address: SMTPServerAddress, session: SMTPServerSession): void | Promise<void>;
  rcptTo?(address: SMTPServerAddress, session: SMTPServerSession): void | Promise<void>;
  /** the stream is read with readMessage (so that a hook may wait before it reads) */
  data?(stream: SMTPServerDataStream, session: SMTPServerSession): string | void | Promise<string | void>;
  close?(session: SMTPServerSession): void;
}

export interface SmtpAdapterOptions {
  /**
   * The reply text of an unexpected error (a file that cannot be written): always a temporary
   * 451, so the client tries again later and nothing is lost.
   */
  localError?: (message: string) => string;
}

type SmtpCallbacks = Pick<SMTPServerOptions, 'onConnect' | 'onSecure' | 'onMailFrom' | 'onRcptTo' | 'onData' | 'onClose' | 'disableReverseLookup'>;

const defaultLocalError = (message: string) => `4.3.0 Local error in processing: ${message} (segsim)`;

/**
 * smtp-server's callbacks for async hooks: the one place where its callback style is adapted
 * (and where every server of segsim is kept from reverse lookups).
 * A thrown SmtpReply (or any error with a responseCode) is the reply as it is; any other error is a
 * temporary 451, never an unhandled rejection that would stop the process.
 */
export function smtpCallbacks(hooks: SmtpHooks, options: SmtpAdapterOptions = {}): SmtpCallbacks {
  const localError = options.localError ?? defaultLocalError;
  const answer = <T>(cb: (error?: Error | null, value?: T) => void, work: () => T | Promise<T>): void => {
    Promise.resolve()
      .then(work)
      .then(
        (value) => cb(null, value),
        (error: unknown) => cb(asSmtpReply(error, localError)),
      )
      // a callback that throws (smtp-server writing to a socket gone) must not become an unhandled rejection
      .catch(() => undefined);
  };
  // smtp-server would look up each client's name at the machine's DNS server: traffic off
  // loopback, and up to seconds before the greeting. segsim logs `reverse dns host unknown`.
  const callbacks: SmtpCallbacks = { disableReverseLookup: true };
  const { connect, secure, mailFrom, rcptTo, data, close } = hooks;
  if (connect) callbacks.onConnect = (session, cb) => answer(cb, () => connect(session));
  // smtp-server calls onSecure only after a handshake, so the socket is a TLS socket
  if (secure) callbacks.onSecure = (socket, session, cb) => answer(cb, () => secure(socket as TLSSocket, session));
  if (mailFrom) callbacks.onMailFrom = (address, session, cb) => answer(cb, () => mailFrom(address, session));
  if (rcptTo) callbacks.onRcptTo = (address, session, cb) => answer(cb, () => rcptTo(address, session));
  if (data) callbacks.onData = (stream, session, cb) => answer(cb as (error?: Error | null, value?: string | void) => void, () => data(stream, session));
  if (close) callbacks.onClose = (session) => close(session);
  return callbacks;
}

/** The texts of the replies smtp-server words itself, for a server that must speak as another MTA. */
export interface SmtpReplyTexts {
  /** the 250 to an accepted MAIL FROM (smtp-server: `Accepted`) */
  sender(address: string): string;
  /** the 250 to an accepted RCPT TO (smtp-server: `Accepted`) */
  recipient(address: string): string;
  /** the 354 to DATA (smtp-server: `End data with <CR><LF>.<CR><LF>`) */
  goAhead: string;
  /** the 221 to QUIT, given the server's name (smtp-server: `Bye`) */
  quit(name: string): string;
  /** the lines of the 214 to HELP (smtp-server: a link to RFC 5321) */
  help?: string[];
  /** the reply to VRFY, with an address or without (smtp-server: 252 `Try to send something...`, 501 without one) */
  verify?: { code: number; text: string };
  /** the 500 to a command the server does not know (smtp-server: `Error: command not recognized`) */
  unrecognized?: string;
  /**
   * After `count` unknown commands, the 421 that follows the last one's 500 and ends the
   * connection (smtp-server: a 421 instead of the tenth 500, `Error: too many unrecognized commands`)
   */
  badCommandLimit?: { count: number; text: string };
}

/**
 * Makes `server` answer MAIL, RCPT, DATA and QUIT with `texts`. smtp-server has no option for
 * these replies (3.x hard-codes them), so each connection's `send` (public, typed) is wrapped as
 * the server adds the connection, before it says anything: the code and the enhanced status stay
 * smtp-server's, only the text is replaced. Only these four replies are told apart, by code and
 * by the context smtp-server passes (`MAIL_FROM_OK`, `RCPT_TO_OK`); 354 and 221 are sent by DATA
 * and QUIT alone. The addresses are the ones the server accepted, as the hooks saw them.
 *
 * With `help` and `verify`, the connection's HELP and VRFY handlers (typed members that
 * smtp-server looks up by name on the connection for each command) are replaced. With
 * `unrecognized`, the 500 smtp-server sends for a command it has no handler for (the only 500
 * it sends with the command's name as context) is reworded, counted per connection and, at
 * `badCommandLimit`, followed by the 421 (on which smtp-server closes the connection). Commands
 * smtp-server has but the server should not know go in its `disabledCommands` option.
 *
 * None of this is smtp-server's documented API: it is pinned to a tilde range, and
 * test/contracts/smtp-server.test.ts checks each part of it.
 */
export function speakAs(server: SMTPServer, texts: SmtpReplyTexts): SMTPServer {
  const accepted = new WeakMap<SMTPServerSession, { sender: string; recipient: string }>();
  const seen = (session: SMTPServerSession) => {
    let addresses = accepted.get(session);
    if (!addresses) accepted.set(session, (addresses = { sender: '', recipient: '' }));
    return addresses;
  };
  // the hooks (set from the options by the constructor) run first; an address is noted once they accept it
  const onMailFrom = server.onMailFrom.bind(server);
  const onRcptTo = server.onRcptTo.bind(server);
  server.onMailFrom = (address, session, cb) =>
    onMailFrom(address, session, (error) => {
      if (!error) seen(session).sender = address.address;
      cb(error);
    });
  server.onRcptTo = (address, session, cb) =>
    onRcptTo(address, session, (error) => {
      if (!error) seen(session).recipient = address.address;
      cb(error);
    });
  const connections = server.connections;
  const add = connections.add.bind(connections);
  connections.add = (connection) => {
    const send = connection.send.bind(connection);
    let badCommands = 0;
    connection.send = (code, data, context) => {
      if (code === 250 && context === 'MAIL_FROM_OK') return send(code, texts.sender(seen(connection.session).sender), context);
      if (code === 250 && context === 'RCPT_TO_OK') return send(code, texts.recipient(seen(connection.session).recipient), context);
      if (code === 354) return send(code, texts.goAhead, context);
      if (code === 221) return send(code, texts.quit(connection.name), context);
      if (code === 500 && typeof context === 'string' && texts.unrecognized !== undefined) {
        send(code, texts.unrecognized, context);
        const limit = texts.badCommandLimit;
        if (limit && ++badCommands >= limit.count) send(421, limit.text, false);
        return;
      }
      return send(code, data, context);
    };
    const { help, verify } = texts;
    if (help)
      connection.handler_HELP = (_command, callback) => {
        send(214, help);
        callback();
      };
    if (verify)
      connection.handler_VRFY = (_command, callback) => {
        send(verify.code, verify.text);
        callback();
      };
    return add(connection);
  };
  return server;
}

/**
 * Makes `server` greet a client as soon as it connects, as AsyncOS does: smtp-server holds every
 * greeting 100 ms to catch clients that talk first (a fixed timer in its connection's `init`, with
 * no option), and an ESA has no such wait. As the server adds a connection, its `init` is replaced
 * by the same steps without the timer: the socket's listeners (`_setListeners`), then
 * `connectionReady`, which asks the onConnect hook and sends the 220. A client that talks before
 * the 220 is still refused by smtp-server. The connection limit that `init` checks (`maxClients`)
 * is not kept, so a server with one is refused here. Pinned with speakAs; see
 * test/contracts/smtp-server.test.ts.
 */
export function greetAtOnce(server: SMTPServer): SMTPServer {
  if (server.options.maxClients) throw new Error('greetAtOnce: smtp-server checks maxClients in the init this replaces');
  const connections = server.connections;
  const add = connections.add.bind(connections);
  connections.add = (connection) => {
    connection.init = () => connection._setListeners(() => connection.connectionReady());
    return add(connection);
  };
  return server;
}

/** An error as smtp-server's reply: a refusal as it is, anything else a temporary local error. */
function asSmtpReply(error: unknown, localError: (message: string) => string): Error {
  if (error instanceof Error && typeof (error as { responseCode?: unknown }).responseCode === 'number') return error;
  return new SmtpReply(451, localError(error instanceof Error ? error.message : String(error)));
}

/** The message of a DATA stream, whole, and whether it went over the server's SIZE limit. */
export async function readMessage(stream: SMTPServerDataStream): Promise<{ body: Buffer; sizeExceeded: boolean }> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return { body: Buffer.concat(chunks), sizeExceeded: stream.sizeExceeded };
}

/** The client's IP address without the IPv4-in-IPv6 prefix. */
export const remoteIp = (session: SMTPServerSession): string => session.remoteAddress.replace(/^::ffff:/, '');
