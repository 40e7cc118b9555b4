import { tophostsCommand } from '../../src/commands/tophosts.js';
import { Appliance } from '../../src/engine/appliance.js';
import { fakeLive, host } from '../helpers/fake-live.js';
import { expectGolden } from '../helpers/golden.js';
import { consoleSession, runScripted, tempHome, testHost } from '../helpers/scripted.js';

const NOW = Date.UTC(2024, 1, 16, 19, 55, 34);

function applianceWith(hosts: ReturnType<typeof host>[]) {
  const appliance = new Appliance({ home: tempHome(), clock: { now: () => NOW, setTimeout: () => ({ cancel() {} }) } });
  appliance.live = fakeLive(hosts, [], NOW).live;
  return appliance;
}

const traffic = [
  host('example.com', { activeRecipients: 3, connectionsOut: 2, deliveredRecipients: 55_710, softBouncedEvents: 654, hardBouncedRecipients: 40 }),
  host('the.tdc.queue', { activeRecipients: 12, connectionsOut: 3, deliveredRecipients: 104_163, hostDown: true }),
  host('partner.example.org', { deliveredRecipients: 7_055 }),
];

describe('tophosts', () => {
  it('matches the golden screen: sort menu, * for a host that was down, thousands separators', async () => {
    const { transcript } = await runScripted(tophostsCommand, [''], { appliance: applianceWith(traffic) });
    expectGolden('tophosts.txt', transcript);
  });

  it('takes the AsyncOS inline sort keyword, lists the internal queues at zero and fits 80 columns', async () => {
    const long = host('a-destination-with-a-long-name.example.com', { activeRecipients: 1, deliveredRecipients: 123_456_789 });
    const { transcript } = await runScripted(tophostsCommand, [], { appliance: applianceWith([...traffic, long]), args: ['deliv_rcpts'] });
    expectGolden('tophosts-inline.txt', transcript);
    const lines = transcript.split('\n');
    expect(lines[0]).toBe('');
    expect(Math.max(...lines.map((l) => l.length))).toBeLessThanOrEqual(80);
    for (const q of ['the.encryption.queue', 'the.euq.queue', 'the.euq.release.queue'])
      expect(transcript).toMatch(new RegExp(`^\\s+\\d+\\s+${q.replaceAll('.', '\\.')}\\s+0\\s+0\\s+0\\s+0\\s+0$`, 'm'));
    // ordered by Delivered Recipients: the long name first, its counters on the line under it
    expect(lines[6]).toMatch(/^ {2}1 {2}a-destination-with-a-long-name\.example\.com$/);
    expect(lines[7]).toMatch(/^ {34}\s+1\s+0\s+123,456,789\s+0\s+0$/);
    expect(lines[8]).toMatch(/^ {2}2\* the\.tdc\.queue/);
  });

  it('keeps --sort, and refuses an unknown order or two at once', async () => {
    const appliance = applianceWith(traffic);
    const bySoft = await runScripted(tophostsCommand, [], { appliance, flags: { sort: 'soft' } });
    expect(bySoft.transcript.split('\n')[6]).toMatch(/^ {2}1 {2}example\.com/);
    await expect(runScripted(tophostsCommand, [], { appliance, args: ['biggest'] })).rejects.toThrow(/Unknown sort "biggest": use active_rcpts, conn_out, deliv_rcpts, hard_bounced, soft_bounced/);
    await expect(runScripted(tophostsCommand, [], { appliance, args: ['conn_out'], flags: { sort: 'soft' } })).rejects.toThrow(/Give the order once/);
  });

  it('sorts by the chosen counter and keeps the top 20', async () => {
    const many = Array.from({ length: 25 }, (_, i) => host(`d${i}.example.com`, { deliveredRecipients: i }));
    const { transcript } = await runScripted(tophostsCommand, [], { appliance: applianceWith(many), flags: { sort: 'delivered', json: true } });
    const rows = JSON.parse(transcript) as { host: string }[];
    expect(rows).toHaveLength(20);
    expect(rows[0]!.host).toBe('d24.example.com');
  });

  it('says how to start an appliance when none runs', async () => {
    await expect(runScripted(tophostsCommand, [], { flags: { json: true } })).rejects.toThrow(/needs a running appliance.*segsim start/);
  });

  it('--watch refreshes until interrupted', async () => {
    const appliance = applianceWith(traffic);
    const frames: string[] = [];
    const controller = new AbortController();
    const { Conversation } = await import('../../src/conversation/conversation.js');
    const io = new Conversation({
      write: () => undefined,
      readLine: async () => null,
      frame: (text) => {
        frames.push(text);
        if (frames.length === 2) controller.abort();
      },
    });
    await tophostsCommand.run(
      { appliance, session: consoleSession(appliance), io, interactive: true, signal: controller.signal, host: testHost },
      { args: [], flags: { sort: 'active', watch: '0.01' } },
    );
    expect(frames).toHaveLength(2);
    expect(frames[1]).toContain('the.tdc.queue');
  });
});
