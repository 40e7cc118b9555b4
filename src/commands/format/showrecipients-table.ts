import type { QueuedRecipient } from '../../engine/live.js';
import { count } from './numbers.js';

const MID_WIDTH = 10;
const BYTES_WIDTH = 10;
const SENDER_WIDTH = 32;

/** Columns padded to their width, with at least one space after a value that overflows its column. */
const columns = (cells: [string, number][], last: string) => `${cells.map(([c, w]) => c.padEnd(Math.max(w, c.length + 1))).join('')}${last}`.trimEnd();

/**
 * `showrecipients` as on the appliance, from the blank line after the command on (asyncos-cli.md §10.9): a two-line header, `MID/ Bytes/
 * Sender/ Subject` over `[RID] [Atmps] Recipient`; each message on one line, each of its
 * recipients on a line under it. A recipient has its line to itself, so a long address (a
 * journal copy's intake address) never runs into the subject.
 */
export function renderShowrecipients(rows: QueuedRecipient[]): string {
  if (rows.length === 0) return 'There are no messages in the queue.';
  const lines = [
    columns(
      [
        ['MID/', MID_WIDTH],
        ['Bytes/', BYTES_WIDTH],
        ['Sender/', SENDER_WIDTH],
      ],
      'Subject',
    ),
    columns(
      [
        ['[RID]', MID_WIDTH],
        ['[Atmps]', BYTES_WIDTH],
      ],
      'Recipient',
    ),
  ];
  rows.forEach((r, i) => {
    const previous = rows[i - 1];
    if (!previous || previous.mid !== r.mid || previous.host !== r.host)
      lines.push(
        columns(
          [
            [String(r.mid), MID_WIDTH],
            [count(r.size), BYTES_WIDTH],
            [r.sender, SENDER_WIDTH],
          ],
          r.subject,
        ),
      );
    lines.push(
      columns(
        [
          [`[${r.rid}]`, MID_WIDTH],
          [`[${r.attempts}]`, BYTES_WIDTH],
        ],
        r.recipient,
      ),
    );
  });
  return ['', ...lines, '', `${rows.length} ${rows.length === 1 ? 'recipient' : 'recipients'} listed.`].join('\n');
}
