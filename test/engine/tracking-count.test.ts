import type { MailEvent } from '../../src/engine/mail/mail-events.js';
import { TrackingIndex } from '../../src/engine/tracking-index.js';

/** An index of `count` received messages, each from its own sender, as the store would feed it. */
function indexOf(count: number): TrackingIndex {
  const index = new TrackingIndex();
  for (let mid = 1; mid <= count; mid++) {
    const e = { type: 'message.started', mid, icid: 1, from: `user${mid}@outside.example`, at: 1_000 + mid } as MailEvent;
    index.add(e, mid);
  }
  return index;
}

describe('a count over every tracked message (the API’s meta.totalCount)', () => {
  it('finds every match newest first, as search does, and lets the event loop run while it walks', async () => {
    const index = indexOf(300_000);
    let turns = 0;
    const tick = setInterval(() => turns++, 0);
    try {
      const every = await index.searchEvery({}, 2);
      expect(every).toHaveLength(300_000);
      expect(every.map((e) => e.mid).slice(0, 3)).toEqual([300_000, 299_999, 299_998]);
      expect(every).toEqual(index.search({}));
      // a walk of 300,000 entries takes several slices: timers ran between them
      expect(turns).toBeGreaterThan(1);
    } finally {
      clearInterval(tick);
    }
  });
});
