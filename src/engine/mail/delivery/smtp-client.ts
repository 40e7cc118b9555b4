import SMTPConnection from 'nodemailer/lib/smtp-connection';
import type { TLSSocket } from 'node:tls';
import type { Target } from './resolver.js';

export interface ClientOptions {
  name: string;
  requireTLS: boolean;
  ca?: string;
  timeouts: { connect: number; greeting: number; socket: number };
}

export interface SendResult {
  accepted: string[];
  rejected: { address: string; error: unknown }[];
  response: string;
}

/**
 * One outbound SMTP connection (nodemailer's SMTPConnection), adapted to promises here and only
 * here. STARTTLS is required when asked, with TLS 1.2 or later and never a plaintext fallback.
 */
export class SmtpClient {
  readonly #conn: SMTPConnection;
  #error: unknown = null;

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
    });
  }

  connect(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.#conn.once('end', () => reject(this.#error ?? Object.assign(new Error('Connection closed unexpectedly'), { code: 'ECONNECTION' })));
      this.#conn.connect((err?: unknown) => (err ? reject(err) : resolve()));
    });
  }

  /** The TLS protocol and cipher in use, or null on a plaintext connection. */
  tls(): { protocol: string; cipher: string } | null {
    const socket = (this.#conn as unknown as { _socket?: TLSSocket })._socket;
    if (!this.#conn.secure || !socket?.getProtocol) return null;
    return { protocol: socket.getProtocol() ?? 'unknown', cipher: socket.getCipher()?.standardName ?? socket.getCipher()?.name ?? 'unknown' };
  }

  localAddress(): string {
    return (this.#conn as unknown as { _socket?: { localAddress?: string } })._socket?.localAddress ?? '127.0.0.1';
  }

  send(from: string, to: string[], message: Buffer): Promise<SendResult> {
    return new Promise((resolve, reject) => {
      this.#conn.send({ from, to }, message, (err: unknown, info?: { accepted?: string[]; rejected?: string[]; rejectedErrors?: unknown[]; response?: string }) => {
        if (err) return reject(err);
        const rejectedErrors = info?.rejectedErrors ?? [];
        resolve({
          accepted: info?.accepted ?? [],
          rejected: (info?.rejected ?? []).map((address, i) => ({ address, error: rejectedErrors[i] })),
          response: info?.response ?? '',
        });
      });
    });
  }

  reset(): Promise<void> {
    return new Promise((resolve, reject) => this.#conn.reset((err?: unknown) => (err ? reject(err) : resolve())));
  }

  quit(): void {
    this.#conn.quit();
  }

  close(): void {
    this.#conn.close();
  }
}
