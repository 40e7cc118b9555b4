import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { reportingPlugin } from '../../src/api/reporting.js';
import { setAdminPassword } from '../../src/engine/admin-account.js';
import { TDC_QUEUE, type ApplianceConfig } from '../../src/engine/config/model.js';
import { MailEngine } from '../../src/engine/mail/mail-engine.js';
import type { MailEvent, MailEventBody } from '../../src/engine/mail/mail-events.js';
import { INCOMING_SUMMARY_COUNTERS, ReportingCounts, runReport } from '../../src/engine/reporting.js';
import { injectTraffic } from '../../src/lab/traffic.js';
import { INTAKE, startEngine, startIntake, waitFor } from '../helpers/engine.js';
import { havePeers } from '../helpers/peers.js';
import { tempHome } from '../helpers/scripted.js';
import { httpsGet } from './https-get.js';
import { servePlugins } from './plugin-server.js';

const PASSWORD = 'reporting-passw0rd';
const ADMIN = { user: 'admin', password: PASSWORD };
const HOUR = 3_600_000;

/** `2024-02-16T21:00:00.000Z`: an hour as the API takes it. */
const apiHour = (ms: number) => new Date(Math.floor(ms / HOUR) * HOUR).toISOString();

/** A program run without blocking the event loop (the appliance under test runs in this process). */
async function run(file: string, args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(file, args, { encoding: 'utf8', timeout: 20_000 });
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code?: number; stdout?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '' };
  }
}

type Envelope = { meta: { totalCount: number }; data: { type: string; resultSet: unknown } };

describe('reporting (real engine, real traffic, HTTPS)', () => {
  it('reports the incoming traffic and each destination, the.tdc.queue among them, over a time range, with ordering, top and filters', async () => {
    // Given a running appliance journaling to an intake, with two local domains
    const home = tempHome();
    const intake = await startIntake(home);
    const setup = (c: ApplianceConfig) => {
      c.tdc = { enabled: true, intakeAddress: INTAKE };
      c.smtpRoutes.push({ domain: 'intake.test', destinations: [`127.0.0.1:${intake.port}`] });
      c.listener.acceptDomains.push('partner.example');
      c.smtpRoutes.push({ domain: 'partner.example', destinations: ['exchange.lab:25'] });
    };
    const first = await startEngine(setup, { home });
    let engine: MailEngine = first.engine;
    const { appliance } = first;
    try {
      await setAdminPassword(appliance.paths, PASSWORD);
      const { url, ca, caFile } = await servePlugins(appliance, [reportingPlugin]);
      const listener = engine.listenerAddress();

      // and real traffic: 3 clean to example.com, 2 to partner.example, one spam (delivered, marked, not journaled), one virus (dropped), one recipient refused
      await injectTraffic(listener, { count: 3, to: ['example.com'], subject: 'clean' });
      await injectTraffic(listener, { count: 2, to: ['partner.example'], subject: 'partner' });
      await injectTraffic(listener, { count: 1, to: ['example.com'], spam: 1, subject: 'spam' });
      await injectTraffic(listener, { count: 1, to: ['example.com'], virus: 1, subject: 'virus' });
      if (havePeers) expect((await run('swaks', ['--timeout', '10', '--server', `${listener.host}:${listener.port}`, '--from', 'a@outside.example', '--to', 'c@elsewhere.test'])).code).not.toBe(0);
      else await injectTraffic(listener, { count: 1, to: ['c@elsewhere.test'] });
      const host = (name: string) => engine.hosts().find((h) => h.host === name);
      await waitFor(() => host('example.com')?.deliveredRecipients === 4 && host('partner.example')?.deliveredRecipients === 2 && host(TDC_QUEUE)?.deliveredRecipients === 5, 20_000, 'deliveries');

      const now = appliance.clock.now();
      const range = `startDate=${apiHour(now - HOUR)}&endDate=${apiHour(now + 2 * HOUR)}`;
      const get = async (path: string, auth: typeof ADMIN | null = ADMIN) => {
        const r = await httpsGet(`${url}/esa/api/v2.0/reporting/${path}`, ca, auth ?? undefined);
        return { status: r.status, body: r.json() as Envelope & { error?: { message: string; code: string; explanation: string } } };
      };

      // When a script asks for the incoming summary, Then every counter comes as the fixture lists them, single-counter objects in its order
      const summary = await get(`mail_incoming_traffic_summary?device_type=esa&${range}`);
      expect(summary.status).toBe(200);
      expect(summary.body.meta).toEqual({ totalCount: -1 });
      expect(summary.body.data.type).toBe('mail_incoming_traffic_summary');
      const set = summary.body.data.resultSet as Record<string, number>[];
      expect(set.map((o) => Object.keys(o))).toEqual(INCOMING_SUMMARY_COUNTERS.map((c) => [c]));
      const value = Object.assign({}, ...set) as Record<string, number>;
      expect(value).toMatchObject({
        total_recipients: 8,
        total_clean_recipients: 5,
        total_threat_recipients: 3,
        detected_spam: 1,
        detected_virus: 1,
        blocked_invalid_recipient: 1,
        blocked_reputation: 0,
      });
      // Splunk SOAR's form of the hour (+00:00), also written unencoded in the URL
      const plus = `startDate=${apiHour(now - HOUR).replace('.000Z', '+00:00')}&endDate=${apiHour(now + 2 * HOUR).replace(':00:00.000Z', ':00+00:00')}`;
      expect((await get(`mail_incoming_traffic_summary/total_recipients?${plus.replaceAll('+', '%2B')}`)).body.data.resultSet).toEqual({ total_recipients: 8 });
      expect((await get(`mail_incoming_traffic_summary/total_recipients?${plus}`)).body.data.resultSet).toEqual({ total_recipients: 8 });
      // one counter: its object alone
      expect((await get(`mail_incoming_traffic_summary/total_recipients?device_type=esa&${range}`)).body).toEqual({
        meta: { totalCount: -1 },
        data: { type: 'mail_incoming_traffic_summary', resultSet: { total_recipients: 8 } },
      });

      // When it asks for the destinations ordered by deliveries, Then the.tdc.queue is a destination with the journal copies' deliveries over TLS
      const destinations = await get(`mail_destination_domain_detail?device_type=esa&${range}&orderBy=delivered&orderDir=desc`);
      expect(destinations.status).toBe(200);
      expect(destinations.body.meta).toEqual({ totalCount: 3 });
      const byCounter = Object.assign({}, ...(destinations.body.data.resultSet as Record<string, Record<string, number>[]>[])) as Record<string, Record<string, number>[]>;
      expect(byCounter.delivered).toEqual([{ [TDC_QUEUE]: 5 }, { 'example.com': 4 }, { 'partner.example': 2 }]);
      expect(byCounter.detected_spam).toEqual([{ [TDC_QUEUE]: 0 }, { 'example.com': 1 }, { 'partner.example': 0 }]);
      expect(byCounter.encrypted_tls![0]).toEqual({ [TDC_QUEUE]: 5 });
      expect(Object.values(byCounter.conn_tls_success![0]!)[0]).toBeGreaterThanOrEqual(1);
      expect(byCounter.conn_plain![0]).toEqual({ [TDC_QUEUE]: 0 });
      expect(byCounter.total_recipients).toEqual([{ [TDC_QUEUE]: 5 }, { 'example.com': 4 }, { 'partner.example': 2 }]);

      // top, the other direction, one counter, and filters
      expect((await get(`mail_destination_domain_detail/delivered?device_type=esa&${range}&top=1&orderBy=delivered&orderDir=desc`)).body).toEqual({
        meta: { totalCount: 1 },
        data: { type: 'mail_destination_domain_detail', resultSet: { delivered: [{ [TDC_QUEUE]: 5 }] } },
      });
      const ascending = (await get(`mail_destination_domain_detail/delivered?${range}&orderBy=delivered&orderDir=asc`)).body.data.resultSet as { delivered: Record<string, number>[] };
      expect(ascending.delivered.map((o) => Object.keys(o)[0])).toEqual(['partner.example', 'example.com', TDC_QUEUE]);
      const tdcOnly = (await get(`mail_destination_domain_detail/delivered?${range}&filterBy=domain&filterValue=the.tdc&filterOperator=begins_with`)).body;
      expect(tdcOnly).toEqual({ meta: { totalCount: 1 }, data: { type: 'mail_destination_domain_detail', resultSet: { delivered: [{ [TDC_QUEUE]: 5 }] } } });
      const exact = (await get(`mail_destination_domain_detail/hard_bounces?${range}&filterBy=domain&filterValue=EXAMPLE.COM&filterOperator=is`)).body;
      expect(exact.data.resultSet).toEqual({ hard_bounces: [{ 'example.com': 0 }] });

      // a range without the traffic: zeros, no destinations
      const yesterday = `startDate=${apiHour(now - 30 * HOUR)}&endDate=${apiHour(now - 26 * HOUR)}`;
      expect((await get(`mail_incoming_traffic_summary/total_recipients?${yesterday}`)).body.data.resultSet).toEqual({ total_recipients: 0 });
      expect((await get(`mail_destination_domain_detail/delivered?${yesterday}`)).body).toEqual({
        meta: { totalCount: 0 },
        data: { type: 'mail_destination_domain_detail', resultSet: { delivered: [] } },
      });

      // Bad input: AsyncOS's envelope, naming what was wrong
      const bad = async (path: string, status: number, message: RegExp | string) => {
        const r = await get(path);
        expect(r.status, path).toBe(status);
        expect(r.body.error, path).toEqual({
          message: typeof message === 'string' ? message : expect.stringMatching(message),
          code: String(status),
          explanation: expect.stringMatching(new RegExp(`^${status} = `)),
        });
      };
      const start = apiHour(now);
      await bad(
        `mail_incoming_traffic_summary?startDate=${start.replace(':00.000Z', ':07.000Z')}&endDate=${apiHour(now + HOUR)}`,
        404,
        'startDate and endDate attribute supports only 00 seconds and 000 microseconds.',
      );
      await bad(`mail_incoming_traffic_summary?startDate=${start.replace(':00:00', ':30:00')}&endDate=${apiHour(now + HOUR)}`, 404, /only 00 minutes, 00 seconds/);
      await bad(`mail_incoming_traffic_summary?startDate=yesterday&endDate=${apiHour(now + HOUR)}`, 400, /startDate "yesterday" is not a date/);
      await bad(`mail_incoming_traffic_summary?startDate=2024-02-30T10:00:00.000Z&endDate=2024-03-01T10:00:00.000Z`, 400, /startDate "2024-02-30T10:00:00.000Z" is not a date/);
      await bad(`mail_incoming_traffic_summary?endDate=${apiHour(now)}`, 400, /startDate is required/);
      await bad(`mail_incoming_traffic_summary?startDate=${apiHour(now)}&endDate=${apiHour(now)}`, 400, 'endDate must be later than startDate.');
      await bad(`mail_destination_domain_detail?${range}&orderBy=delivered`, 400, /orderBy, orderDir must be given together; missing orderDir/);
      await bad(`mail_destination_domain_detail?${range}&orderBy=speed&orderDir=desc`, 400, /orderBy "speed" is not a counter of mail_destination_domain_detail/);
      await bad(`mail_destination_domain_detail?${range}&top=-3`, 400, /top must be a whole number/);
      await bad(`mail_destination_domain_detail?${range}&filterBy=ip&filterValue=1&filterOperator=is`, 400, /filterBy "ip" is not valid for mail_destination_domain_detail: domain/);
      await bad(`mail_destination_domain_detail?${range}&device_type=wsa`, 400, /device_type "wsa"/);
      await bad(`mail_incoming_traffic_summary?startDate=${'x'.repeat(5000)}&endDate=${apiHour(now)}`, 400, /^startDate "x{64}" is not a date/);
      await bad(`mail_security_summary?${range}`, 404, 'Not Found.');
      await bad(`mail_incoming_traffic_summary/no_such_counter?${range}`, 404, 'Not Found.');
      const anonymous = await get(`mail_incoming_traffic_summary?${range}`, null);
      expect(anonymous.status).toBe(401);
      expect(anonymous.body.error?.code).toBe('401');

      // curl, as the API guide's examples fetch a report
      const curl = await run('curl', [
        '-sS',
        '--cacert',
        caFile,
        '-u',
        `admin:${PASSWORD}`,
        `${url}/esa/api/v2.0/reporting/mail_destination_domain_detail/delivered?device_type=esa&${range}&orderBy=delivered&orderDir=desc&top=2`,
      ]);
      expect(curl.code).toBe(0);
      expect(JSON.parse(curl.stdout)).toEqual({ meta: { totalCount: 2 }, data: { type: 'mail_destination_domain_detail', resultSet: { delivered: [{ [TDC_QUEUE]: 5 }, { 'example.com': 4 }] } } });

      // When the appliance starts again, Then the reports are counted again from the tracking store
      await engine.stop();
      engine = new MailEngine(appliance);
      await engine.start();
      appliance.live = engine;
      expect(await get(`mail_destination_domain_detail/delivered?${range}&orderBy=delivered&orderDir=desc`)).toEqual(
        await get(`mail_destination_domain_detail/delivered?${range}&orderBy=delivered&orderDir=desc`),
      );
      expect((await get(`mail_destination_domain_detail/delivered?${range}&orderBy=delivered&orderDir=desc`)).body.data.resultSet).toEqual({
        delivered: [{ [TDC_QUEUE]: 5 }, { 'example.com': 4 }, { 'partner.example': 2 }],
      });
      expect((await get(`mail_incoming_traffic_summary/total_recipients?${range}`)).body.data.resultSet).toEqual({ total_recipients: 8 });
    } finally {
      await engine.stop();
      await intake.close();
    }
  });
});

describe('the reporting counts', () => {
  const at = Date.UTC(2024, 1, 16, 10, 0, 0);
  const events = (bodies: [number, MailEventBody][]) => bodies.map(([t, b]) => ({ ...b, at: t }) as MailEvent);

  it('count an event in the hour it happened: a range takes the hours it names, no more', () => {
    const counts = new ReportingCounts();
    for (const e of events([
      [at - 1, { type: 'recipient.rejected', mid: 1, icid: 1, address: 'a@x.test' }],
      [at, { type: 'recipient.rejected', mid: 2, icid: 1, address: 'b@x.test' }],
      [at + HOUR - 1, { type: 'recipient.rejected', mid: 3, icid: 1, address: 'c@x.test' }],
      [at + HOUR, { type: 'recipient.rejected', mid: 4, icid: 1, address: 'd@x.test' }],
    ]))
      counts.add(e);
    const invalid = (since: number, until: number) => (runReport(counts, 'mail_incoming_traffic_summary', { since, until }, 'blocked_invalid_recipient') as { counters: [string, number][] }).counters;
    expect(invalid(at, at + HOUR)).toEqual([['blocked_invalid_recipient', 2]]);
    expect(invalid(at - HOUR, at + 2 * HOUR)).toEqual([['blocked_invalid_recipient', 4]]);
    expect(invalid(at + 2 * HOUR, at + 3 * HOUR)).toEqual([['blocked_invalid_recipient', 0]]);
  });

  it('give a split message’s recipients to its parts, and a HAT refusal to reputation', () => {
    const counts = new ReportingCounts();
    for (const e of events([
      [at, { type: 'icid.opened', icid: 1, interfaceName: 'Management', bindAddress: '127.0.0.1', remoteIp: '192.0.2.1', access: 'REJECT', match: '192.0.2.1' }],
      [
        at,
        {
          type: 'accepted',
          mid: 5,
          icid: 2,
          from: 'a@outside.test',
          messageId: '<m@x>',
          subject: 's',
          size: 10,
          rcpts: [
            { rid: 0, address: 'a@example.com' },
            { rid: 1, address: 'b@example.com' },
            { rid: 2, address: 'c@partner.test' },
          ],
        },
      ],
      [at, { type: 'split', mid: 5, newMid: 6, policy: 'partner', rids: [2] }],
      [at, { type: 'scanned', mid: 5, antivirus: false, antispam: false, attachment: false }],
      [at, { type: 'scanned', mid: 6, antivirus: false, antispam: true, attachment: false }],
    ]))
      counts.add(e);
    const summary = Object.fromEntries(counts.incomingSummary({ since: at, until: at + HOUR }));
    expect(summary).toMatchObject({ total_clean_recipients: 2, detected_spam: 1, blocked_reputation: 1, total_threat_recipients: 2, total_recipients: 4 });
  });

  it('count a connection whose TLS failed as that, not as a plain one, and deliveries over TLS as encrypted', () => {
    const counts = new ReportingCounts();
    const opened = (dcid: number, queue: string): MailEventBody => ({ type: 'dcid.opened', dcid, queue, localAddress: '127.0.0.1', address: '127.0.0.1', port: 25 });
    for (const e of events([
      [at, opened(1, TDC_QUEUE)],
      [at, { type: 'tls.failed', dcid: 1, mid: 9, address: '127.0.0.1', cause: 'handshake' }],
      [at, { type: 'dcid.closed', dcid: 1 }],
      [at, opened(2, TDC_QUEUE)],
      [at, { type: 'tls.ok', dcid: 2, protocol: 'TLSv1.3', cipher: 'TLS_AES_256_GCM_SHA384' }],
      [at, { type: 'delivered', dcid: 2, mid: 9, queue: TDC_QUEUE, rids: [0], response: '250 ok' }],
      [at, { type: 'dcid.closed', dcid: 2 }],
      [at, opened(3, 'example.com')],
      [at, { type: 'delivered', dcid: 3, mid: 8, queue: 'example.com', rids: [0, 1], response: '250 ok' }],
      [at, { type: 'dcid.closed', dcid: 3 }],
    ]))
      counts.add(e);
    const d = counts.destinations({ since: at, until: at + HOUR });
    expect(d.get(TDC_QUEUE)).toMatchObject({ conn_tls_fail: 1, conn_tls_success: 1, conn_plain: 0, encrypted_tls: 1, delivered: 1 });
    expect(d.get('example.com')).toMatchObject({ conn_plain: 1, conn_tls_opt_success: 0, encrypted_tls: 0, delivered: 2, total_recipients: 2 });
  });
});
