import { readFileSync } from 'node:fs';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { compressedClock } from '../../src/engine/clock.js';
import { Appliance } from '../../src/engine/appliance.js';
import type { ApplianceConfig } from '../../src/engine/config/model.js';
import { logFiles } from '../../src/engine/logs/log-files.js';
import { MailEngine } from '../../src/engine/mail/mail-engine.js';
import { ensureLabPki } from '../../src/engine/tls.js';
import { commitEdit, tempHome } from './scripted.js';

export const INTAKE = 'journal-1234@intake.test';

/** An appliance on free ports with a running engine; `edit` adjusts the committed configuration. */
export async function startEngine(edit: (c: ApplianceConfig) => void = () => undefined, opts: { factor?: number; home?: string; hotRecords?: number } = {}) {
  const home = opts.home ?? tempHome();
  const appliance = new Appliance({ home, clock: opts.factor ? compressedClock(opts.factor) : undefined });
  await commitEdit(appliance, (c) => {
    c.listener.port = 0;
    c.lab.mailServerPort = 0;
    edit(c);
  });
  const engine = new MailEngine(appliance, { hotRecords: opts.hotRecords });
  await engine.start();
  appliance.live = engine;
  return { appliance, engine, home };
}

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: Buffer;
}

/**
 * A test SMTP server on 127.0.0.1:0 standing in for SETD: STARTTLS with the appliance's lab
 * certificate unless `tls` is false; `onRcpt` may refuse with an Error carrying responseCode.
 */
export async function startIntake(home: string, options: { tls?: boolean; onRcpt?: (n: number) => Error | null; dataDelayMs?: number; extra?: Partial<SMTPServerOptions> } = {}) {
  const pki = ensureLabPki(`${home}/tls`, ['localhost', 'exchange.lab']);
  const received: ReceivedMail[] = [];
  let rcptCount = 0;
  let sessions = 0;
  let peakSessions = 0;
  const server = new SMTPServer({
    authOptional: true,
    logger: false,
    key: pki.key,
    cert: pki.cert,
    disabledCommands: options.tls === false ? ['AUTH', 'STARTTLS'] : ['AUTH'],
    onConnect(_s, cb) {
      sessions++;
      peakSessions = Math.max(peakSessions, sessions);
      cb();
    },
    onClose() {
      sessions--;
    },
    onMailFrom(_a, session, cb) {
      if (options.tls !== false && !session.secure) return cb(Object.assign(new Error('5.7.0 Must issue a STARTTLS command first'), { responseCode: 530 }));
      cb();
    },
    onRcptTo(_a, _s, cb) {
      const refusal = options.onRcpt?.(++rcptCount) ?? null;
      cb(refusal ?? undefined);
    },
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        received.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address), raw: Buffer.concat(chunks) });
        setTimeout(() => cb(), options.dataDelayMs ?? 0);
      });
    },
    ...options.extra,
  });
  // a client's failed handshake is the test's point, not an error of the server
  server.on('error', () => undefined);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.server.address() as { port: number }).port;
  return {
    port,
    received,
    rcptAttempts: () => rcptCount,
    peakSessions: () => peakSessions,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

export function refuse(code: number, text: string): Error {
  return Object.assign(new Error(text), { responseCode: code });
}

/** Polls until check() is true (bounded). */
export async function waitFor(check: () => boolean, timeoutMs = 15_000, what = 'condition'): Promise<void> {
  const started = Date.now();
  while (!check()) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** What mail_logs holds (its rolled files and mail.current, in order), once the engine's buffer is written. */
export function mailLog(home: string, engine: MailEngine): string {
  engine.log.flush();
  return logFiles(`${home}/logs`, 'mail_logs')
    .map((f) => readFileSync(f, 'utf8'))
    .join('');
}
