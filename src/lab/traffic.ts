import { readFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import { ErrorCodes, UserError } from '../errors.js';
import { EICAR, GTUBE } from '../engine/test-strings.js';
import { isLoopback } from '../engine/mail/delivery/resolver.js';

/** What to send: generated messages, or .eml files sent as they are. */
export interface TrafficSpec {
  count: number;
  /** envelope senders, used in turn */
  from?: string[];
  /** recipients: full addresses, or domains (a generated user at that domain) */
  to?: string[];
  recipientsPerMessage?: number;
  /** approximate body size in bytes */
  size?: number;
  /** shares (0..1) of messages carrying the GTUBE / EICAR test strings */
  spam?: number;
  virus?: number;
  /** share (0..1) of those positives whose test string rides in a base64 attachment, not in the body */
  attached?: number;
  subject?: string;
  /** .eml files sent in turn instead of generated messages */
  eml?: string[];
  /** parallel SMTP sessions */
  concurrency?: number;
  seed?: number;
}

export interface InjectSummary {
  attempted: number;
  accepted: number;
  refused: number;
  /** refusal reply -> how many messages got it */
  reasons: Record<string, number>;
  seconds: number;
}

export interface InjectTarget {
  host: string;
  port: number;
}

/** A small deterministic PRNG, so that a scenario's traffic is the same every run. */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = ['invoice', 'meeting', 'report', 'quarterly', 'update', 'shipment', 'agenda', 'review', 'lunch', 'project'];

/** Injection only ever targets this machine: traffic to any other address is refused. */
export function assertLoopback(host: string): void {
  if (!isLoopback(host)) throw new UserError(`inject sends only to this machine (127.0.0.0/8, ::1, localhost), not to "${host}".`, ErrorCodes.invalidValue);
}

interface Envelope {
  from: string;
  to: string[];
  raw: string | Buffer;
}

/** The p-th of a run's positives is attached when the shares so far say so: spread evenly. */
const isAttached = (p: number, share: number) => Math.floor((p + 1) * share) > Math.floor(p * share);

/** A MIME body: the text, and the test string as a file in base64, as mail programs attach one. */
function withAttachment(text: string, marker: string, filename: string): { headers: string[]; body: string } {
  const boundary = `----=_segsim_${filename.replace(/\W/g, '')}`;
  const encoded = Buffer.from(marker, 'latin1')
    .toString('base64')
    .replace(/.{76}(?=.)/g, '$&\r\n');
  return {
    headers: [`Content-Type: multipart/mixed; boundary="${boundary}"`],
    body: [
      `--${boundary}`,
      'Content-Type: text/plain; charset=utf-8',
      '',
      text,
      `--${boundary}`,
      `Content-Type: application/octet-stream; name="${filename}"`,
      `Content-Disposition: attachment; filename="${filename}"`,
      'Content-Transfer-Encoding: base64',
      '',
      encoded,
      `--${boundary}--`,
      '',
    ].join('\r\n'),
  };
}

/** Builds the n-th message of a traffic spec (pure and deterministic). */
export function buildMessages(spec: TrafficSpec): Envelope[] {
  const rnd = random(spec.seed ?? 1);
  const senders = spec.from?.length ? spec.from : ['sender@outside.example', 'news@partner.example', 'ceo@supplier.example'];
  const targets = spec.to?.length ? spec.to : ['example.com'];
  const perMessage = Math.max(1, spec.recipientsPerMessage ?? 1);
  const emls = spec.eml?.map((file) => readFileSync(file));
  const spamCount = Math.round(spec.count * (spec.spam ?? 0));
  const virusCount = Math.round(spec.count * (spec.virus ?? 0));
  const spamEvery = Math.ceil(spec.count / spamCount);
  const virusEvery = Math.ceil(spec.count / virusCount);
  return Array.from({ length: spec.count }, (_, i) => {
    const from = senders[i % senders.length]!;
    const to = Array.from({ length: perMessage }, (_, j) => {
      const t = targets[(i * perMessage + j) % targets.length]!;
      return t.includes('@') ? t : `user${Math.floor(rnd() * 1000)}@${t}`;
    });
    if (emls) return { from, to, raw: emls[i % emls.length]! };
    // positives are spread evenly through the run: every k-th message
    const isSpam = spamCount > 0 && i % spamEvery === 0;
    const isVirus = !isSpam && virusCount > 0 && (i + 1) % virusEvery === 0;
    const subject = spec.subject ?? `${WORDS[i % WORDS.length]} ${i + 1}`;
    const filler = 'Lorem ipsum dolor sit amet, consectetur adipiscing elit. ';
    const body = filler.repeat(Math.max(1, Math.ceil((spec.size ?? 1500) / filler.length))).slice(0, spec.size ?? 1500);
    const marker = isSpam ? GTUBE : isVirus ? EICAR : '';
    // the how-manieth spam or virus this is
    const positive = isSpam ? i / spamEvery : (i + 1) / virusEvery - 1;
    const text = body.replace(/(.{1,76})( |$)/g, '$1\r\n');
    const mime =
      marker && isAttached(positive, spec.attached ?? 0)
        ? withAttachment(text, marker, isSpam ? 'gtube.txt' : 'eicar.com')
        : { headers: ['Content-Type: text/plain; charset=utf-8'], body: `${text}${marker ? `\r\n${marker}\r\n` : ''}` };
    const id = `<${Date.now().toString(36)}.${i}.${Math.floor(rnd() * 1e9).toString(36)}@outside.example>`;
    const raw = [`From: ${from}`, `To: ${to.join(', ')}`, `Subject: ${subject}`, `Message-ID: ${id}`, `Date: ${new Date().toUTCString()}`, 'MIME-Version: 1.0', ...mime.headers, '', mime.body].join(
      '\r\n',
    );
    return { from, to, raw };
  });
}

/**
 * Sends the traffic over real SMTP to the listener, `concurrency` sessions at a time, and counts
 * what was accepted and refused (with the refusal replies).
 */
export async function injectTraffic(target: InjectTarget, spec: TrafficSpec, onProgress: (done: number, total: number) => void = () => undefined, signal?: AbortSignal): Promise<InjectSummary> {
  assertLoopback(target.host);
  const started = Date.now();
  const messages = buildMessages(spec);
  const concurrency = Math.max(1, Math.min(spec.concurrency ?? 5, 50));
  const transport = nodemailer.createTransport({
    host: target.host,
    port: target.port,
    secure: false,
    ignoreTLS: true,
    pool: true,
    maxConnections: concurrency,
    maxMessages: 100,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  const summary: InjectSummary = { attempted: 0, accepted: 0, refused: 0, reasons: {}, seconds: 0 };
  const refuse = (reason: string) => {
    summary.refused++;
    summary.reasons[reason] = (summary.reasons[reason] ?? 0) + 1;
  };
  let next = 0;
  const worker = async () => {
    while (next < messages.length && !signal?.aborted) {
      const m = messages[next++]!;
      summary.attempted++;
      try {
        const info = await transport.sendMail({ envelope: { from: m.from, to: m.to }, raw: m.raw });
        if (info.accepted.length > 0) summary.accepted++;
        else refuse(String(info.response ?? 'refused'));
      } catch (error) {
        const e = error as { response?: string; message: string };
        refuse((e.response ?? e.message).trim());
      }
      onProgress(summary.attempted, messages.length);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    transport.close();
  }
  summary.seconds = (Date.now() - started) / 1000;
  return summary;
}
