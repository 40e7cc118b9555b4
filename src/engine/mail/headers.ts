/** Where a raw message's header block ends (the offset of its blank line), or the length when none. */
export function headerEnd(raw: Buffer): number {
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  if (crlf < 0) return lf < 0 ? raw.length : lf;
  return lf < 0 ? crlf : Math.min(crlf, lf);
}

/** The header block of a raw message, unfolded, as name -> first value. */
export function readHeaders(raw: Buffer): Map<string, string> {
  // only the header block is turned into text; bodies can be large
  const block = raw
    .subarray(0, Math.min(headerEnd(raw), 64 * 1024))
    .toString('latin1')
    .replace(/\r?\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, detached(line.slice(colon + 1).trim()));
  }
  return headers;
}

/**
 * A string of its own. A slice of a string may be kept by V8 as a view of the whole: a subject
 * kept in a queue record would keep the message's whole header block alive.
 */
function detached(value: string): string {
  return Buffer.from(value, 'latin1').toString('latin1');
}
