import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createRequire } from 'node:module';
import { DOMParser, type Attr, type Document, type Element } from '@xmldom/xmldom';
import { xmlAttribute, xmlStatusPlugin, renderXmlStatus } from '../../src/api/xml-status.js';
import { statusCommand } from '../../src/commands/status.js';
import { setAdminPassword } from '../../src/engine/admin-account.js';
import { ZERO_COUNTERS, type ApplianceStatus } from '../../src/engine/appliance-status.js';
import { TDC_QUEUE, type ApplianceConfig } from '../../src/engine/config/model.js';
import { statusDocumentOf } from '../../src/engine/status-document.js';
import { injectTraffic } from '../../src/lab/traffic.js';
import { INTAKE, startEngine, startIntake, waitFor } from '../helpers/engine.js';
import { havePeers } from '../helpers/peers.js';
import { runScripted, tempHome } from '../helpers/scripted.js';
import { httpsGet } from './https-get.js';
import { servePlugins } from './plugin-server.js';

/**
 * The xpath package (XPath 1.0 over xmldom's DOM), required without its type declarations: they
 * pull the browser's DOM library into the whole test project.
 */
const xpath = createRequire(import.meta.url)('xpath') as { select(expression: string, node: Document): unknown };

/** A program run without blocking the event loop (the appliance under test runs in this process): its exit code and output. */
async function run(file: string, args: string[], encoding: BufferEncoding = 'utf8'): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(file, args, { encoding, timeout: 20_000 });
    return { code: 0, stdout };
  } catch (error) {
    const e = error as { code?: number; stdout?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '' };
  }
}

const swaks = (args: string[]) => run('swaks', ['--timeout', '10', ...args]);

const PASSWORD = 'xml-status-passw0rd';
const ADMIN = { user: 'admin', password: PASSWORD };

/** A strict parse: any error or warning of the parser fails the test. */
function parseXml(text: string): Document {
  return new DOMParser({
    onError: (level, message) => {
      throw new Error(`XML ${level}: ${message}`);
    },
  }).parseFromString(text, 'text/xml');
}

const attr = (doc: Document, path: string) => {
  const found = xpath.select(path, doc);
  if (!Array.isArray(found) || found.length !== 1) throw new Error(`${path}: ${Array.isArray(found) ? found.length : 'no'} nodes`);
  return (found[0] as Attr).value;
};

/**
 * `status detail` as a table: section -> label -> its cells (numbers without separators). Labels
 * repeat across groups (Policy, Virus and Outbreak), so a label keeps its first row.
 */
function statusTable(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | null = null;
  for (const line of text.split('\n')) {
    const title = /^(Counters|Rates \(Events Per Hour\)|Gauges):/.exec(line);
    if (title) sections.set(title[1]!, (current = new Map()));
    else if (current && line.startsWith('  ')) {
      const label = line.slice(0, 32).trim();
      const cells = line.slice(32).trim().split(/\s+/).filter(Boolean);
      if (!current.has(label))
        current.set(
          label,
          cells.map((c) => c.replaceAll(',', '')),
        );
    }
  }
  return sections;
}

describe('/xml/status (real engine, real traffic, HTTPS with Basic)', () => {
  it('serves the page the exporters parse, with the figures status detail prints', async () => {
    // Given a running appliance journaling to an intake, after real traffic: accepted, journaled, delivered, and a refused recipient
    const home = tempHome();
    const intake = await startIntake(home);
    const route = (c: ApplianceConfig) => {
      c.tdc = { enabled: true, intakeAddress: INTAKE };
      c.smtpRoutes.push({ domain: 'intake.test', destinations: [`127.0.0.1:${intake.port}`] });
    };
    const { appliance, engine } = await startEngine(route, { home });
    try {
      await setAdminPassword(appliance.paths, PASSWORD);
      const { url, ca, caFile } = await servePlugins(appliance, [xmlStatusPlugin]);
      const listener = engine.listenerAddress();
      await injectTraffic(listener, { count: 3, to: ['example.com'], subject: 'quarterly' });
      if (havePeers) {
        expect((await swaks(['--server', `${listener.host}:${listener.port}`, '--from', 'a@outside.example', '--to', 'b@example.com'])).code).toBe(0);
        // a recipient outside the listener's domains: refused by the RAT
        expect((await swaks(['--server', `${listener.host}:${listener.port}`, '--from', 'a@outside.example', '--to', 'c@elsewhere.test'])).code).not.toBe(0);
      }
      const sent = havePeers ? 4 : 3;
      const host = (name: string) => engine.hosts().find((h) => h.host === name);
      await waitFor(() => host('example.com')?.deliveredRecipients === sent && host(TDC_QUEUE)?.deliveredRecipients === sent, 20_000, 'deliveries');

      // When a monitor fetches the page with Basic
      const got = await httpsGet(`${url}/xml/status`, ca, ADMIN);
      const { transcript } = await runScripted(statusCommand, [], { appliance, args: ['detail'], interactive: false });

      // Then it is well-formed XML, declared and encoded ISO-8859-1
      expect(got.status).toBe(200);
      expect(got.headers['content-type']).toBe('text/xml; charset=ISO-8859-1');
      const text = got.body.toString('latin1');
      expect(text.startsWith('<?xml version="1.0" encoding="ISO-8859-1" standalone="yes"?>\n')).toBe(true);
      const doc = parseXml(text);
      expect(doc.documentElement!.tagName).toBe('status');
      expect(attr(doc, '/status/@hostname')).toBe(appliance.configuration.current.hostname);
      expect(attr(doc, '/status/@build')).toMatch(/^phoebe 15\.5\.\d+-\d+$/);
      expect(attr(doc, '/status/@timestamp')).toMatch(/^\d{14}$/);
      expect(attr(doc, '/status/birth_time/@timestamp')).toMatch(/^\d{14} \(\d+d \d+h \d+m \d+s\)$/);
      expect(attr(doc, '/status/last_counter_reset/@timestamp')).toBe('');
      expect(attr(doc, '/status/system/@status')).toBe('online');

      // and its figures are those status detail prints (the counters, IDs, rates and queue gauges: the machine's RAM and CPU move between readings)
      const table = statusTable(transcript);
      const counters = table.get('Counters')!;
      const counterLabels: Record<string, string> = {
        inj_msgs: 'Messages Received',
        inj_recips: 'Recipients Received',
        gen_bounce_recips: 'Gen. Bounce Recipients',
        rejected_recips: 'Rejected Recipients',
        dropped_msgs: 'Dropped Messages',
        soft_bounced_evts: 'Soft Bounced Events',
        completed_recips: 'Completed Recipients',
        hard_bounced_recips: 'Hard Bounced Recipients',
        dns_hard_bounced_recips: 'DNS Hard Bounces',
        '5xx_hard_bounced_recips': '5XX Hard Bounces',
        filter_hard_bounced_recips: 'Filter Hard Bounces',
        expired_hard_bounced_recips: 'Expired Hard Bounces',
        other_hard_bounced_recips: 'Other Hard Bounces',
        delivered_recips: 'Delivered Recipients',
        deleted_recips: 'Deleted Recipients',
        global_unsub_hits: 'Global Unsub. Hits',
      };
      const names = (xpath.select('/status/counters/counter/@name', doc) as Attr[]).map((a) => a.value);
      expect(names).toEqual(Object.keys(counterLabels));
      for (const [name, label] of Object.entries(counterLabels)) {
        const path = `/status/counters/counter[@name="${name}"]`;
        expect([attr(doc, `${path}/@reset`), attr(doc, `${path}/@uptime`), attr(doc, `${path}/@lifetime`)], name).toEqual(counters.get(label));
      }
      // the traffic is there, not only zeros on both sides
      expect(Number(attr(doc, '/status/counters/counter[@name="inj_msgs"]/@lifetime'))).toBe(sent);
      expect(Number(attr(doc, '/status/counters/counter[@name="delivered_recips"]/@lifetime'))).toBe(2 * sent);
      if (havePeers) expect(attr(doc, '/status/counters/counter[@name="rejected_recips"]/@lifetime')).toBe('1');
      expect(attr(doc, '/status/current_ids/@message_id')).toBe(counters.get('Message ID (MID)')![0]);
      expect(attr(doc, '/status/current_ids/@injection_conn_id')).toBe(counters.get('Injection Conn. ID (ICID)')![0]);
      expect(attr(doc, '/status/current_ids/@delivery_conn_id')).toBe(counters.get('Delivery Conn. ID (DCID)')![0]);

      const rates = table.get('Rates (Events Per Hour)')!;
      const rateLabels: Record<string, string> = {
        inj_msgs: 'Messages Received',
        inj_recips: 'Recipients Received',
        soft_bounced_evts: 'Soft Bounced Events',
        completed_recips: 'Completed Recipients',
        hard_bounced_recips: 'Hard Bounced Recipients',
        delivered_recips: 'Delivered Recipients',
      };
      for (const [name, label] of Object.entries(rateLabels)) {
        const path = `/status/rates/rate[@name="${name}"]`;
        expect([attr(doc, `${path}/@last_1_min`), attr(doc, `${path}/@last_5_min`), attr(doc, `${path}/@last_15_min`)], name).toEqual(rates.get(label));
      }
      expect(Number(attr(doc, '/status/rates/rate[@name="inj_msgs"]/@last_1_min'))).toBe(sent * 60);

      const gauges = table.get('Gauges')!;
      const gaugeLabels: Record<string, string> = {
        conn_in: 'Current Inbound Conn.',
        conn_out: 'Current Outbound Conn.',
        active_recips: 'Active Recipients',
        unattempted_recips: 'Unattempted Recipients',
        attempted_recips: 'Attempted Recipients',
        msgs_in_work_queue: 'Messages In Work Queue',
        dests_in_memory: 'Destinations In Memory',
        kbytes_used: 'Kilobytes Used',
        resource_conservation: 'Resource Conservation',
        msgs_in_policy_virus_outbreak_quarantine: 'Policy, Virus and Outbreak',
        log_available: 'Logging Disk Available',
      };
      for (const [name, label] of Object.entries(gaugeLabels)) expect(attr(doc, `/status/gauges/gauge[@name="${name}"]/@current`), name).toBe(gauges.get(label)![0]);
      expect(attr(doc, '/status/gauges/gauge[@name="log_available"]/@current')).toMatch(/^\d+[KMG]$/);
      for (const name of ['ram_utilization', 'total_utilization', 'cpu_utilization', 'disk_utilization', 'log_used', 'kbytes_free'])
        expect(attr(doc, `/status/gauges/gauge[@name="${name}"]/@current`), name).toMatch(/^\d+$/);

      // and the 27 items of the Zabbix template "ESA-CISCO XML Status" evaluate to numbers, by its XPaths
      // (ecosystem.md §4: counters' lifetime, rates' last_1_min, gauges' current)
      const zabbix = [
        ...[
          '5xx_hard_bounced_recips',
          'completed_recips',
          'deleted_recips',
          'delivered_recips',
          'dns_hard_bounced_recips',
          'dropped_msgs',
          'expired_hard_bounced_recips',
          'filter_hard_bounced_recips',
        ].map((n) => `/status/counters/counter[@name="${n}"]/@lifetime`),
        ...['gen_bounce_recips', 'global_unsub_hits', 'hard_bounced_recips', 'inj_msgs', 'inj_recips', 'other_hard_bounced_recips', 'rejected_recips', 'soft_bounced_evts'].map(
          (n) => `/status/counters/counter[@name="${n}"]/@lifetime`,
        ),
        ...['completed_recips', 'delivered_recips', 'hard_bounced_recips', 'inj_msgs', 'inj_recips', 'soft_bounced_evts'].map((n) => `/status/rates/rate[@name="${n}"]/@last_1_min`),
        ...['active_recips', 'conn_in', 'conn_out', 'kbytes_in_policy_virus_outbreak_quarantine', 'msgs_in_policy_virus_outbreak_quarantine'].map((n) => `/status/gauges/gauge[@name="${n}"]/@current`),
      ];
      expect(zabbix).toHaveLength(27);
      for (const path of zabbix) expect(attr(doc, path), path).toMatch(/^\d+$/);

      // and curl, as a monitor's script would fetch it, gets the same page; without the password, AsyncOS's 401
      const curl = await run('curl', ['-sS', '--cacert', caFile, '-u', `admin:${PASSWORD}`, `${url}/xml/status`], 'latin1');
      expect(curl.code).toBe(0);
      expect(attr(parseXml(curl.stdout), '/status/counters/counter[@name="inj_msgs"]/@lifetime')).toBe(String(sent));
      const denied = await run('curl', ['-sS', '--cacert', caFile, '-u', 'admin:wrong', '-w', '\n%{http_code}', `${url}/xml/status`]);
      expect(denied.stdout.trim().split('\n').at(-1)).toBe('401');
      expect(JSON.parse(denied.stdout.trim().split('\n')[0]!)).toEqual({ error: { message: 'Unauthorized.', code: '401', explanation: expect.any(String) } });
    } finally {
      await engine.stop();
      await intake.close();
    }
  });
});

describe('the XML of /xml/status', () => {
  const status: ApplianceStatus = {
    now: Date.UTC(2024, 1, 16, 21, 19, 24),
    upSince: Date.UTC(2024, 1, 15, 20, 0, 0),
    lastCounterReset: Date.UTC(2024, 1, 16, 8, 0, 0),
    oldestMessage: Date.UTC(2024, 1, 16, 21, 18, 0),
    quarantinedMessages: 0,
    counters: { reset: ZERO_COUNTERS, uptime: ZERO_COUNTERS, lifetime: { ...ZERO_COUNTERS, messagesReceived: 12 } },
    ids: { mid: 7, icid: 3, dcid: 5 },
    rates: {
      messagesReceived: [60, 12, 4],
      recipientsReceived: [0, 0, 0],
      softBouncedEvents: [0, 0, 0],
      completedRecipients: [0, 0, 0],
      hardBouncedRecipients: [0, 0, 0],
      deliveredRecipients: [0, 0, 0],
    },
    gauges: {
      ramUtilization: 6,
      cpuLoad: 8,
      mgaCpu: 1,
      diskIoUtilization: 0,
      loggingDiskUsage: 14,
      loggingDiskAvailable: 388 * 1024 ** 3 + 5,
      kilobytesFree: 34541502,
      currentInboundConnections: 1,
      currentOutboundConnections: 0,
      activeRecipients: 196,
      unattemptedRecipients: 70,
      attemptedRecipients: 126,
      messagesInWorkQueue: 0,
      destinationsInMemory: 3,
      kilobytesUsed: 61,
      workQueuePaused: true,
    },
  };

  it('escapes what an attribute cannot hold as written, and parses back to the same values', () => {
    const odd = 'a&b<c>"d\' é \u2603 \u{1F600}\u0001';
    expect(xmlAttribute(odd)).toBe('a&amp;b&lt;c&gt;&quot;d&apos; é &#9731; &#128512;?');
    const doc = parseXml(renderXmlStatus(statusDocumentOf(status, odd)));
    expect(attr(doc, '/status/@hostname')).toBe(odd.replace('\u0001', '?'));
  });

  it('writes the sample’s elements, times in the appliance’s zone and sizes with their suffix', () => {
    const doc = parseXml(renderXmlStatus(statusDocumentOf(status, 'esa1.example.com')));
    expect(attr(doc, '/status/@timestamp')).toBe('20240216211924');
    expect(attr(doc, '/status/birth_time/@timestamp')).toBe('20240215200000 (1d 1h 19m 24s)');
    expect(attr(doc, '/status/last_counter_reset/@timestamp')).toBe('20240216080000');
    expect(attr(doc, '/status/system/@status')).toBe('online (work queue paused)');
    expect(attr(doc, '/status/oldest_message/@secs')).toBe('84');
    expect(attr(doc, '/status/gauges/gauge[@name="log_available"]/@current')).toBe('388G');
    expect(attr(doc, '/status/gauges/gauge[@name="kbytes_free"]/@current')).toBe('34541502');
    expect(attr(doc, '/status/rates/rate[@name="inj_msgs"]/@last_5_min')).toBe('12');
    expect(xpath.select('/status/features/feature/@time_remaining', doc)).toHaveLength(3);
    // the gauges and rates of the exporter's sample, by name and in its order
    const names = (path: string) => (xpath.select(path, doc) as Attr[]).map((a) => a.value);
    expect(names('/status/gauges/gauge/@name')).toEqual([
      'ram_utilization',
      'total_utilization',
      'cpu_utilization',
      'av_utilization',
      'case_utilization',
      'bm_utilization',
      'disk_utilization',
      'resource_conservation',
      'log_used',
      'log_available',
      'conn_in',
      'conn_out',
      'active_recips',
      'unattempted_recips',
      'attempted_recips',
      'msgs_in_work_queue',
      'dests_in_memory',
      'kbytes_used',
      'kbytes_free',
      'msgs_in_policy_virus_outbreak_quarantine',
      'kbytes_in_policy_virus_outbreak_quarantine',
      'reporting_utilization',
      'quarantine_utilization',
    ]);
    expect(names('/status/rates/rate/@name')).toEqual(['inj_msgs', 'inj_recips', 'soft_bounced_evts', 'completed_recips', 'hard_bounced_recips', 'delivered_recips']);
    expect(names('/status/current_ids/@*')).toEqual(['7', '3', '5']);
    const elements = (xpath.select('/status/*', doc) as Element[]).map((e) => e.tagName);
    expect(elements).toEqual(['birth_time', 'last_counter_reset', 'system', 'oldest_message', 'features', 'counters', 'current_ids', 'rates', 'gauges']);
  });
});
