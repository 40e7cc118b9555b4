import { SMTPServer, type SMTPServerAddress, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { ListenerConfig } from '../config/model.js';
import { memberMatches } from '../policy-match.js';
import type { LabPki } from '../tls.js';
import { readHeaders } from './headers.js';

/** A refusal with an SMTP code, as smtp-server wants it. */
export class SmtpReply extends Error {
  constructor(
    readonly responseCode: number,
    message: string,
  ) {
    super(message);
  }
}

export interface AcceptedMessage {
  icid: number;
  mid: number;
  from: string;
  rcpts: { rid: number; address: string }[];
  remoteIp: string;
  body: Buffer;
  messageId: string;
  subject: string;
}

/** What the listener asks of the appliance, as async functions. */
export interface ListenerHooks {
  connect(remoteIp: string): number;
  mailFrom(icid: number, from: string): number;
  /** accepts or refuses a recipient (throws SmtpReply) and returns its RID */
  rcptTo(icid: number, mid: number, address: string, rid: number): number;
  /** stores the message durably; resolves only when it is on disk */
  data(message: AcceptedMessage): Promise<void>;
  tooBig(icid: number, mid: number, size: number): void;
  close(icid: number): void;
}

interface Transaction {
  icid: number;
  mid: number;
  from: string;
  rcpts: { rid: number; address: string }[];
}

/** Whether the RAT accepts a recipient: its domain is listed (or a .partial domain, or ALL). */
export function ratAccepts(listener: ListenerConfig, address: string): boolean {
  return listener.acceptDomains.some((d) => d.toUpperCase() === 'ALL' || memberMatches(d, address));
}

/**
 * Committed listener settings that smtp-server reads per connection (the banner's hostname and
 * the SIZE limit) take effect for the next connection; the RAT is read per recipient anyway.
 */
export function refreshListener(server: SMTPServer, listener: Readonly<ListenerConfig>, hostname: string): void {
  server.options.name = hostname;
  server.options.size = listener.maxMessageSize;
}

/**
 * The SMTP listener. smtp-server's callbacks are adapted to the async hooks here and nowhere
 * else; a thrown SmtpReply becomes the SMTP reply.
 */
export function createListener(config: () => ListenerConfig, pki: LabPki, hostname: () => string, hooks: ListenerHooks): SMTPServer {
  const transactions = new Map<string, Transaction>();
  const icids = new Map<string, number>();
  const reply = <T>(cb: (err?: Error | null, value?: T) => void, work: () => T | Promise<T>) => {
    Promise.resolve()
      .then(work)
      .then(
        (value) => cb(null, value),
        (error: unknown) => cb(error instanceof Error ? error : new Error(String(error))),
      );
  };
  return new SMTPServer({
    name: hostname(),
    banner: 'AsyncOS 15.5 (segsim)',
    size: config().maxMessageSize,
    authOptional: true,
    disabledCommands: ['AUTH'],
    key: pki.key,
    cert: pki.cert,
    minVersion: 'TLSv1.2',
    logger: false,
    socketTimeout: 60_000,
    onConnect(session: SMTPServerSession, cb) {
      reply(cb, () => {
        icids.set(session.id, hooks.connect(session.remoteAddress.replace(/^::ffff:/, '')));
      });
    },
    onMailFrom(address: SMTPServerAddress, session: SMTPServerSession, cb) {
      reply(cb, () => {
        const icid = icids.get(session.id)!;
        // smtp-server itself refuses a SIZE= above the limit with 552 before this
        const mid = hooks.mailFrom(icid, address.address);
        transactions.set(session.id, { icid, mid, from: address.address, rcpts: [] });
      });
    },
    onRcptTo(address: SMTPServerAddress, session: SMTPServerSession, cb) {
      reply(cb, () => {
        const t = transactions.get(session.id)!;
        const rid = hooks.rcptTo(t.icid, t.mid, address.address, t.rcpts.length);
        t.rcpts.push({ rid, address: address.address });
      });
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, cb) {
      const t = transactions.get(session.id)!;
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        transactions.delete(session.id);
        const body = Buffer.concat(chunks);
        if (stream.sizeExceeded) {
          hooks.tooBig(t.icid, t.mid, body.length);
          cb(new SmtpReply(552, '#5.3.4 Message size exceeds fixed maximum message size'));
          return;
        }
        const headers = readHeaders(body);
        reply(cb, async () => {
          await hooks.data({
            ...t,
            remoteIp: session.remoteAddress.replace(/^::ffff:/, ''),
            body,
            messageId: headers.get('message-id') ?? '',
            subject: headers.get('subject') ?? '',
          });
          return `ok:  Message ${t.mid} accepted`;
        });
      });
    },
    onClose(session: SMTPServerSession) {
      const icid = icids.get(session.id);
      icids.delete(session.id);
      transactions.delete(session.id);
      if (icid !== undefined) hooks.close(icid);
    },
  });
}
