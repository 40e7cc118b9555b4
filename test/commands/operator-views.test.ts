import { deleterecipientsCommand } from '../../src/commands/deleterecipients.js';
import { delivernowCommand } from '../../src/commands/delivernow.js';
import { hoststatusCommand } from '../../src/commands/hoststatus.js';
import { redirectrecipientsCommand } from '../../src/commands/redirectrecipients.js';
import { showrecipientsCommand } from '../../src/commands/showrecipients.js';
import { statusCommand } from '../../src/commands/status.js';
import { suspenddelCommand } from '../../src/commands/suspenddel.js';
import { workqueueCommand } from '../../src/commands/workqueue.js';
import { Appliance } from '../../src/engine/appliance.js';
import { fakeLive, host } from '../helpers/fake-live.js';
import { expectGolden } from '../helpers/golden.js';
import { runScripted, tempHome } from '../helpers/scripted.js';

const NOW = Date.UTC(2024, 1, 16, 21, 19, 24);
const tdc = host('the.tdc.queue', {
  activeRecipients: 12,
  unattemptedRecipients: 10,
  attemptedRecipients: 2,
  connectionsOut: 3,
  deliveredRecipients: 104_163,
  softBouncedEvents: 4,
  hardBouncedRecipients: 3,
  hardBounces: { dns: 2, fiveXX: 1, filter: 0, expired: 0, other: 0 },
  hostDown: false,
  oldestMessage: NOW - 30_000,
  lastActivity: NOW - 1_000,
  routes: ['beta.cmd.cisco.com -> 127.0.0.1:2465'],
});
const queued = [
  {
    mid: 7,
    rid: 0,
    host: 'the.tdc.queue',
    sender: 'Alice@outside.example',
    recipient: 'journal-5f1c2e9a7b3d4c60@intake.beta.cmd.cisco.com',
    subject: 'Journal',
    size: 2048,
    attempts: 1,
    queuedAt: NOW - 5000,
  },
  { mid: 8, rid: 0, host: 'example.com', sender: 'bob@outside.example', recipient: 'user@example.com', subject: 'hello', size: 900, attempts: 0, queuedAt: NOW - 4000 },
  { mid: 8, rid: 1, host: 'example.com', sender: 'bob@outside.example', recipient: 'second.user@example.com', subject: 'hello', size: 900, attempts: 0, queuedAt: NOW - 4000 },
  {
    mid: 9,
    rid: 0,
    host: 'example.com',
    sender: 'a.sender.with.a.very.long.address@outside.example',
    recipient: 'user@example.com',
    subject: 'Quarterly figures',
    size: 123_456,
    attempts: 2,
    queuedAt: NOW - 3000,
  },
];

function setup() {
  const { live, calls } = fakeLive([tdc, host('example.com')], queued, NOW);
  const appliance = new Appliance({ home: tempHome(), clock: { now: () => NOW, setTimeout: () => ({ cancel() {} }) } });
  appliance.live = live;
  return { appliance, calls };
}

describe('operator views', () => {
  it('hoststatus matches its golden screen, and names an unknown host', async () => {
    const { appliance } = setup();
    expectGolden('hoststatus.txt', (await runScripted(hoststatusCommand, [], { appliance, args: ['the.tdc.queue'] })).transcript);
    await expect(runScripted(hoststatusCommand, [], { appliance, args: ['nowhere.example'] })).rejects.toThrow('No record of host: nowhere.example');
  });

  it('status detail matches its golden screen; plain status has no rates', async () => {
    const { appliance } = setup();
    expectGolden('status-detail.txt', (await runScripted(statusCommand, [], { appliance, args: ['detail'] })).transcript);
    const plain = (await runScripted(statusCommand, [], { appliance })).transcript;
    expectGolden('status.txt', plain);
    expect(plain).not.toContain('Rates (Events Per Hour):');
    // as the appliance: the pointer to the detail, a blank line, then the header
    expect(plain).toMatch(/^\nEnter "status detail" for more information\.\n\nStatus as of: /);
    expect(plain).toMatch(/^Counters: {2,}Reset {2,}Uptime {2,}Lifetime\n {2}Receiving\n/m);
  });

  it('showrecipients matches its golden screen: two lines a message, a long address on a line of its own', async () => {
    const { appliance } = setup();
    const { transcript } = await runScripted(showrecipientsCommand, [], { appliance, flags: { all: true }, interactive: false });
    expectGolden('showrecipients.txt', transcript);
    expect(transcript).toMatch(/^\[0\] +\[1\] +journal-5f1c2e9a7b3d4c60@intake\.beta\.cmd\.cisco\.com$/m);
    expect(transcript).toMatch(/^9 +123,456 +a\.sender\.with\.a\.very\.long\.address@outside\.example Quarterly figures$/m);
  });

  it('queue controls act on the running appliance', async () => {
    const { appliance, calls } = setup();
    const shown = await runScripted(showrecipientsCommand, ['2', 'alice@outside.example', 'N'], { appliance });
    expect(shown.transcript).toContain('1 recipient listed.');
    const del = await runScripted(deleterecipientsCommand, [], { appliance, flags: { host: 'the.tdc.queue', yes: true }, interactive: false });
    expect(del.transcript).toBe('1 recipient deleted.\n');
    expect((await runScripted(deleterecipientsCommand, [], { appliance, flags: { host: 'none.example' }, interactive: false })).transcript).toBe('No record of that host.\n');
    await runScripted(delivernowCommand, [], { appliance, args: ['the.tdc.queue'] });
    await runScripted(suspenddelCommand, [], { appliance, args: ['the.tdc.queue,', 'example.com'] });
    await runScripted(redirectrecipientsCommand, ['Y'], { appliance, args: ['exchange.lab'] });
    await runScripted(workqueueCommand, ['PAUSE', 'Y', 'maintenance', 'resume', ''], { appliance });
    expect(calls).toEqual(['delete:{"host":"the.tdc.queue"}', 'deliverNow:the.tdc.queue', 'suspend:the.tdc.queue,example.com', 'redirect:exchange.lab', 'pause:maintenance', 'resume']);
  });

  it('refuses a bad redirect host', async () => {
    const { appliance } = setup();
    await expect(runScripted(redirectrecipientsCommand, [], { appliance, args: ['bad host!'], interactive: false })).rejects.toThrow(/not valid/);
  });
});
