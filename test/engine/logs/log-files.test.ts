import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { commitCommand } from '../../../src/commands/commit.js';
import { grepCommand } from '../../../src/commands/grep.js';
import { rollovernowCommand } from '../../../src/commands/rollovernow.js';
import { sethostnameCommand } from '../../../src/commands/sethostname.js';
import { tailCommand } from '../../../src/commands/tail.js';
import { Conversation } from '../../../src/conversation/conversation.js';
import { Appliance } from '../../../src/engine/appliance.js';
import { defaultLogSubscription, type LogSubscription } from '../../../src/engine/config/model.js';
import { logFiles, rolledFileName, stampOf } from '../../../src/engine/logs/log-files.js';
import { LogLines, type LoggedLine } from '../../../src/engine/logs/log-lines.js';
import { LogWriter } from '../../../src/engine/logs/log-writer.js';
import { MailEngine } from '../../../src/engine/mail/mail-engine.js';
import { runBinary } from '../../helpers/run-main.js';
import { commitEdit, consoleSession, labHome, runScripted, tempHome, testHost } from '../../helpers/scripted.js';

const HEADER = [/ Info: Begin Logfile$/, / Info: Version: 15\.5\.1-055 SN: TEST$/, / Info: Time offset from UTC: -?\d+ seconds$/];
const read = (file: string) => readFileSync(file, 'utf8').split('\n').slice(0, -1);

/** A writer on a fresh logs/ directory, with a clock the test moves. */
function writer(sub: Partial<LogSubscription> = {}) {
  const logsDir = join(tempHome(), 'logs');
  const clock = { now: Date.UTC(2026, 11, 7, 12, 0, 0) };
  const lines = new LogLines();
  const log = new LogWriter({ logsDir, subscription: { ...defaultLogSubscription('mail_logs'), ...sub }, now: () => clock.now, header: () => ['Version: 15.5.1-055 SN: TEST'], lines });
  const dir = join(logsDir, sub.name ?? 'mail_logs');
  return { logsDir, dir, clock, log, lines };
}

describe('a log subscription on disk', () => {
  it('is logs/<name>/<prefix>.current, begun as AsyncOS begins a file (Begin Logfile, the version, the time offset)', () => {
    const { dir, log } = writer();
    log.info('Start MID 1 ICID 1');
    log.flush();
    expect(readdirSync(dir)).toEqual(['mail.current']);
    const lines = read(join(dir, 'mail.current'));
    HEADER.forEach((re, i) => expect(lines[i]).toMatch(re));
    // the tests run in UTC (vitest.config.ts)
    expect(lines[2]).toBe('Mon Dec  7 12:00:00 2026 Info: Time offset from UTC: 0 seconds');
    expect(lines[3]).toBe('Mon Dec  7 12:00:00 2026 Info: Start MID 1 ICID 1');
    // a user's subscription is named after itself
    const own = writer({ name: 'siem_mail' });
    own.log.info('x');
    own.log.flush();
    expect(readdirSync(own.dir)).toEqual(['siem_mail.current']);
  });

  it('makes its directory again when logs/ was cleaned, but never the home: a home removed under it stays removed', () => {
    const warnings: string[] = [];
    const home = tempHome();
    const logsDir = join(home, 'logs');
    const log = new LogWriter({
      logsDir,
      subscription: defaultLogSubscription('system_logs'),
      now: () => Date.now(),
      header: () => ['Version: 15.5.1-055 SN: TEST'],
      lines: new LogLines(),
      warn: () => (text) => warnings.push(text),
    });
    log.info('PID 1: User admin commit changes: one');
    log.flush();
    rmSync(logsDir, { recursive: true });
    log.info('PID 1: User admin commit changes: two');
    log.flush();
    expect(read(join(logsDir, 'system_logs', 'system.current')).at(-1)).toMatch(/commit changes: two$/);
    // the home itself removed (a test's at its end, with a commit line still buffered)
    log.info('PID 1: User admin commit changes: three');
    rmSync(home, { recursive: true });
    log.flush();
    expect(existsSync(home)).toBe(false);
    expect(warnings).toEqual([expect.stringMatching(/the home directory .* is gone; 1 log lines were not written/)]);
    log.info('PID 1: User admin commit changes: four');
    log.flush();
    expect(existsSync(home)).toBe(false);
  });

  it('rolls over by size into <prefix>.@<time the file began>.s, each file begun and ended as AsyncOS does, no line lost', () => {
    const { dir, clock, log } = writer({ maxFileBytes: 2048, maxFiles: 100 });
    const sent: string[] = [];
    for (let i = 0; i < 60; i++) {
      clock.now += 1000;
      const text = `MID ${i} ${'x'.repeat(60)}`;
      sent.push(text);
      log.info(text);
      if (i % 7 === 0) log.flush(); // several writes, as the timer makes them
    }
    log.flush();
    const files = logFiles(join(dir, '..'), 'mail_logs');
    const rolled = files.slice(0, -1);
    expect(rolled.length).toBeGreaterThanOrEqual(2);
    expect(basename(files.at(-1)!)).toBe('mail.current');
    for (const file of rolled) {
      expect(basename(file)).toMatch(/^mail\.@\d{8}T\d{6}\.s$/);
      const lines = read(file);
      HEADER.forEach((re, i) => expect(lines[i]).toMatch(re));
      expect(lines.at(-1)).toMatch(/ Info: Logfile rolled over$/);
      // the stamp is when the file began: its first line's time
      expect(basename(file)).toBe(rolledFileName('mail', Date.parse(lines[0]!.slice(0, 24))));
      // at most the size, and the rolled-over line
      expect(readFileSync(file).length - Buffer.byteLength(`${lines.at(-1)}\n`)).toBeLessThanOrEqual(2048);
    }
    // in order, each once, across the files
    const logged = files.flatMap(read).flatMap((l) => /Info: (MID \d+ x+)$/.exec(l)?.[1] ?? []);
    expect(logged).toEqual(sent);
    expect(files.map((f) => stampOf(f) ?? Infinity)).toEqual([...files.map((f) => stampOf(f) ?? Infinity)].sort((a, b) => a - b));
  });

  it('keeps at most maxFiles files (the current one included): the oldest rolled file goes', () => {
    const { dir, clock, log } = writer({ maxFileBytes: 1024, maxFiles: 3 });
    for (let i = 0; i < 200; i++) {
      clock.now += 1000;
      log.info(`MID ${i} ${'y'.repeat(40)}`);
      if (i % 5 === 0) log.flush();
    }
    log.flush();
    const files = logFiles(join(dir, '..'), 'mail_logs');
    expect(files).toHaveLength(3);
    const mids = files.flatMap(read).flatMap((l) => /MID (\d+) /.exec(l)?.[1] ?? []);
    // the newest lines are kept, in order, up to the last one
    expect(mids.at(-1)).toBe('199');
    expect(mids.map(Number)).toEqual([...mids.map(Number)].sort((a, b) => a - b));
    expect(Number(mids[0])).toBeGreaterThan(100);
  });

  it('writes the lines at its level and below, and hands each to the listeners with its subscription, level and time', () => {
    const { dir, clock, log, lines } = writer({ level: 'warning' });
    const heard: LoggedLine[] = [];
    const off = lines.on((l) => heard.push(l));
    log.write('Info', 'not at warning level');
    log.write('Warning', 'a warning');
    log.write('Critical', 'a critical one');
    log.write('Debug', 'not either');
    off();
    log.write('Warning', 'after the listener left');
    log.flush();
    expect(heard.map((l) => [l.subscription, l.type, l.level, l.at, l.text])).toEqual([
      ['mail_logs', 'mail_logs', 'Warning', clock.now, 'a warning'],
      ['mail_logs', 'mail_logs', 'Critical', clock.now, 'a critical one'],
    ]);
    // the tests run in UTC (vitest.config.ts)
    expect(heard[0]!.line).toBe('Mon Dec  7 12:00:00 2026 Warning: a warning');
    const text = readFileSync(join(dir, 'mail.current'), 'utf8');
    expect(text).not.toMatch(/not at warning level|not either/);
    expect(text).toMatch(/Warning: a warning\n.*Critical: a critical one\n.*Warning: after the listener left\n$/);
  });
});

describe('rollovernow', () => {
  it('rolls the named subscription over now; without a name every subscription; an unknown one is refused by name', async () => {
    const appliance = new Appliance({ home: tempHome() });
    appliance.logs.write('mail_logs', 'Info', 'Start MID 7 ICID 3');
    await runScripted(rollovernowCommand, [], { appliance, args: ['mail_logs'] });
    const dir = join(appliance.paths.logs, 'mail_logs');
    const [rolled, current] = logFiles(appliance.paths.logs, 'mail_logs');
    expect(basename(rolled!)).toMatch(/^mail\.@\d{8}T\d{6}\.s$/);
    expect(readFileSync(rolled!, 'utf8')).toMatch(/Info: Start MID 7 ICID 3\n.*Info: Logfile rolled over\n$/);
    expect(current).toBe(join(dir, 'mail.current'));
    expect(read(current!).map((l) => l.replace(/^.{24} /, ''))).toEqual(['Info: Begin Logfile', expect.stringMatching(/^Info: Version: /), expect.stringMatching(/^Info: Time offset from UTC: /)]);
    // twice in the same second: a second rolled file, named after the first
    await runScripted(rollovernowCommand, [], { appliance, args: ['mail_logs'] });
    expect(logFiles(appliance.paths.logs, 'mail_logs')).toHaveLength(3);
    await runScripted(rollovernowCommand, [], { appliance });
    for (const [name, prefix] of [
      ['system_logs', 'system'],
      ['authentication', 'authentication'],
      ['gui_logs', 'gui'],
    ]) {
      expect(readdirSync(join(appliance.paths.logs, name!)).sort()).toEqual([expect.stringMatching(new RegExp(`^${prefix}\\.@\\d{8}T\\d{6}\\.s$`)), `${prefix}.current`]);
    }
    expect(logFiles(appliance.paths.logs, 'mail_logs')).toHaveLength(4);
    await expect(runScripted(rollovernowCommand, [], { appliance, args: ['mail'] })).rejects.toThrow(
      'Unknown log subscription "mail". Log subscriptions: mail_logs, system_logs, authentication, gui_logs.',
    );
  });

  it('tail follows the log across a rollover; grep searches the rolled and the current file', async () => {
    const appliance = new Appliance({ home: tempHome() });
    appliance.logs.write('mail_logs', 'Info', 'Start MID 1 ICID 1');
    appliance.logs.flush();
    const printed: string[] = [];
    const controller = new AbortController();
    const io = new Conversation({
      write: (t) => {
        printed.push(t);
        if (t.includes('MID 3 ')) controller.abort();
      },
      readLine: async () => null,
    });
    const running = tailCommand.run(
      { appliance, session: consoleSession(appliance), io, interactive: false, signal: controller.signal, host: testHost },
      { args: ['mail_logs'], flags: { lines: '1' } },
    );
    await new Promise((r) => setTimeout(r, 300));
    appliance.logs.write('mail_logs', 'Info', 'Start MID 2 ICID 1');
    appliance.logs.rollover(['mail_logs']);
    appliance.logs.write('mail_logs', 'Info', 'Start MID 3 ICID 1');
    appliance.logs.flush();
    await running;
    const text = printed.join('');
    expect(text).toMatch(/Start MID 1 ICID 1\n[\s\S]*Start MID 2 ICID 1\n[\s\S]*Logfile rolled over\n[\s\S]*Begin Logfile\n[\s\S]*Start MID 3 ICID 1\n/);
    const grep = await runScripted(grepCommand, [], { appliance, args: ['mail_logs'], flags: { regexp: 'Start MID' }, interactive: false });
    expect(grep.transcript.match(/Start MID \d/g)).toEqual(['Start MID 1', 'Start MID 2', 'Start MID 3']);
  });
});

describe('a home made before log subscriptions', () => {
  /** logs/ as segsim wrote it before: mail_logs and its rotations .1 (newer) to .3 (older), authentication and .1 */
  function oldHome(): { home: string; mail: string[]; auth: string[] } {
    const home = labHome();
    const logs = join(home, 'logs');
    mkdirSync(logs, { recursive: true });
    const file = (name: string, second: number, count: number) => {
      const lines = Array.from({ length: count }, (_, i) => `Mon Dec  7 10:00:${String(second + i).padStart(2, '0')} 2026 Info: ${name} line ${i}`);
      writeFileSync(join(logs, name), `${lines.join('\n')}\n`);
      return lines;
    };
    // mail_logs.3 is the oldest
    const mail = [...file('mail_logs.3', 0, 3), ...file('mail_logs.2', 10, 3), ...file('mail_logs.1', 20, 3), ...file('mail_logs', 30, 5)];
    const auth = [...file('authentication.1', 0, 2), ...file('authentication', 5, 2)];
    return { home, mail, auth };
  }

  it('has its logs moved into the subscriptions at start: rotations as rolled files in order, the current one as .current, no line lost', () => {
    const { home, mail, auth } = oldHome();
    const appliance = new Appliance({ home });
    expect(appliance.logs.problems).toEqual([]);
    const files = appliance.logs.files('mail_logs').map((f) => basename(f));
    expect(files).toEqual(['mail.@20261207T100000.s', 'mail.@20261207T100010.s', 'mail.@20261207T100020.s', 'mail.current']);
    expect(appliance.logs.files('mail_logs').flatMap(read)).toEqual(mail);
    expect(appliance.logs.files('authentication').map((f) => basename(f))).toEqual(['authentication.@20261207T100000.s', 'authentication.current']);
    expect(appliance.logs.files('authentication').flatMap(read)).toEqual(auth);
    expect(readdirSync(join(home, 'logs')).sort()).toEqual(['authentication', 'mail_logs']);
    // new lines go on in the moved current file
    appliance.logs.write('mail_logs', 'Info', 'after the move');
    appliance.logs.flush();
    expect(read(join(home, 'logs', 'mail_logs', 'mail.current'))).toEqual([...mail.slice(-5), expect.stringMatching(/ Info: after the move$/)]);
    // a second start finds the new layout and moves nothing
    expect(new Appliance({ home }).logs.files('mail_logs').map((f) => basename(f))).toEqual(files);
  });

  it('keeps aside and names a file that cannot be moved, moves the rest, and finishes a move that was cut short', () => {
    const { home, mail } = oldHome();
    const logs = join(home, 'logs');
    // mail_logs.4: a directory where a rotation should be
    mkdirSync(join(logs, 'mail_logs.4', 'inside'), { recursive: true });
    // a start cut short: mail_logs.3 was already gathered
    mkdirSync(join(logs, '.mail_logs.migrating'));
    renameSync(join(logs, 'mail_logs.3'), join(logs, '.mail_logs.migrating', 'mail.@20261207T100000.s'));
    const appliance = new Appliance({ home });
    expect(appliance.logs.problems).toEqual([
      expect.stringMatching(new RegExp(`^${join(logs, 'mail_logs.4')} is a directory: it was kept aside as mail_logs\\.4\\.bad-\\S+, not moved to ${join(logs, 'mail_logs')}\\.$`)),
    ]);
    expect(readdirSync(logs).filter((f) => f.startsWith('mail_logs.4.bad-'))).toHaveLength(1);
    expect(existsSync(join(logs, '.mail_logs.migrating'))).toBe(false);
    expect(appliance.logs.files('mail_logs').flatMap(read)).toEqual(mail);
    // named in system_logs too
    appliance.logs.flush();
    expect(readFileSync(join(logs, 'system_logs', 'system.current'), 'utf8')).toMatch(/Warning: .*mail_logs\.4 is a directory: it was kept aside/);
  });

  it('the real binary: grep finds every old line under the new names, and a started appliance writes on in mail.current', async () => {
    const { home, mail } = oldHome();
    const grep = await runBinary(['--home', home, 'grep', '-e', 'line', 'mail_logs'], '', 30_000);
    expect(grep.code).toBe(0);
    expect(grep.stdout.trimEnd().split('\n')).toEqual(mail);
    const engine = new MailEngine(new Appliance({ home }));
    await engine.start();
    await engine.stop();
    const current = read(join(home, 'logs', 'mail_logs', 'mail.current'));
    expect(current.slice(0, 5)).toEqual(mail.slice(-5));
    expect(current.join('\n')).toMatch(/Info: System is coming up\./);
  }, 60_000);
});

describe('system_logs', () => {
  it('has a line at each commit with the process, the user and the comment (shell and one-shot), and at start and stop', async () => {
    const home = labHome();
    const appliance = new Appliance({ home });
    await runScripted(sethostnameCommand, [], { appliance, args: ['esa9.example.com'] });
    await runScripted(commitCommand, ['renamed', 'N'], { appliance });
    await commitEdit(appliance, (c) => void (c.hostname = 'esa8.example.com'), 'second');
    appliance.logs.flush();
    const file = join(home, 'logs', 'system_logs', 'system.current');
    expect(read(file).slice(3)).toEqual([
      `${read(file)[3]!.slice(0, 24)} Info: PID ${process.pid}: User admin commit changes: renamed`,
      expect.stringMatching(new RegExp(`Info: PID ${process.pid}: User admin commit changes: second$`)),
    ]);
    // a one-shot run commits from its own process, and its line is on disk when it exits
    const oneShot = await runBinary(['--home', home, 'sethostname', 'esa7.example.com', '--comment', 'from a script'], '', 30_000);
    expect(oneShot.code).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/Info: PID (\d+): User admin commit changes: from a script\n$/);
    expect(Number(/PID (\d+): User admin commit changes: from a script/.exec(readFileSync(file, 'utf8'))![1])).not.toBe(process.pid);
    const engine = new MailEngine(new Appliance({ home }));
    await engine.start();
    await engine.stop();
    expect(readFileSync(file, 'utf8')).toMatch(/Info: System is coming up\.\n.* Info: System is going down\.\n$/);
  }, 60_000);
});
