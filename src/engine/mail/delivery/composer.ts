import { headerEnd } from '../headers.js';
import { buildJournal } from '../journal.js';
import type { QueueRecord, Spool } from '../spool.js';

/** The bytes to send: the spool file with the added headers and subject tag, or the journal built from it. */
export async function composeMessage(spool: Spool, record: QueueRecord): Promise<Buffer> {
  const original = withChanges(spool.readMessage(record.file), record.addHeaders, record.subjectPrefix);
  if (!record.journal) return original;
  const j = record.journal;
  return buildJournal({ hostname: j.hostname, intakeAddress: record.rcpts[0]!.address, originalMid: j.originalMid, journalMid: record.mid, original, subject: j.subject, messageId: j.messageId });
}

/** The message as delivered: added header lines first, the subject tagged ([SPAM] ) when asked. */
function withChanges(raw: Buffer, addHeaders: string[], subjectPrefix: string): Buffer {
  if (addHeaders.length === 0 && subjectPrefix === '') return raw;
  const added = Buffer.from(addHeaders.map((h) => `${h}\r\n`).join(''), 'latin1');
  if (!subjectPrefix) return Buffer.concat([added, raw]);
  // only the header block is rewritten; the body is passed on as it is
  const end = headerEnd(raw);
  const head = raw.subarray(0, end).toString('latin1');
  const subject = /^Subject:[ \t]?/im;
  const newHead = subject.test(head) ? head.replace(subject, (m) => `${m}${subjectPrefix}`) : `${head}\r\nSubject: ${subjectPrefix.trim()}`;
  return Buffer.concat([added, Buffer.from(newHead, 'latin1'), raw.subarray(end)]);
}
