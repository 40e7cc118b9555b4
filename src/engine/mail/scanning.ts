import type { Readable } from 'node:stream';
import type { MailParser } from 'mailparser';
import type { MailPolicy } from '../config/model.js';
import { inherited } from '../policy-match.js';
import { EICAR, GTUBE } from '../test-strings.js';

/** Per engine: null when the policy does not run it, else whether it found something. */
export interface ScanVerdict {
  antivirus: boolean | null;
  antispam: boolean | null;
  /** whether the message has an attachment for AMP's file reputation to look at */
  attachment: boolean;
}

/** What the engines see in a message, whatever policy it is scanned for. */
export interface MessageContent {
  gtube: boolean;
  eicar: boolean;
  attachment: boolean;
}

/**
 * mailparser (nodemailer's MIME parser, also the SETD emulator's), loaded by the first message
 * with an encoded part: plain mail never needs it.
 */
let mailparser: Promise<typeof import('mailparser')> | null = null;

/** the parser's text work the engines do not need: they search decoded bytes */
const PARSE = { skipHtmlToText: true, skipTextToHtml: true, skipTextLinks: true, skipImageLinks: true };
/** fed this much at a time, the event loop turning between slices: a 10 MB message blocks it ~2 ms at a time */
const SLICE = 64 * 1024;
/** a test string cut by a chunk boundary is found: this much of the previous chunk is searched again */
const OVERLAP = Math.max(GTUBE.length, EICAR.length) - 1;
/** a forwarded message inside a message inside ... is opened this deep */
const MAX_DEPTH = 3;
const ENCODED_PART = /^content-transfer-encoding:[ \t]*(?:base64|quoted-printable)/im;
const HEADER_LINE = 'content-transfer-encoding: quoted-printable'.length;

const serviceOn = (policy: MailPolicy, defaultPolicy: MailPolicy, service: 'antispam' | 'antivirus') => inherited(policy, defaultPolicy, service) === 'on';
const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Searches a stream of chunks for the test strings, across chunk boundaries. */
export class TestStringSearch {
  gtube = false;
  eicar = false;
  #tail: Buffer = Buffer.alloc(0);

  add(chunk: Buffer): void {
    const window = this.#tail.length > 0 ? Buffer.concat([this.#tail, chunk]) : chunk;
    this.gtube ||= window.includes(GTUBE, 0, 'latin1');
    this.eicar ||= window.includes(EICAR, 0, 'latin1');
    this.#tail = window.subarray(Math.max(0, window.length - OVERLAP));
  }

  addText(text: string | false | undefined): void {
    if (!text) return;
    this.gtube ||= text.includes(GTUBE);
    this.eicar ||= text.includes(EICAR);
  }
}

/**
 * The message's parts decoded (base64, quoted-printable) as the real engines see them: text
 * bodies, attachments, and forwarded messages opened in turn. Fed a slice at a time so that a
 * large message never holds the event loop; a part the parser cannot read is left to the search
 * of the raw bytes.
 */
async function searchDecoded(body: Buffer, found: TestStringSearch, depth: number): Promise<void> {
  const { MailParser } = await (mailparser ??= import('mailparser'));
  const parser: MailParser = new MailParser(PARSE);
  const forwarded: Promise<Buffer>[] = [];
  parser.on('data', (data: { type: 'text'; text?: string; html?: string | false } | { type: 'attachment'; contentType: string; content: Readable; release(): void }) => {
    if (data.type === 'text') {
      found.addText(data.text);
      found.addText(data.html);
      return;
    }
    const search = new TestStringSearch();
    const chunks: Buffer[] = [];
    const keep = data.contentType === 'message/rfc822' && depth < MAX_DEPTH;
    data.content.on('data', (chunk: Buffer) => {
      search.add(chunk);
      if (keep) chunks.push(chunk);
    });
    const ended = new Promise<Buffer>((resolve) =>
      data.content.on('end', () => {
        found.gtube ||= search.gtube;
        found.eicar ||= search.eicar;
        data.release();
        resolve(Buffer.concat(chunks));
      }),
    );
    if (keep) forwarded.push(ended);
  });
  const done = new Promise<void>((resolve, reject) => {
    parser.on('end', resolve);
    parser.on('error', reject);
  });
  try {
    for (let at = 0; at < body.length; at += SLICE) {
      // an attachment waits for release(), so the parser may hold writes back
      if (!parser.write(body.subarray(at, at + SLICE))) await new Promise((resolve) => parser.once('drain', resolve));
      await turn();
    }
    parser.end();
    await done;
  } catch {
    return;
  }
  for (const inner of await Promise.all(forwarded)) await searchBody(inner, found, depth + 1);
}

/**
 * The raw bytes first, a slice at a time like the parser; 7bit and 8bit mail reads the same raw
 * as decoded, so only a message with an encoded part goes through the parser.
 */
async function searchBody(body: Buffer, found: TestStringSearch, depth: number): Promise<void> {
  const raw = new TestStringSearch();
  let encoded = false;
  for (let at = 0; at < body.length; at += SLICE) {
    raw.add(body.subarray(at, at + SLICE));
    // from a little before the slice: a header line cut by the previous slice's end is whole here
    encoded ||= ENCODED_PART.test(body.toString('latin1', Math.max(0, at - HEADER_LINE), at + SLICE));
    if (at + SLICE < body.length) await turn();
  }
  found.gtube ||= raw.gtube;
  found.eicar ||= raw.eicar;
  if (encoded && !(found.gtube && found.eicar)) await searchDecoded(body, found, depth);
}

/**
 * What the simulated engines find in a message, once for all its policies: the GTUBE and EICAR
 * test strings anywhere in the raw bytes or in a decoded MIME part, and whether a part is declared
 * an attachment (AMP needs to know; a byte search, in the spelling mail programs write, RFC 2183's
 * case).
 */
export async function inspect(body: Buffer): Promise<MessageContent> {
  const found = new TestStringSearch();
  await searchBody(body, found, 0);
  return { gtube: found.gtube, eicar: found.eicar, attachment: body.includes('Content-Disposition: attachment', 0, 'latin1') };
}

/**
 * The simulated scanning engines: deterministic, anti-spam positive for the GTUBE string and
 * anti-virus positive for the EICAR string, nothing else. They run in the appliance's order,
 * anti-spam before anti-virus (reference §10.7), so a virus also has its spam verdict. AMP and
 * graymail find nothing.
 */
export function scan(content: MessageContent, policy: MailPolicy, defaultPolicy: MailPolicy): ScanVerdict {
  const antispam = serviceOn(policy, defaultPolicy, 'antispam') ? content.gtube : null;
  const antivirus = serviceOn(policy, defaultPolicy, 'antivirus') ? content.eicar : null;
  return { antivirus, antispam, attachment: content.attachment };
}
