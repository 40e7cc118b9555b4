import type { Socket } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { ListenerConfig } from '../config/model.js';
import { memberMatches } from '../policy-match.js';
import { tlsSummary, type LabPki } from '../tls.js';
import { readHeaders } from './headers.js';
import { greetAtOnce, readMessage, remoteIp, smtpCallbacks, SmtpReply, speakAs, type SmtpReplyTexts } from './smtp-adapter.js';

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
  /** at TCP accept: whether the Host Access Table refuses the host outright (TCPREFUSE) */
  refusesTcp(remoteIp: string, localIp: string): boolean;
  /** a new SMTP connection, from `remoteIp` to the listener's `localIp`: its ICID; throws an SmtpReply when the HAT rejects the host */
  connect(remoteIp: string, localIp: string): number;
  /** the client started TLS (STARTTLS) */
  tls(icid: number, tls: { protocol: string; cipher: string }): void;
  mailFrom(icid: number, from: string): number;
  /** accepts or refuses a recipient (throws SmtpReply) and returns its RID */
  rcptTo(icid: number, mid: number, address: string, rid: number): number;
  /** stores the message durably; resolves only when it is on disk */
  data(message: AcceptedMessage): Promise<void>;
  tooBig(icid: number, mid: number, size: number): void;
  /**
   * A transaction that ended without a message accepted: its recipients all refused, a reset
   * (RSET, EHLO, STARTTLS) or the end of the connection before DATA completed, or DATA refused.
   */
  aborted(icid: number, mid: number): void;
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
 * The listener's replies as an ESA words them: MAIL, RCPT, DATA, QUIT (reference §10.6,
 * [TN-118234]); HELP, unknown commands and their limit, VRFY (Cisco TN 214630, fidelity-sources A1).
 */
const ESA_REPLIES: SmtpReplyTexts = {
  sender: (address) => `sender <${address}> ok`,
  recipient: (address) => `recipient <${address}> ok`,
  goAhead: 'go ahead',
  quit: (hostname) => hostname,
  help: ['The following commands are recognized', ' auth data ehlo helo', ' help mail noop quit', 'rcpt rset vrfy'],
  // "always return a '2xx ok' response": the code and the text are the TN's words, not a sample
  verify: { code: 252, text: 'ok' },
  unrecognized: '#5.5.1 command not recognized',
  badCommandLimit: { count: 5, text: 'Exceeded bad SMTP command limit, disconnecting.' },
};

/** Commands smtp-server has and an ESA does not (AUTH: segsim's listener offers no SMTP AUTH): they get the 500 of an unknown command. */
const NOT_AN_ESA_COMMAND = ['AUTH', 'XCLIENT', 'XFORWARD', 'WIZ', 'SHELL', 'KILL'];

/**
 * Committed listener settings that smtp-server reads per connection (the banner's hostname and
 * the SIZE limit) take effect for the next connection; the RAT is read per recipient anyway.
 */
export function refreshListener(server: SMTPServer, listener: Readonly<ListenerConfig>, hostname: string): void {
  server.options.name = hostname;
  server.options.size = listener.maxMessageSize;
}

/**
 * Puts a gate before smtp-server's own handling of accepted sockets: a host that `refuses` names
 * is reset at once, with no reply, as the HAT's TCPREFUSE does on the appliance. smtp-server
 * takes its sockets through the one 'connection' listener of its net.Server (net.createServer's
 * documented listener); that listener is moved behind the gate, so that a refused socket never
 * reaches it (nor its reverse lookup). That smtp-server takes sockets so, and
 * reads `options` per connection (refreshListener), is checked in test/contracts/smtp-server.test.ts.
 */
function gateConnections(server: SMTPServer, refuses: (remoteIp: string, localIp: string) => boolean): void {
  const tcp = server.server;
  const accept = tcp.listeners('connection') as ((socket: Socket) => void)[];
  tcp.removeAllListeners('connection');
  tcp.on('connection', (socket: Socket) => {
    if (refuses((socket.remoteAddress ?? '').replace(/^::ffff:/, ''), (socket.localAddress ?? '').replace(/^::ffff:/, ''))) socket.resetAndDestroy();
    else for (const listener of accept) listener.call(tcp, socket);
  });
}

/**
 * The SMTP listener: the appliance's hooks behind smtp-server, through the one adapter
 * (smtp-adapter.ts); a thrown SmtpReply becomes the SMTP reply.
 */
export function createListener(config: () => ListenerConfig, pki: LabPki, hostname: () => string, hooks: ListenerHooks): SMTPServer {
  const transactions = new Map<string, Transaction>();
  const icids = new Map<string, number>();
  /** ends a session's open transaction, if any, as aborted */
  const abandon = (sessionId: string) => {
    const t = transactions.get(sessionId);
    if (!t) return;
    transactions.delete(sessionId);
    hooks.aborted(t.icid, t.mid);
  };
  const server = new SMTPServer({
    // as an ESA speaks (reference §10.6): `220 host ESMTP`, `250 host` to HELO, and the extensions
    // 8BITMIME, SIZE, SMTPUTF8, STARTTLS only; AsyncOS puts its enhanced codes in the text (#5.1.0)
    name: hostname(),
    banner: '',
    heloResponse: '%s',
    hidePIPELINING: true,
    hideENHANCEDSTATUSCODES: true,
    hideDSN: true,
    size: config().maxMessageSize,
    authOptional: true,
    disabledCommands: NOT_AN_ESA_COMMAND,
    key: pki.key,
    cert: pki.cert,
    minVersion: 'TLSv1.2',
    logger: false,
    socketTimeout: 60_000,
    ...smtpCallbacks({
      connect(session) {
        icids.set(session.id, hooks.connect(remoteIp(session), session.localAddress.replace(/^::ffff:/, '')));
      },
      secure(socket, session) {
        hooks.tls(icids.get(session.id)!, tlsSummary(socket));
      },
      mailFrom(address, session) {
        const icid = icids.get(session.id)!;
        // a transaction smtp-server reset (RSET, EHLO, STARTTLS) without telling: this MAIL ends it
        abandon(session.id);
        // smtp-server itself refuses a SIZE= above the limit with 552 before this
        const mid = hooks.mailFrom(icid, address.address);
        transactions.set(session.id, { icid, mid, from: address.address, rcpts: [] });
      },
      rcptTo(address, session) {
        const t = transactions.get(session.id)!;
        const rid = hooks.rcptTo(t.icid, t.mid, address.address, t.rcpts.length);
        t.rcpts.push({ rid, address: address.address });
      },
      async data(stream, session) {
        const t = transactions.get(session.id)!;
        const { body, sizeExceeded } = await readMessage(stream);
        transactions.delete(session.id);
        if (sizeExceeded) {
          hooks.tooBig(t.icid, t.mid, body.length);
          hooks.aborted(t.icid, t.mid);
          throw new SmtpReply(552, '#5.3.4 Message size exceeds fixed maximum message size');
        }
        const headers = readHeaders(body);
        try {
          await hooks.data({
            ...t,
            remoteIp: remoteIp(session),
            body,
            messageId: headers.get('message-id') ?? '',
            subject: headers.get('subject') ?? '',
          });
        } catch (error) {
          // not stored: answered 451, and the client sends it again in a new transaction
          hooks.aborted(t.icid, t.mid);
          throw error;
        }
        return `ok:  Message ${t.mid} accepted`;
      },
      close(session) {
        const icid = icids.get(session.id);
        abandon(session.id);
        icids.delete(session.id);
        if (icid !== undefined) hooks.close(icid);
      },
    }),
  });
  gateConnections(server, (ip, localIp) => hooks.refusesTcp(ip, localIp));
  return speakAs(greetAtOnce(server), ESA_REPLIES);
}
