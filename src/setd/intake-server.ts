import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { AddressObject, ParsedMail } from 'mailparser';
import { SMTPServer, type SMTPServerSession } from 'smtp-server';
import { readMessage, remoteIp, smtpCallbacks, SmtpReply } from '../engine/mail/smtp-adapter.js';
import { labPki } from '../engine/tls.js';
import { intakeDomains } from './regions.js';
import { INTAKE_TLS, type SetdTlsVersion } from './intake-tls.js';
import type { Fault, ReceivedJournal, SetdAccount, SetdStore } from './store.js';
import { attachedOriginal } from './journal-part.js';
import { VERDICT_HEADER, verdictFor } from './verdicts.js';

const FAULT_TEXT: Record<number, string> = {
  421: '4.7.0 Service not available, closing transmission channel (segsim fault)',
  450: '4.2.1 Mailbox busy, try again later (segsim fault)',
  451: '4.7.1 Temporary failure, try again later (segsim fault)',
  452: '4.3.1 Insufficient system storage (segsim fault)',
  503: '5.5.1 Bad sequence of commands (segsim fault)',
  550: '5.7.1 Message rejected (segsim fault)',
  552: '5.3.4 Message size exceeds fixed limit (segsim fault)',
  554: '5.7.1 Transaction failed (segsim fault)',
};

const refusal = (code: number, text?: string) => new SmtpReply(code, text ?? FAULT_TEXT[code] ?? `${String(code)[0]}.0.0 segsim fault`);
const CONNECTION_MODES = new Set(['tls', 'timeout', 'refuse', 'slow']);
const REFUSE_POLL_MS = 200;
/** the answer while setd/accounts.json is bad: TDC retries a 4xx once, so a quick repair saves the copy */
const UNAVAILABLE = '4.3.0 Message Intake temporarily unavailable: the SETD accounts file is not valid, see "setd accounts" (segsim)';
/** verdicts read the subject and plain text (HTML turned to text): no text-to-HTML, no link detection */
/**
 * mailparser (with its character-set tables, ~6 MB of heap), loaded by the first journal received,
 * not by every appliance that runs the emulator; later journals reuse it.
 */
let mailparser: Promise<typeof import('mailparser')> | null = null;

const PARSE = { skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true };

const headerText = (value: unknown) => (typeof value === 'string' ? value : undefined);

function addresses(value: AddressObject | AddressObject[] | undefined): string[] {
  const list = Array.isArray(value) ? value : value ? [value] : [];
  return list.flatMap((a) => a.value.map((v) => v.address ?? '')).filter(Boolean);
}

/**
 * The SETD intake: an SMTP server that takes journaled copies for known Message Intake Addresses
 * only, over STARTTLS (TLS 1.2 or later, required before MAIL), parses each journal, gives it a
 * verdict and stores it per account. Faults from the store are applied as connections arrive.
 */
export class SetdEmulator extends EventEmitter {
  /** made by start, with the lab certificate */
  #main: SMTPServer | null = null;
  #broken: Promise<SMTPServer> | null = null;
  readonly #front: Server;
  readonly #held = new Set<Socket>();
  /** client ports of connections that the slow fault delays */
  readonly #slow = new Set<number>();
  #bound: AddressInfo | null = null;
  #poll: NodeJS.Timeout | null = null;
  readonly #onFaults = () => this.#applyRefuse();
  /** closed by a `refuse` fault (or stopped) */
  #portClosed = false;

  readonly #maxSize: number;
  readonly #tls: SetdTlsVersion;

  constructor(
    private readonly store: SetdStore,
    private readonly tlsDir: string,
    options: { tls?: SetdTlsVersion; maxSize?: number } = {},
  ) {
    super();
    this.#maxSize = options.maxSize ?? 50 * 1024 * 1024;
    this.#tls = options.tls ?? '1.2';
    this.#front = createServer((socket) => this.#route(socket));
  }

  /**
   * Listens, with the lab certificate (made at first start off the event loop: `setd start` may
   * run beside an appliance that serves).
   */
  async start(opts: { host?: string; port?: number } = {}): Promise<AddressInfo> {
    const pki = await labPki(this.tlsDir, ['localhost', 'exchange.lab']);
    this.#main = this.#smtp(pki.key, pki.cert);
    await this.#listen(opts.port ?? 0, opts.host ?? '127.0.0.1');
    this.#bound = this.address();
    this.#poll = setInterval(() => this.#applyRefuse(), REFUSE_POLL_MS);
    this.#poll.unref();
    this.store.on('faults', this.#onFaults);
    this.#applyRefuse(); // a refuse fault already set keeps the port closed from the start
    return this.#bound;
  }

  #listen(port: number, host: string): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.#front.once('error', reject);
      this.#front.listen(port, host, () => {
        this.#front.off('error', reject);
        resolve();
      });
    });
  }

  /** Where it listens, also while a `refuse` fault keeps the port closed. */
  address(): AddressInfo {
    return this.#bound ?? (this.#front.address() as AddressInfo);
  }

  /** The regional intake domains, for the gateway's lab records. */
  intakeDomains(): string[] {
    return intakeDomains();
  }

  async stop(): Promise<void> {
    if (this.#poll) clearInterval(this.#poll);
    this.#poll = null;
    this.store.off('faults', this.#onFaults);
    for (const s of this.#held) s.destroy();
    if (!this.#portClosed) await new Promise<void>((r) => this.#front.close(() => r()));
    this.#portClosed = true;
    this.#main?.close(() => undefined);
    void this.#broken?.then(
      (s) => s.close(() => undefined),
      () => undefined,
    );
  }

  /**
   * A `refuse` fault closes the port, so that the gateway sees connection refused as from a
   * service that is down; the port opens again when the fault ends. Applied at once when the store
   * tells of a fault change; the poll notices a fault set by another process (the store stats its
   * file at most every 250 ms) and the end of a timed fault. With --next N the next N connections
   * are reset instead (a closed port cannot count attempts).
   */
  #applyRefuse(): void {
    const refuse = this.store.activeFaults().some((f) => f.mode === 'refuse' && f.remaining === undefined);
    if (refuse && !this.#portClosed) {
      this.#portClosed = true;
      this.#front.close();
    } else if (!refuse && this.#portClosed && this.#bound) {
      this.#portClosed = false;
      this.#listen(this.#bound.port, this.#bound.address).catch(() => {
        this.#portClosed = true; // taken meanwhile: try again at the next poll
      });
    }
  }

  /**
   * A server whose certificate no lab CA signed (the "tls" fault), made when first needed: its
   * CA and keys (kept in tls/setd-broken for the next time) are made off the event loop, so the
   * first faulted connection waits for them and nothing else does. A failure is tried again by
   * the next faulted connection.
   */
  #brokenServer(): Promise<SMTPServer> {
    this.#broken ??= labPki(`${this.tlsDir}/setd-broken`, ['untrusted.invalid']).then(
      (foreign) => this.#smtp(foreign.key, foreign.cert),
      (error: unknown) => {
        this.#broken = null;
        throw error;
      },
    );
    return this.#broken;
  }

  #route(socket: Socket): void {
    socket.on('error', () => undefined);
    const fault = this.store.activeFaults().find((f) => CONNECTION_MODES.has(f.mode));
    try {
      if (fault) this.store.consumeFault(fault);
    } catch {
      // the count could not be saved (a full disk): the fault goes on, the intake too
    }
    switch (fault?.mode) {
      case 'refuse':
        // counted (--next N), or arriving before the poll has closed the port
        socket.resetAndDestroy();
        return;
      case 'timeout':
        // the TCP connection is accepted and nothing is ever said
        this.#held.add(socket);
        socket.on('close', () => this.#held.delete(socket));
        return;
      case 'tls':
        this.#brokenServer().then(
          (broken) => {
            if (!socket.destroyed) broken.server.emit('connection', socket);
          },
          () => socket.destroy(),
        );
        return;
      case 'slow': {
        const port = socket.remotePort ?? 0;
        this.#slow.add(port);
        socket.on('close', () => this.#slow.delete(port));
        break;
      }
    }
    if (this.#main) this.#main.server.emit('connection', socket);
    else socket.destroy();
  }

  /** The slow fault's delay, on the appliance clock (as the gateway's timeouts are). */
  #delay(session: SMTPServerSession): Promise<void> {
    const slow = this.store.activeFaults().find((f) => f.mode === 'slow');
    if (!slow || !this.#slow.has(session.remotePort)) return Promise.resolve();
    return new Promise<void>((resolve) => void this.store.clock.setTimeout(resolve, slow.delayMs ?? 2000));
  }

  #messageFault(account: SetdAccount, at: 'rcpt' | 'data'): Fault | undefined {
    return this.store.activeFaults().find((f) => (f.mode === '4xx' || f.mode === '5xx') && (f.at ?? 'rcpt') === at && (f.account === null || f.account === account.id));
  }

  #smtp(key: string, cert: string): SMTPServer {
    // read again at DATA: accounts.json may have gone bad since RCPT, and a 250 must mean stored
    const accountsOf = (session: SMTPServerSession) =>
      session.envelope.rcptTo
        .map((r) => {
          const account = this.store.byIntakeAddress(r.address);
          if (account === 'unavailable') throw refusal(451, UNAVAILABLE);
          return account;
        })
        .filter((a): a is SetdAccount => a !== undefined);
    const server = new SMTPServer({
      name: 'intake.etd.cisco.com',
      banner: 'Cisco Secure Email Threat Defense intake (segsim)',
      key,
      cert,
      ...INTAKE_TLS[this.#tls],
      size: this.#maxSize,
      authOptional: true,
      disabledCommands: ['AUTH'],
      logger: false,
      socketTimeout: 60_000,
      ...smtpCallbacks({
        connect: (session) => this.#delay(session),
        mailFrom: async (_address, session) => {
          await this.#delay(session);
          if (!session.secure) throw refusal(530, '5.7.0 Must issue a STARTTLS command first');
        },
        rcptTo: async (address, session) => {
          await this.#delay(session);
          const account = this.store.byIntakeAddress(address.address);
          // a store file that cannot be read is the service's trouble, not the sender's: temporary
          if (account === 'unavailable') throw refusal(451, UNAVAILABLE);
          if (!account) throw refusal(550, `5.1.1 <${address.address}>: Recipient address rejected: unknown Message Intake Address`);
          const fault = this.#messageFault(account, 'rcpt');
          if (fault) {
            this.store.consumeFault(fault);
            throw refusal(fault.code ?? (fault.mode === '4xx' ? 451 : 550));
          }
        },
        data: async (stream, session) => {
          await this.#delay(session);
          const { body: journal, sizeExceeded } = await readMessage(stream);
          if (sizeExceeded) throw refusal(552, '5.3.4 Message size exceeds fixed maximum message size');
          const accounts = accountsOf(session);
          for (const account of accounts) {
            const fault = this.#messageFault(account, 'data');
            if (fault) {
              this.store.consumeFault(fault);
              throw refusal(fault.code ?? (fault.mode === '4xx' ? 451 : 554));
            }
          }
          // stored (and synced) before the 250, like any MTA
          for (const account of accounts) await this.#receive(account, journal, remoteIp(session));
          return '2.0.0 Journal accepted for scanning';
        },
      }),
    });
    // a client that fails its handshake (TLS 1.1, say) is its own problem, not the server's
    server.on('error', () => undefined);
    return server;
  }

  async #receive(account: SetdAccount, raw: Buffer, gatewayIp: string): Promise<void> {
    // the attached original is cut out by its boundary and parsed once; a journal without one
    // (or with an encoded one) is parsed whole by mailparser
    const part = attachedOriginal(raw);
    const { simpleParser } = await (mailparser ??= import('mailparser'));
    const journal: ParsedMail | null = part ? null : await simpleParser(raw, PARSE);
    const attachment = journal?.attachments.find((a) => a.contentType === 'message/rfc822');
    const original = part ? await simpleParser(part.original, PARSE) : attachment ? await simpleParser(attachment.content, PARSE) : journal!;
    const gatewayMid = part ? (part.headers.get('x-ironport-mid') ?? '') : String(journal!.headers.get('x-ironport-mid') ?? '');
    const size = part ? part.original.length : (attachment?.size ?? 0);
    const headerIp = headerText(original.headers.get(account.header.toLowerCase()));
    const record: ReceivedJournal = {
      id: randomUUID(),
      account: account.id,
      receivedAt: this.store.clock.now(),
      sender: addresses(original.from)[0] ?? '',
      senderIp: headerIp ?? gatewayIp,
      ipFromHeader: headerIp !== undefined,
      recipients: [...addresses(original.to), ...addresses(original.cc)],
      subject: original.subject ?? '',
      messageId: original.messageId ?? '',
      gatewayMid,
      verdict: verdictFor(original.subject ?? '', original.text ?? '', headerText(original.headers.get(VERDICT_HEADER.toLowerCase()))),
      size,
    };
    await this.store.saveMessage(record);
    this.emit('message', record);
  }
}
