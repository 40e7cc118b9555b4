import type { SMTPServerAddress, SMTPServerDataStream, SMTPServerOptions, SMTPServerSession } from 'smtp-server';

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

type SmtpCallbacks = Pick<SMTPServerOptions, 'onConnect' | 'onMailFrom' | 'onRcptTo' | 'onData' | 'onClose' | 'disableReverseLookup'>;

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
  const { connect, mailFrom, rcptTo, data, close } = hooks;
  if (connect) callbacks.onConnect = (session, cb) => answer(cb, () => connect(session));
  if (mailFrom) callbacks.onMailFrom = (address, session, cb) => answer(cb, () => mailFrom(address, session));
  if (rcptTo) callbacks.onRcptTo = (address, session, cb) => answer(cb, () => rcptTo(address, session));
  if (data) callbacks.onData = (stream, session, cb) => answer(cb as (error?: Error | null, value?: string | void) => void, () => data(stream, session));
  if (close) callbacks.onClose = (session) => close(session);
  return callbacks;
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
