import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { applianceIdentity } from '../../src/engine/appliance-identity.js';
import { TDC_QUEUE } from '../../src/engine/config/model.js';
import { setdStoreOf } from '../../src/setd/appliance-store.js';
import { HAVE_SWAKS, sendWithSwaks } from '../helpers/browser.js';
import { commitEdit } from '../helpers/scripted.js';
import { dialogue } from '../helpers/smtp-dialogue.js';
import { waitFor } from '../helpers/engine.js';
import { apiAppliance, basic, TEST_PASSWORD } from '../helpers/api.js';

const run = promisify(execFile);

/** The attributes of a message-tracking/messages result, in the order of the XSOAR CiscoSMA fixture (message_search.json). */
const SEARCH_ATTRIBUTES = [
  'hostName',
  'friendly_from',
  'isCompleteData',
  'messageStatus',
  'recipientMap',
  'senderIp',
  'mailPolicy',
  'senderGroup',
  'subject',
  'dcid',
  'mid',
  'senderDomain',
  'finalSubject',
  'direction',
  'icid',
  'morDetails',
  'replyTo',
  'timestamp',
  'messageID',
  'verdictChart',
  'recipient',
  'sender',
  'serialNumber',
  'allIcid',
  'sbrs',
];

/** The fields of message-tracking/details `data.messages`, in the order of the XSOAR CiscoESA fixture (message_details_get.json). */
const DETAILS_FIELDS = [
  'sdrAge',
  'attachments',
  'hostName',
  'direction',
  'isCompleteData',
  'messageStatus',
  'mailPolicy',
  'senderGroup',
  'subject',
  'showSummaryTimeBox',
  'sdrCategory',
  'mid',
  'sendingHostSummary',
  'ampTgCategories',
  'smtpAuthId',
  'midHeader',
  'timestamp',
  'showDLP',
  'messageSize',
  'sdrThreatLevels',
  'sdrReputation',
  'showURL',
  'recipient',
  'sender',
  'showAMP',
  'summary',
  'allIcid',
  'headerFrom',
];

const TRACKING_TIME = /^\d\d \w{3} \d{4} \d\d:\d\d:\d\d \(GMT [+-]\d\d:\d\d\)$/;
/** A minute as AsyncOS takes it: `2024-02-16T21:19:00.000Z`. */
const minute = (ms: number) => new Date(Math.floor(ms / 60_000) * 60_000).toISOString();

interface Search {
  meta: { num_bad_records: number; totalCount: number };
  data: { attributes: Record<string, unknown> }[];
}
interface ErrorBody {
  error: { message: string; code: string; explanation: string };
}

describe.skipIf(!HAVE_SWAKS)('AsyncOS API: message tracking of real traffic', () => {
  let lab: Awaited<ReturnType<typeof apiAppliance>>;
  let token: string;
  let range: string;
  let reportMid: number;
  beforeAll(async () => {
    lab = await apiAppliance();
    // Given TDC on, and two messages through the listener (swaks), each journaled to the SETD emulator
    const account = setdStoreOf(lab.appliance).createAccount({ name: 'primary', region: 'beta' });
    await commitEdit(lab.appliance, (c) => void (c.tdc = { enabled: true, intakeAddress: account.intakeAddress }));
    const port = lab.running.engine.listenerAddress().port;
    await sendWithSwaks(port, { from: 'alice@outside.example', to: 'bob@example.com', subject: 'Quarterly report' });
    await sendWithSwaks(port, { from: 'carol@other.example', to: 'dan@example.com', subject: 'Lunch on Friday' });
    const tdc = () => lab.running.engine.hosts().find((h) => h.host === TDC_QUEUE)?.deliveredRecipients ?? 0;
    await waitFor(() => tdc() === 2, 20_000, 'two TDC deliveries');
    token = await lab.client.login();
    const now = lab.appliance.clock.now();
    range = `startDate=${minute(now - 10 * 60_000)}&endDate=${minute(now + 2 * 60_000)}`;
  }, 60_000);
  afterAll(async () => {
    await lab?.stop();
    if (lab) rmSync(lab.appliance.paths.root, { recursive: true, force: true });
  });

  const search = async (query: string, expectStatus = 200) => {
    const res = await lab.client.get(`/esa/api/v2.0/message-tracking/messages?${range}&ciscoHost=All_Hosts&searchOption=messages&${query}`, { jwtToken: token });
    expect(res.status, query).toBe(expectStatus);
    return (await res.json()) as Search;
  };

  it('finds a message by envelope sender, with the fixture’s attributes in their order and the message’s own values', async () => {
    const found = await search('offset=0&limit=20&envelopeSenderfilterOperator=is&envelopeSenderfilterValue=alice@outside.example');
    expect(found.meta).toEqual({ num_bad_records: 0, totalCount: 1 });
    const a = found.data[0]!.attributes;
    expect(Object.keys(a)).toEqual(SEARCH_ATTRIBUTES);
    reportMid = (a.mid as number[])[0]!;
    const mid = String(reportMid);
    expect(a).toMatchObject({
      hostName: lab.appliance.configuration.current.hostname,
      friendly_from: ['alice@outside.example'],
      messageStatus: { [mid]: 'Delivered' },
      recipientMap: { [mid]: ['bob@example.com'] },
      senderIp: '127.0.0.1',
      mailPolicy: ['DEFAULT'],
      subject: 'Quarterly report',
      senderDomain: 'outside.example',
      finalSubject: { [mid]: 'Quarterly report' },
      direction: 'incoming',
      recipient: ['bob@example.com'],
      sender: 'alice@outside.example',
      serialNumber: applianceIdentity(lab.appliance.paths, lab.appliance.clock.now()).serial,
    });
    expect(a.timestamp).toMatch(TRACKING_TIME);
    expect((a.dcid as number[]).length).toBe(1);
    expect(a.allIcid).toEqual([a.icid]);
    expect((a.messageID as Record<string, string>)[mid]).toMatch(/^<.+@.+>$/);
  });

  it('finds by recipient, subject and time with each operator; pages with offset/limit newest first; totalCount counts them all', async () => {
    const mids = async (query: string) => (await search(query)).data.map((d) => (d.attributes.sender as string).split('@')[0]);
    expect(await mids('envelopeRecipientfilterOperator=begins_with&envelopeRecipientfilterValue=BOB@')).toEqual(['alice']);
    expect(await mids('envelopeRecipientfilterOperator=ends_with&envelopeRecipientfilterValue=example.com')).toEqual(['carol', 'alice']);
    expect(await mids('subjectfilterOperator=contains&subjectfilterValue=quarterly')).toEqual(['alice']);
    expect(await mids('subjectfilterOperator=does_not_contain&subjectfilterValue=quarterly')).toEqual(['carol']);
    expect(await mids('subjectfilterOperator=is&subjectfilterValue=Lunch')).toEqual([]);
    const page = await search('offset=1&limit=1');
    expect(page.meta.totalCount).toBe(2);
    expect(page.data.map((d) => d.attributes.sender)).toEqual(['alice@outside.example']);
    // an hour that ended before the traffic: nothing
    const now = lab.appliance.clock.now();
    const before = await lab.client.get(`/esa/api/v2.0/message-tracking/messages?startDate=${minute(now - 2 * 3600_000)}&endDate=${minute(now - 3600_000)}`, { jwtToken: token });
    expect(await before.json()).toEqual({ meta: { num_bad_records: 0, totalCount: 0 }, data: [] });
  });

  it('details: the fixture’s fields, and the summary as tracking sentences with the TDC line (curl, Basic)', async () => {
    const { stdout } = await run('curl', [
      '-sS',
      '--cacert',
      join(lab.appliance.paths.tls, 'lab-ca.pem'),
      '-H',
      `Authorization: ${basic('admin', TEST_PASSWORD)}`,
      `${lab.origin}/esa/api/v2.0/message-tracking/details?mid=${reportMid}&serialNumber=${applianceIdentity(lab.appliance.paths, 0).serial}`,
    ]);
    const messages = (JSON.parse(stdout) as { data: { messages: Record<string, unknown> } }).data.messages;
    expect(Object.keys(messages)).toEqual(DETAILS_FIELDS);
    expect(messages).toMatchObject({
      mid: [reportMid],
      messageStatus: 'Delivered',
      subject: 'Quarterly report',
      sender: 'alice@outside.example',
      recipient: ['bob@example.com'],
      direction: 'incoming',
    });
    expect(messages.sendingHostSummary).toMatchObject({ ipAddress: '127.0.0.1' });
    expect(messages.messageSize).toMatch(/^\d+\.\d\d \(KB\)$/);
    const summary = messages.summary as { timestamp: string; description: string; lastEvent: boolean }[];
    expect(summary.every((s) => TRACKING_TIME.test(s.timestamp))).toBe(true);
    expect(summary.filter((s) => s.lastEvent)).toEqual([summary.at(-1)]);
    const descriptions = summary.map((s) => s.description);
    expect(descriptions).toContain(`Start message ${reportMid} on incoming connection (ICID ${(messages.allIcid as number[])[0]}).`);
    expect(descriptions).toContain(`Message ${reportMid} original subject on injection: Quarterly report`);
    expect(descriptions.some((d) => /^TDC: Message \d+ was successfully delivered for scanning with Cisco Secure Email Threat Defense\.$/.test(d))).toBe(true);
    expect(descriptions.some((d) => new RegExp(`^Message ${reportMid} to bob@example\\.com received remote SMTP response '`).test(d))).toBe(true);
  });

  it('refuses bad dates, huge limits, unknown operators and missing MIDs in the envelope, naming what was wrong', async () => {
    const now = lab.appliance.clock.now();
    const start = minute(now - 60_000);
    const end = minute(now + 60_000);
    const cases: [string, number, RegExp][] = [
      // AsyncOS's own answer, code 404 and all (Cisco-Email-Security/docs api.md)
      [`startDate=${start.replace(':00.000Z', ':17.000Z')}&endDate=${end}`, 404, /^startDate and endDate attribute supports only 00 seconds and 000 microseconds\.$/],
      [`startDate=${start.replace('.000Z', '.250Z')}&endDate=${end}`, 404, /^startDate and endDate attribute supports only 00 seconds/],
      [`endDate=${end}`, 400, /^startDate and endDate are required, in the form YYYY-MM-DDThh:mm:00\.000Z\.$/],
      [`startDate=yesterday&endDate=${end}`, 400, /^startDate "yesterday" is not a date in the form/],
      [`startDate=2024-13-01T00:00:00.000Z&endDate=${end}`, 400, /^startDate "2024-13-01T00:00:00\.000Z" is not a date/],
      [`startDate=2024-02-30T00:00:00.000Z&endDate=${end}`, 400, /is not a date/],
      [`startDate=${end}&endDate=${start}`, 400, /^startDate must not be after endDate\.$/],
      [`startDate=${start}&endDate=${end}&limit=100000000`, 400, /^limit must be a whole number from 1 to 1000\.$/],
      [`startDate=${start}&endDate=${end}&limit=1e3`, 400, /^limit must be a whole number/],
      [`startDate=${start}&endDate=${end}&offset=-1`, 400, /^offset must be a whole number/],
      [`startDate=${start}&endDate=${end}&envelopeSenderfilterOperator=matches&envelopeSenderfilterValue=x`, 400, /^envelopeSenderfilterOperator "matches" is not one of is, begins_with/],
      [`startDate=${start}&endDate=${end}&subjectfilterOperator=is`, 400, /^subjectfilterOperator and subjectfilterValue go together\.$/],
      [`startDate=${start}&endDate=${end}&ciscoHost=esa9.elsewhere`, 400, /^ciscoHost "esa9\.elsewhere" is not a host of this appliance/],
      [`startDate=${start}&endDate=${end}&fileSha256=${'a'.repeat(64)}`, 400, /^fileSha256 cannot be searched/],
      [`startDate=${start}&startDate=${start}&endDate=${end}`, 400, /^startDate is given more than once\.$/],
    ];
    for (const [query, status, message] of cases) {
      const res = await lab.client.get(`/esa/api/v2.0/message-tracking/messages?${query}`, { jwtToken: token });
      expect(res.status, query).toBe(status);
      const body = (await res.json()) as ErrorBody;
      expect(body.error.message, query).toMatch(message);
      expect(body.error.code).toBe(String(status));
    }
    const details: [string, number, RegExp][] = [
      ['', 400, /^mid is required/],
      ['mid=abc', 400, /^mid "abc" is not a message ID/],
      ['mid=987654321', 404, /^Not Found: message tracking has no message with MID 987654321\.$/],
      [`mid=${reportMid}&serialNumber=NOT-THIS-ONE`, 404, /^Not Found: serialNumber "NOT-THIS-ONE" is not this appliance's/],
      [`mid=${reportMid}&icid=99999`, 404, /did not come on ICID 99999/],
    ];
    for (const [query, status, message] of details) {
      const res = await lab.client.get(`/esa/api/v2.0/message-tracking/details?${query}`, { jwtToken: token });
      expect(res.status, query).toBe(status);
      expect(((await res.json()) as ErrorBody).error.message, query).toMatch(message);
    }
  });

  it('300 concurrent requests (searches, details, wrong tokens) are all answered while the listener answers SMTP', async () => {
    const asked = Array.from({ length: 300 }, (_, i) => {
      const headers = { jwtToken: i % 3 === 2 ? `${token}x` : token };
      const path = i % 2 === 0 ? `/esa/api/v2.0/message-tracking/messages?${range}&limit=1000` : `/esa/api/v2.0/message-tracking/details?mid=${reportMid}`;
      return lab.client.get(path, headers).then(async (res) => [res.status, await res.json()] as const);
    });
    const smtp = dialogue(lab.running.engine.listenerAddress().port, ['EHLO probe.example', 'QUIT']);
    const [answers, lines] = await Promise.all([Promise.all(asked), smtp]);
    expect(lines[0]).toMatch(/^220 /);
    expect(lines.at(-1)).toMatch(/^221 /);
    const byStatus = new Map<number, number>();
    for (const [status, body] of answers) {
      byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
      if (status === 401) expect((body as ErrorBody).error.code).toBe('401');
      else expect(status).toBe(200);
    }
    expect(byStatus.get(401)).toBe(100);
    expect(byStatus.get(200)).toBe(200);
    expect((await lab.client.get('/esa/api/v2.0/health', { jwtToken: token })).status).toBe(200);
  }, 60_000);
});
