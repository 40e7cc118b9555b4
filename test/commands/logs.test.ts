import { getEventListeners } from 'node:events';
import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { Conversation } from '../../src/conversation/conversation.js';
import { grepCommand, PAGE_LINES } from '../../src/commands/grep.js';
import { tailCommand } from '../../src/commands/tail.js';
import type { CommandInput, CommandSpec } from '../../src/commands/types.js';
import { Appliance } from '../../src/engine/appliance.js';
import { expectGolden } from '../helpers/golden.js';
import { consoleSession, runScripted, tempHome, testHost } from '../helpers/scripted.js';

const LINES = [
  "Fri Feb 16 21:19:22 2024 Info: TDC: MID 14501404 with Message-ID '<a@b>' enqueued for forwarding to Cisco Secure Email Threat Defense to the message intake address x@beta.cmd.cisco.com",
  'Fri Feb 16 21:19:23 2024 Info: TDC: New SMTP DCID 4566150 interface 127.0.0.1 address 127.0.0.1 port 2465',
  'Fri Feb 16 21:19:23 2024 Info: DCID 4566150 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES128-GCM-SHA256',
  'Fri Feb 16 21:19:24 2024 Info: Message finished MID 14501404 done',
];

const ROLLED = 'mail.@20240216T210000.s';
let current = '';

/** An appliance whose mail_logs has a rolled file and mail.current (`current`). */
function applianceWithLogs(): Appliance {
  const appliance = new Appliance({ home: tempHome() });
  const dir = `${appliance.paths.logs}/mail_logs`;
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}/${ROLLED}`, 'Fri Feb 16 21:00:00 2024 Info: Begin Logfile\n');
  current = `${dir}/mail.current`;
  writeFileSync(current, `${LINES.join('\n')}\n`);
  return appliance;
}

describe('grep', () => {
  it('searches mail_logs (logs/mail_logs/: mail.current and its rolled files), batch form', async () => {
    const appliance = applianceWithLogs();
    const { transcript } = await runScripted(grepCommand, [], { appliance, args: ['mail_logs'], flags: { regexp: 'tdc: ', ignoreCase: true } });
    expect(transcript.trim().split('\n')).toEqual([LINES[0], LINES[1]]);
    const counted = await runScripted(grepCommand, [], { appliance, args: ['mail_logs'], flags: { regexp: 'Info', count: true } });
    expect(counted.transcript).toBe('5\n');
    const withContext = await runScripted(grepCommand, [], { appliance, args: ['mail_logs'], flags: { regexp: 'TLS success', context: '1' } });
    expect(withContext.transcript.trim().split('\n')).toEqual([LINES[1], LINES[2], LINES[3]]);
  });

  it('asks what the appliance asks: log, expression, case, tail, paginate, file pattern (golden)', async () => {
    const appliance = applianceWithLogs();
    const { transcript } = await runScripted(grepCommand, ['1', '(unclosed', 'mid 14501404', '', 'N', 'N', 'mail_logs.9', 'mail.current'], { appliance });
    expectGolden('grep.txt', transcript);
    const none = await runScripted(grepCommand, ['1', 'nomatch', 'N', 'N', 'N', ''], { appliance });
    expect(none.transcript).toContain('No results were found.');
  });

  it('searches only the files a pattern names (-f), the rolled one here', async () => {
    const appliance = applianceWithLogs();
    const rotated = await runScripted(grepCommand, [], { appliance, args: ['mail_logs'], flags: { regexp: 'Info', filePattern: '*.s' } });
    expect(rotated.transcript).toBe('Fri Feb 16 21:00:00 2024 Info: Begin Logfile\n');
    await expect(runScripted(grepCommand, [], { appliance, args: ['mail_logs'], flags: { regexp: 'x', filePattern: '*.7' } })).rejects.toThrow(
      `Unable to grep: no file of mail_logs matches "*.7" (its files: ${ROLLED}, mail.current).`,
    );
  });

  it('paginates in the shell: a page, the pager prompt, and q stops', async () => {
    const appliance = applianceWithLogs();
    appendFileSync(current, Array.from({ length: 2 * PAGE_LINES }, (_, i) => `Fri Feb 16 21:20:00 2024 Info: Start MID ${i + 100} ICID 9\n`).join(''));
    const paged = await runScripted(grepCommand, ['q'], { appliance, args: ['mail_logs'], flags: { regexp: 'Start MID', paginate: true } });
    expect(paged.transcript).toBe(`${Array.from({ length: PAGE_LINES }, (_, i) => `Fri Feb 16 21:20:00 2024 Info: Start MID ${i + 100} ICID 9`).join('\n')}\n-Press Any Key For More-q\n`);
    const all = await runScripted(grepCommand, ['', ''], { appliance, args: ['mail_logs'], flags: { regexp: 'Start MID', paginate: true } });
    expect(all.transcript.match(/Start MID/g)).toHaveLength(2 * PAGE_LINES);
    expect(all.transcript.match(/-Press Any Key For More-/g)).toHaveLength(1);
    // one-shot runs cannot page: all of it at once
    const oneShot = await runScripted(grepCommand, [], { appliance, args: ['mail_logs'], flags: { regexp: 'Start MID', paginate: true }, interactive: false });
    expect(oneShot.transcript).not.toContain('-Press Any Key For More-');
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
    const running = tailCommand.run(
      { appliance, session: consoleSession(appliance), io, interactive: false, signal: controller.signal, host: testHost },
      { args: ['mail_logs'], flags: { lines: '2' } },
    );
    await new Promise((r) => setTimeout(r, 300));
    appendFileSync(current, 'Fri Feb 16 21:19:25 2024 Info: Start MID 99 ICID 1\n');
    await running;
    expect(printed.join('')).toBe(`${LINES[2]}\n${LINES[3]}\nFri Feb 16 21:19:25 2024 Info: Start MID 99 ICID 1\n`);
  });

  it('tail and grep -t keep one abort listener however long they run (no MaxListenersExceededWarning)', async () => {
    const appliance = applianceWithLogs();
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const views: [CommandSpec, CommandInput][] = [
        [tailCommand, { args: ['mail_logs'], flags: {} }],
        [grepCommand, { args: ['mail_logs'], flags: { regexp: 'MID', tail: true } }],
      ];
      for (const [spec, parsed] of views) {
        const controller = new AbortController();
        const io = new Conversation({ write: () => undefined, readLine: async () => null });
        const running = spec.run({ appliance, session: consoleSession(appliance), io, interactive: true, signal: controller.signal, host: testHost }, parsed);
        // 2.2 s: 11 polls of the log, one more than Node allows listeners on a signal before it warns
        await new Promise((r) => setTimeout(r, 2200));
        expect(getEventListeners(controller.signal, 'abort').length).toBeLessThanOrEqual(1);
        controller.abort();
        await running;
      }
      expect(warnings.map((w) => w.name)).not.toContain('MaxListenersExceededWarning');
    } finally {
      process.off('warning', onWarning);
    }
  });
});
