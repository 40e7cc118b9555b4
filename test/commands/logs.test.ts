import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { Conversation } from '../../src/commands/dialog.js';
import { grepCommand } from '../../src/commands/grep.js';
import { tailCommand } from '../../src/commands/tail.js';
import { Appliance } from '../../src/engine/appliance.js';
import { consoleSession, runScripted, tempHome, testHost } from '../helpers/scripted.js';

const LINES = [
  'Fri Feb 16 21:19:22 2024 Info: TDC: MID 14501404 with Message-ID \'<a@b>\' enqueued for forwarding to Cisco Secure Email Threat Defense to the message intake address x@beta.cmd.cisco.com',
  'Fri Feb 16 21:19:23 2024 Info: TDC: New SMTP DCID 4566150 interface 127.0.0.1 address 127.0.0.1 port 2465',
  'Fri Feb 16 21:19:23 2024 Info: DCID 4566150 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES128-GCM-SHA256',
  'Fri Feb 16 21:19:24 2024 Info: Message finished MID 14501404 done',
];

function applianceWithLogs(): Appliance {
  const appliance = new Appliance({ home: tempHome() });
  mkdirSync(appliance.paths.logs, { recursive: true });
  writeFileSync(`${appliance.paths.logs}/mail_logs.1`, 'Fri Feb 16 21:00:00 2024 Info: Begin Logfile\n');
  writeFileSync(appliance.paths.mailLog, `${LINES.join('\n')}\n`);
  return appliance;
}

describe('grep', () => {
  it('searches mail_logs and its rotated files, batch form', async () => {
    const appliance = applianceWithLogs();
    const { transcript } = await runScripted(grepCommand, [], { appliance, args: ['mail_logs'], flags: { regexp: 'tdc: ', ignoreCase: true } });
    expect(transcript.trim().split('\n')).toEqual([LINES[0], LINES[1]]);
    const counted = await runScripted(grepCommand, [], { appliance, args: ['mail_logs'], flags: { regexp: 'Info', count: true } });
    expect(counted.transcript).toBe('5\n');
    const withContext = await runScripted(grepCommand, [], { appliance, args: ['mail_logs'], flags: { regexp: 'TLS success', context: '1' } });
    expect(withContext.transcript.trim().split('\n')).toEqual([LINES[1], LINES[2], LINES[3]]);
  });

  it('walks the dialog, reporting no results and refusing a bad expression', async () => {
    const appliance = applianceWithLogs();
    const { transcript } = await runScripted(grepCommand, ['1', '(unclosed', 'nomatch', 'N', 'N'], { appliance });
    expect(transcript).toMatch(/Currently configured logs:\nEnter the number of the log you wish to grep.\n1. mail_logs/);
    expect(transcript).toContain('That value is not valid: not a regular expression.');
    expect(transcript).toContain('No results were found.');
  });

  it('names an unknown log', async () => {
    await expect(runScripted(grepCommand, [], { appliance: applianceWithLogs(), args: ['nolog'], flags: { regexp: 'x' } })).rejects.toThrow(/Unable to grep: no log named "nolog"/);
  });
});

describe('tail', () => {
  it('prints the last lines, then follows new ones until interrupted', async () => {
    const appliance = applianceWithLogs();
    const printed: string[] = [];
    const controller = new AbortController();
    const io = new Conversation({
      write: (t) => {
        printed.push(t);
        if (t.includes('MID 99')) controller.abort();
      },
      readLine: async () => null,
    });
    const running = tailCommand.run({ appliance, session: consoleSession(appliance), io, interactive: false, signal: controller.signal, host: testHost }, { args: ['mail_logs'], flags: { lines: '2' } });
    await new Promise((r) => setTimeout(r, 300));
    appendFileSync(appliance.paths.mailLog, 'Fri Feb 16 21:19:25 2024 Info: Start MID 99 ICID 1\n');
    await running;
    expect(printed.join('')).toBe(`${LINES[2]}\n${LINES[3]}\nFri Feb 16 21:19:25 2024 Info: Start MID 99 ICID 1\n`);
  });
});
