import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import type { MailCounters } from '../../src/engine/appliance-status.js';
import { TDC_QUEUE } from '../../src/engine/config/model.js';
import type { HostStatus } from '../../src/engine/host-status.js';
import { MailCounterSet } from '../../src/engine/mail/counters.js';
import { Destination } from '../../src/engine/mail/delivery/destination.js';
import { TDC_POLICY } from '../../src/engine/mail/delivery/queue-policy.js';
import { EventCounters } from '../../src/engine/mail/event-counters.js';
import type { MailEngine } from '../../src/engine/mail/mail-engine.js';
import type { MailEvent } from '../../src/engine/mail/mail-events.js';
import { injectTraffic } from '../../src/lab/traffic.js';
import { INTAKE, refuse, startEngine, startIntake, waitFor } from '../helpers/engine.js';
import { tempHome } from '../helpers/scripted.js';

const FIXTURE = new URL('../fixtures/mail-events-counters.json', import.meta.url);

/** A host's counters as tophosts and hoststatus show them. */
type HostCounts = Pick<HostStatus, 'host' | 'deliveredRecipients' | 'softBouncedEvents' | 'hardBouncedRecipients' | 'hardBounces' | 'deletedRecipients'>;

export interface CounterFixture {
  events: MailEvent[];
  expected: { uptime: MailCounters; sinceReset: MailCounters; hosts: HostCounts[] };
}

const hostCounts = (h: HostStatus): HostCounts => ({
  host: h.host,
  deliveredRecipients: h.deliveredRecipients,
  softBouncedEvents: h.softBouncedEvents,
  hardBouncedRecipients: h.hardBouncedRecipients,
  hardBounces: h.hardBounces,
  deletedRecipients: h.deletedRecipients,
});

/** Nothing queued, nothing in the work queue. */
const settled = (engine: MailEngine) => () => {
  const g = engine.status().gauges;
  return g.activeRecipients === 0 && g.messagesInWorkQueue === 0;
};

/**
 * Real traffic through the engine, every outcome counted: delivered (lab mail server, an SMTP
 * route, /dev/null, journal copies), soft bounces, hard bounces (5xx, DNS, expired in the
 * bounce profile and at the.tdc.queue's 120 s), dropped viruses, recipients refused by the RAT,
 * recipients deleted from a queue, and a `resetcounters` in between. Returns its events and the
 * counters the engine showed at the end.
 */
async function recordTraffic(): Promise<CounterFixture> {
  const home = tempHome();
  let journalAttempts = 0;
  const intake = await startIntake(home, {
    extra: {
      // plain or STARTTLS alike: the partner route takes mail without TLS
      onMailFrom(_address, _session, cb) {
        cb();
      },
      onRcptTo(address, _session, cb) {
        const to = address.address;
        if (to === INTAKE) {
          journalAttempts++;
          // the first copy is retried once, the second refused for good
          return cb(journalAttempts === 1 ? refuse(451, '4.7.1 try later') : journalAttempts === 2 ? refuse(550, '5.7.1 refused') : undefined);
        }
        if (to.startsWith('hard@')) return cb(refuse(550, '5.1.1 no such user'));
        if (to.startsWith('soft@')) return cb(refuse(451, '4.3.0 busy'));
        cb();
      },
    },
  });
  const { engine } = await startEngine(
    (c) => {
      c.tdc = { enabled: true, intakeAddress: INTAKE };
      c.listener.acceptDomains.push('partner.example', 'nx.example', 'void.example', 'held.example');
      c.smtpRoutes.push(
        { domain: 'intake.test', destinations: [`127.0.0.1:${intake.port}`] },
        { domain: 'partner.example', destinations: [`127.0.0.1:${intake.port}`] },
        { domain: 'void.example', destinations: ['/dev/null'] },
        { domain: 'held.example', destinations: ['exchange.lab:25'] },
      );
      // one retry, then expired
      c.bounceProfile = { maxRetries: 1, maxTimeInQueueSeconds: 259_200, initialRetrySeconds: 60, maxRetrySeconds: 60 };
    },
    { factor: 200, home },
  );
  const events: MailEvent[] = [];
  engine.events.on((e) => void events.push(JSON.parse(JSON.stringify(e)) as MailEvent));
  const transport = nodemailer.createTransport({ ...engine.listenerAddress(), ignoreTLS: true });
  try {
    await injectTraffic(engine.listenerAddress(), { count: 6, to: ['example.com'], spam: 0.2, virus: 0.2, seed: 7 });
    await transport.sendMail({ from: 'a@outside.example', to: ['x@example.com', 'y@elsewhere.example', 'z@elsewhere.example'], text: 'partly refused' });
    await waitFor(settled(engine), 15_000, 'the first messages to leave the queues');
    engine.resetCounters();
    await transport.sendMail({ from: 'b@outside.example', to: ['ok@partner.example', 'hard@partner.example'], text: 'one taken, one refused' });
    await transport.sendMail({ from: 'b@outside.example', to: ['soft@partner.example'], text: 'retried, then expired' });
    await transport.sendMail({ from: 'b@outside.example', to: ['someone@nx.example'], text: 'no such domain' });
    await transport.sendMail({ from: 'b@outside.example', to: ['someone@example.com'], text: 'after the reset' });
    await transport.sendMail({ from: 'b@outside.example', to: ['someone@void.example', 'other@void.example'], text: 'to /dev/null' });
    await waitFor(settled(engine), 15_000, 'the partner messages to leave the queues');
    engine.suspendDelivery(['held.example', TDC_QUEUE]);
    await transport.sendMail({ from: 'c@outside.example', to: ['one@held.example', 'two@held.example'], text: 'deleted while held' });
    await waitFor(() => engine.hosts().find((h) => h.host === 'held.example')?.activeRecipients === 2, 5_000, 'the held message');
    expect(engine.deleteRecipients({ host: 'held.example' })).toBe(2);
    await waitFor(() => (engine.hosts().find((h) => h.host === TDC_QUEUE)?.hardBounces.expired ?? 0) >= 1, 5_000, 'the journal copy to expire');
    engine.resumeDelivery('ALL');
    await waitFor(settled(engine), 15_000, 'the last messages to leave the queues');
    const status = engine.status();
    return {
      events,
      expected: {
        uptime: status.counters.uptime,
        sinceReset: status.counters.reset,
        hosts: engine
          .hosts()
          .map(hostCounts)
          .sort((a, b) => a.host.localeCompare(b.host)),
      },
    };
  } finally {
    transport.close();
    await engine.stop();
    await intake.close();
  }
}

/** Counters and a reducer in a temporary state directory; `now` is the appliance clock they read. */
function counting(now: () => number) {
  const dir = mkdtempSync(join(tmpdir(), 'segsim-counters-'));
  const problems: string[] = [];
  const counters = new MailCounterSet(dir, now, (text) => problems.push(text));
  return { counters, reducer: new EventCounters(counters), problems, dispose: () => (counters.close(), rmSync(dir, { recursive: true, force: true })) };
}

describe('counters from the mail events', () => {
  it('replaying the recorded events gives the counters the engine showed on that traffic', () => {
    const fixture = JSON.parse(readFileSync(FIXTURE, 'utf8')) as CounterFixture;
    const last = fixture.events.at(-1)!.at;
    const c = counting(() => last);
    try {
      for (const e of fixture.events) c.reducer.reduce(e);
      expect(c.counters.uptime()).toEqual(fixture.expected.uptime);
      expect(c.counters.sinceReset()).toEqual(fixture.expected.sinceReset);
      expect(c.counters.lastReset).toBe(fixture.events.find((e) => e.type === 'counters.reset')!.at);
      // through Destination.status(), as tophosts and hoststatus read them
      const hosts = fixture.expected.hosts.map((h) => hostCounts(new Destination(h.host, () => TDC_POLICY, null, undefined, c.reducer.destination(h.host)).status()));
      expect(hosts).toEqual(fixture.expected.hosts);
      expect(c.problems).toEqual([]);
    } finally {
      c.dispose();
    }
  });

  it('the hourly rates of status detail count the last 1, 5 and 15 minutes, also after the ring of seconds wraps', () => {
    let now = 5_000_000_000;
    const c = counting(() => now);
    const at = (secondsAgo: number) => now - secondsAgo * 1000;
    try {
      c.counters.add('deliveredRecipients', 3, at(30));
      c.counters.add('hardBouncedRecipients', 1, at(30));
      c.counters.add('deliveredRecipients', 5, at(200));
      c.counters.add('deliveredRecipients', 7, at(600));
      c.counters.add('deliveredRecipients', 100, at(1000));
      // not a rate: counted, in no bucket
      c.counters.add('deletedRecipients', 4, at(30));
      expect(c.counters.rate('deliveredRecipients')).toEqual([180, 96, 60]);
      expect(c.counters.rate('completedRecipients')).toEqual([240, 108, 64]);
      expect(c.counters.rate('messagesReceived')).toEqual([0, 0, 0]);
      // 1024 seconds on, the slot of the count 30 s ago is reused: the old count is not carried over
      now += 1024_000;
      expect(c.counters.rate('deliveredRecipients')).toEqual([0, 0, 0]);
      c.counters.add('deliveredRecipients', 2, at(30));
      expect(c.counters.rate('deliveredRecipients')).toEqual([120, 24, 8]);
      expect(c.counters.uptime().deliveredRecipients).toBe(117);
    } finally {
      c.dispose();
    }
  });

  // Records the fixture with the code of the day: run with SEGSIM_RECORD_EVENTS=1 only when the
  // traffic itself should change, for its expected counters are what the engine showed then.
  it.runIf(process.env.SEGSIM_RECORD_EVENTS === '1')('records real traffic and the counters it gave', async () => {
    const fixture = await recordTraffic();
    const kinds = new Set(fixture.events.map((e) => e.type));
    for (const k of ['delivered', 'deferred', 'bounced', 'expired', 'dropped', 'recipient.rejected', 'deleted', 'journal.enqueued', 'counters.reset']) expect(kinds, k).toContain(k);
    writeFileSync(FIXTURE, `${JSON.stringify(fixture, null, 1)}\n`);
  });
});
