import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
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

describe('a destination queue that nobody looks at', () => {
  it('keeps no record that has gone through it (a relay of 5,000 messages with no view asking for the oldest)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const dest = new Destination('example.com', () => TDC_POLICY);
    const first = new WeakRef(record(0, 1));
    const through = (r: QueueRecord) => {
      dest.add(r);
      const taken = dest.take(0)!;
      dest.attempt(taken);
      dest.finish(taken);
    };
    through(first.deref()!);
    for (let mid = 1; mid <= 5000; mid++) through(record(mid, 1));
    await new Promise((resolve) => setTimeout(resolve, 0)); // a WeakRef holds its target until the job ends
    gc();
    expect(first.deref()).toBeUndefined();
    expect(dest.status()).toMatchObject({ activeRecipients: 0, oldestMessage: null });
  });
});

describe('a destination queue longer than what it keeps in memory', () => {
  /** A queue keeping 2 records in memory, reading the others back from `disk` (their queue files), counting the reads. */
  function heldQueue() {
    const disk = new Map<number, QueueRecord>();
    let reads = 0;
    const dest = new Destination(
      'example.com',
      () => TDC_POLICY,
      (entry) => {
        reads++;
        const r = disk.get(entry.mid);
        return r ? { ...r, rcpts: [...r.rcpts] } : null;
      },
      2,
    );
    const store = (r: QueueRecord) => {
      disk.set(r.mid, { ...r });
      dest.add(r, true);
    };
    return { dest, disk, store, reads: () => reads };
  }

  it('keeps its counts, due times and age for records on disk only, and gives them back oldest first', () => {
    const { dest, store, reads } = heldQueue();
    const records = [1, 2, 3, 4, 5, 6].map((mid) => record(mid, 2));
    records[4]!.queuedAt = 10; // the oldest waits on disk
    records[5]!.nextAttemptAt = 5000; // and one waits for a retry
    for (const r of records) store(r);
    expect(dest.coldSize).toBe(4);
    expect(reads()).toBe(0);
    expect(dest.status()).toMatchObject({ activeRecipients: 12, unattemptedRecipients: 12, oldestMessage: 10 });
    expect(dest.readyCount(0)).toBe(5);
    expect(dest.nextRetryAt(0)).toBe(5000);

    const taken: number[] = [];
    for (let r = dest.take(0); r; r = dest.take(0)) {
      taken.push(r.mid);
      dest.attempt(r);
      dest.finish(r);
    }
    expect(taken).toEqual([1, 2, 3, 4, 5]);
    expect(dest.status()).toMatchObject({ activeRecipients: 2, oldestMessage: 1006 });
    expect(dest.take(6000)?.mid).toBe(6);
    expect(dest.size).toBe(1);
  });

  it('matches records on disk only without reading back those the entry rules out, and drops one that cannot be read back', () => {
    const { dest, disk, store, reads } = heldQueue();
    for (let mid = 1; mid <= 8; mid++) store(record(mid, 1));
    disk.delete(8); // its queue file is gone
    const removed = dest.removeWhere(
      (r) => r.mid % 2 === 0,
      (entry) => entry.mid >= 5,
    );
    // 3 and 4 were never read: their entries ruled them out; 8 could not be read and is gone
    expect(removed.map((r) => r.mid)).toEqual([2, 6]);
    expect(reads()).toBe(4);
    expect([...dest.queued()].map((r) => r.mid).sort()).toEqual([1, 3, 4, 5, 7]);
    expect(dest.status().activeRecipients).toBe(5);
    dest.dueNow();
    expect(dest.readyCount(0)).toBe(5);
  });
});
