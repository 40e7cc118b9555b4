import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { TLSSocket } from 'node:tls';
import { classifyClientError, type Failure } from './failure.js';
import type { Timeouts } from './queue-policy.js';
import type { Target } from './resolver.js';
import { tlsSummary } from '../../tls.js';

export interface ClientOptions {
  name: string;
  requireTLS: boolean;
  ca?: string;
  timeouts: Timeouts;
}

export interface SendResult {
  accepted: string[];
  rejected: { address: string; failure: Failure }[];
  response: string;
}

/** A failed step of the client, already sorted by cause. */
export class DeliveryFailure extends Error {
  constructor(readonly failure: Failure) {
    super(failure.kind === 'smtp' ? failure.reply : failure.kind === 'dns' ? failure.domain : failure.detail);
  }
}

/**
 * One outbound SMTP connection (nodemailer's SMTPConnection), adapted to promises here and only
 * here; its errors leave as DeliveryFailure. STARTTLS is required when asked, with TLS 1.2 or
 * later and never a plaintext fallback. It reads two private fields (`_socket`, `upgrading`):
 * nodemailer is pinned to a tilde range and test/contracts/nodemailer.test.ts checks them.
 */
export class SmtpClient {
  readonly #conn: SMTPConnection;
  #error: unknown = null;
  /** whether the TLS handshake was under way when the connection failed */
  #duringTls = false;

  constructor(target: Target, options: ClientOptions) {
    this.#conn = new SMTPConnection({
      host: target.host,
      port: target.port,
      name: options.name,
      secure: false,
      requireTLS: options.requireTLS,
      ignoreTLS: !options.requireTLS,
      connectionTimeout: options.timeouts.connect,
      greetingTimeout: options.timeouts.greeting,
      socketTimeout: options.timeouts.socket,
      tls: { minVersion: 'TLSv1.2', ca: options.ca, servername: target.host === '127.0.0.1' ? undefined : target.host },
      logger: false,
    });
    this.#conn.on('error', (error: unknown) => {
      this.#error = error;
      this.#duringTls = (this.#conn as unknown as { upgrading?: boolean }).upgrading === true;
    });
  }

  /** rejects the operation in flight (abort) */
  #rejectPending: ((error: DeliveryFailure) => void) | null = null;

  /** Runs one operation; its errors leave classified, and abort() can end it. */
  #run<T>(op: (resolve: (value: T) => void, reject: (error: unknown) => void) => void): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#rejectPending = reject;
      op(resolve, reject);
    }).then(
      (value) => {
        this.#rejectPending = null;
        return value;
      },
      (error: unknown) => {
        this.#rejectPending = null;
        throw this.#failure(error);
      },
    );
  }

  /** Ends the connection now; the operation in flight fails with `failure`. */
  abort(failure: Failure): void {
    const reject = this.#rejectPending;
    this.#rejectPending = null;
    // rejected first: closing makes the connection report its own end
    reject?.(new DeliveryFailure(failure));
    this.#conn.close();
  }

  #failure(error: unknown): DeliveryFailure {
    return error instanceof DeliveryFailure ? error : new DeliveryFailure(classifyClientError(error, this.#duringTls));
  }

  connect(): Promise<void> {
    return this.#run<void>((resolve, reject) => {
      this.#conn.once('end', () => reject(this.#error ?? Object.assign(new Error('Connection closed unexpectedly'), { code: 'ECONNECTION' })));
      this.#conn.connect((err?: unknown) => (err ? reject(err) : resolve()));
    });
  }

  /** The TLS protocol and cipher in use, or null on a plaintext connection. */
  tls(): { protocol: string; cipher: string } | null {
    const socket = (this.#conn as unknown as { _socket?: TLSSocket })._socket;
    if (!this.#conn.secure || !socket?.getProtocol) return null;
    return tlsSummary(socket);
  }

  localAddress(): string {
    return (this.#conn as unknown as { _socket?: { localAddress?: string } })._socket?.localAddress ?? '127.0.0.1';
  }

  send(from: string, to: string[], message: Buffer): Promise<SendResult> {
    return this.#run<SendResult>((resolve, reject) => {
      this.#conn.send({ from, to }, message, (err: unknown, info?: { accepted?: string[]; rejected?: string[]; rejectedErrors?: unknown[]; response?: string }) => {
        if (err) return reject(err);
        const rejectedErrors = info?.rejectedErrors ?? [];
        resolve({
          accepted: info?.accepted ?? [],
          rejected: (info?.rejected ?? []).map((address, i) => ({ address, failure: classifyClientError(rejectedErrors[i], false) })),
          response: info?.response ?? '',
        });
      });
    });
  }

  reset(): Promise<void> {
    return this.#run<void>((resolve, reject) => this.#conn.reset((err?: unknown) => (err ? reject(err) : resolve())));
  }

  quit(): void {
    this.#conn.quit();
  }

  close(): void {
    this.#conn.close();
  }
}
