import { headerEnd, readHeaders } from '../engine/mail/headers.js';

/**
 * The original inside a journal: the body of its message/rfc822 part, found by the MIME boundary
 * without parsing the whole journal (the original is parsed once, on its own). Null when the
 * journal has no such part (the caller then reads the journal itself as the message).
 */
export function attachedOriginal(journal: Buffer): { headers: Map<string, string>; original: Buffer } | null {
  const headers = readHeaders(journal);
  const boundary = /boundary="?([^";]+)"?/i.exec(headers.get('content-type') ?? '')?.[1];
  if (!boundary) return null;
  const delimiter = Buffer.from(`\n--${boundary}`, 'latin1');
  // each part runs from the line after a delimiter to the CRLF before the next one
  for (let at = journal.indexOf(delimiter); at >= 0;) {
    const start = journal.indexOf('\n', at + delimiter.length) + 1;
    const next = journal.indexOf(delimiter, start);
    if (start <= 0 || next < 0) return null;
    const part = journal.subarray(start, next);
    at = next;
    const split = headerEnd(part);
    if (split === part.length) continue;
    const partHeaders = part.subarray(0, split).toString('latin1');
    if (!/^content-type:\s*message\/rfc822/im.test(partHeaders)) continue;
    if (/^content-transfer-encoding:\s*(base64|quoted-printable)/im.test(partHeaders)) return null; // let mailparser decode it
    let body = part.subarray(split + (part[split] === 0x0d ? 4 : 2));
    if (body[body.length - 1] === 0x0d) body = body.subarray(0, body.length - 1);
    return { headers, original: body };
  }
  return null;
}
