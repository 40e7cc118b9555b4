import { writeFileSync } from 'node:fs';
import nodemailer from 'nodemailer';
import type { MailCounters } from '../../src/engine/appliance-status.js';
import { TDC_QUEUE } from '../../src/engine/config/model.js';
import type { HostStatus } from '../../src/engine/host-status.js';
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
    return { events, expected: { uptime: status.counters.uptime, sinceReset: status.counters.reset, hosts: engine.hosts().map(hostCounts).sort((a, b) => a.host.localeCompare(b.host)) } };
  } finally {
    transport.close();
    await engine.stop();
    await intake.close();
  }
}

describe('counters from the mail events', () => {
  // Records the fixture with the code of the day: run with SEGSIM_RECORD_EVENTS=1 only when the
  // traffic itself should change, for its expected counters are what the engine showed then.
  it.runIf(process.env.SEGSIM_RECORD_EVENTS === '1')('records real traffic and the counters it gave', async () => {
    const fixture = await recordTraffic();
    const kinds = new Set(fixture.events.map((e) => e.type));
    for (const k of ['delivered', 'deferred', 'bounced', 'expired', 'dropped', 'recipient.rejected', 'deleted', 'journal.enqueued', 'counters.reset']) expect(kinds, k).toContain(k);
    writeFileSync(FIXTURE, `${JSON.stringify(fixture, null, 1)}\n`);
  });
});
