import { readHeaders } from '../engine/mail/headers.js';

/**
 * The original inside a journal: the body of its message/rfc822 part, found by the MIME boundary
 * without parsing the whole journal (the original is parsed once, on its own). Null when the
 * journal has no such part (the caller then reads the journal itself as the message).
 */
export function attachedOriginal(journal: Buffer): { headers: Map<string, string>; original: Buffer } | null {
  const headers = readHeaders(journal);
  const boundary = /boundary="?([^";]+)"?/i.exec(headers.get('content-type') ?? '')?.[1];
  if (!boundary) return null;
  const text = journal.toString('latin1');
  const parts = text.split(`--${boundary}`);
  for (const part of parts.slice(1)) {
    const split = part.search(/\r?\n\r?\n/);
    if (split < 0) continue;
    const partHeaders = part.slice(0, split);
    if (!/^content-type:\s*message\/rfc822/im.test(partHeaders)) continue;
    if (/^content-transfer-encoding:\s*(base64|quoted-printable)/im.test(partHeaders)) return null; // let mailparser decode it
    const body = part.slice(split).replace(/^\r?\n\r?\n/, '').replace(/\r?\n$/, '');
    return { headers, original: Buffer.from(body, 'latin1') };
  }
  return null;
}
