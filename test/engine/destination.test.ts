import { Destination } from '../../src/engine/mail/delivery/destination.js';
import { TDC_POLICY } from '../../src/engine/mail/delivery/queue-policy.js';
import type { QueueRecord } from '../../src/engine/mail/spool.js';

const record = (mid: number, rcpts: number, attempts = 0): QueueRecord => ({
  mid,
  file: `${mid}.eml`,
  kind: 'original',
  destination: 'example.com',
  from: 'a@outside.example',
  rcpts: Array.from({ length: rcpts }, (_, rid) => ({ rid, address: `u${rid}@example.com` })),
  messageId: '',
  subject: '',
  addHeaders: [],
  subjectPrefix: '',
  size: 1,
  queuedAt: 1000 + mid,
  attempts,
  softBounces: 0,
  nextAttemptAt: 0,
});

describe('a destination queue keeps its recipient counts as records come, change and go', () => {
  it('counts active and unattempted recipients without walking the queue, through attempts, partial deliveries, finishes and deletions', () => {
    const dest = new Destination('example.com', () => TDC_POLICY);
    const counts = () => {
      const s = dest.status();
      return [s.activeRecipients, s.unattemptedRecipients, s.attemptedRecipients];
    };
    const a = record(1, 3);
    const b = record(2, 2);
    const c = record(3, 1, 2); // read back from the spool, attempted before
    for (const r of [a, b, c]) dest.add(r);
    dest.add(a); // queued again (a retry): counted once
    expect(counts()).toEqual([6, 5, 1]);

    const taken = dest.take(0)!;
    expect(taken).toBe(a);
    dest.attempt(a);
    expect(counts()).toEqual([6, 2, 4]);
    dest.keepRecipients(a, a.rcpts.slice(2)); // two of its three delivered
    expect(counts()).toEqual([4, 2, 2]);
    dest.add(a); // waits for a retry
    expect(counts()).toEqual([4, 2, 2]);

    expect(dest.removeWhere((r) => r === b)).toEqual([b]);
    expect(counts()).toEqual([2, 0, 2]);
    dest.take(0, (r) => r === c);
    dest.attempt(c);
    dest.finish(c);
    dest.finish(c); // finished twice: counted once
    expect(counts()).toEqual([1, 0, 1]);
    expect(dest.status().oldestMessage).toBe(a.queuedAt);
  });
});
