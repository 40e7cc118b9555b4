import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer from 'nodemailer';
import { renderStatus } from '../../src/commands/format/status-screen.js';
import { Appliance } from '../../src/engine/appliance.js';
import { logFiles } from '../../src/engine/logs/log-files.js';
import { MailEngine } from '../../src/engine/mail/mail-engine.js';
import { waitFor } from '../helpers/engine.js';
import { runBinary } from '../helpers/run-main.js';
import { labHome } from '../helpers/scripted.js';

/**
 * Every file the appliance reads at start (state/ids.json, state/counters.json, the spool, the
 * lab TLS files) and writes while it runs (mail_logs), bad in each way a file can be: the
 * appliance starts, names the file and the problem, keeps the bad file aside, and loses nothing
 * it acknowledged.
 */

const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

function home(): string {
  const h = labHome();
  homes.push(h);
  return h;
}

/** A running engine whose reports to the operator are collected in `warnings`. */
async function start(root: string, warnings: string[] = []): Promise<MailEngine> {
  const appliance = new Appliance({ home: root });
  const engine = new MailEngine(appliance, { warn: (text) => warnings.push(text) });
  await engine.start();
  appliance.live = engine;
  return engine;
}

/** Sends one message per recipient; returns the MIDs the 250 replies named. */
async function send(engine: MailEngine, count: number): Promise<number[]> {
  const { port } = engine.listenerAddress();
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, ignoreTLS: true });
  try {
    const mids: number[] = [];
    for (let i = 0; i < count; i++) {
      const info = await transport.sendMail({ from: 'a@outside.example', to: `user${i}@example.com`, subject: `m${i}`, text: `message ${i}` });
      mids.push(Number(/Message (\d+) accepted/.exec(info.response)![1]));
    }
    return mids;
  } finally {
    transport.close();
  }
}

const log = (root: string, engine?: MailEngine) => {
  engine?.log.flush();
  return readFileSync(join(root, 'logs', 'mail_logs', 'mail.current'), 'utf8');
};
const asideOf = (dir: string, name: string) => readdirSync(dir).filter((f) => f.startsWith(`${name}.bad-`));
const mailboxFiles = (root: string) => (existsSync(`${root}/mailboxes`) ? readdirSync(`${root}/mailboxes`).flatMap((b) => readdirSync(`${root}/mailboxes/${b}`)) : []);
const highest = (text: string, kind: string) => Math.max(0, ...[...text.matchAll(new RegExp(`\\b${kind} (\\d+)`, 'g'))].map((m) => Number(m[1])));

describe('state/ids.json', () => {
  it.each([
    ['of the wrong shape ({})', '{}', /ids\.json is not valid: mid is missing; icid is missing; dcid is missing/],
    ['not JSON', '{"mid": 12', /ids\.json is not JSON: /],
    ['holding a number that is no ID', '{"mid": -3, "icid": 1.5, "dcid": 2}', /ids\.json is not valid: mid must be at least 1; icid must be a whole number, not 1\.5/],
  ])('%s: is kept aside, reported by name, and IDs resume above every ID in the spool and mail_logs', async (_, content, problem) => {
    const root = home();
    const first = await start(root);
    first.pauseWorkQueue('test'); // one message stays in the spool
    await send(first, 3);
    await first.stop();
    const before = log(root);
    writeFileSync(join(root, 'state', 'ids.json'), content);

    const warnings: string[] = [];
    const engine = await start(root, warnings);
    try {
      const mids = await send(engine, 2);
      const text = log(root, engine);
      // reported in mail_logs and to the operator, naming the file and the problem
      expect(text).toMatch(new RegExp(`Warning: State file ${root.replace(/[/.]/g, '\\$&')}/state/${problem.source}`));
      expect(warnings.join('\n')).toMatch(problem);
      // kept aside as it was
      const aside = asideOf(join(root, 'state'), 'ids.json');
      expect(aside).toHaveLength(1);
      expect(readFileSync(join(root, 'state', aside[0]!), 'utf8')).toBe(content);
      // new IDs are numbers above everything already used, each message in its own spool file
      expect(mids.every(Number.isSafeInteger)).toBe(true);
      expect(Math.min(...mids)).toBeGreaterThan(highest(before, 'MID'));
      expect(new Set(mids).size).toBe(2);
      expect(highest(text.slice(before.length), 'ICID')).toBeGreaterThan(highest(before, 'ICID'));
      expect(readdirSync(join(root, 'spool', 'msg')).some((f) => f.startsWith('NaN'))).toBe(false);
      await waitFor(() => mailboxFiles(root).length === 5, 15_000, 'all five messages delivered');
      // the file is good again
      expect(JSON.parse(readFileSync(join(root, 'state', 'ids.json'), 'utf8'))).toMatchObject({ mid: expect.any(Number) });
    } finally {
      await engine.stop();
    }
  });

  it('missing in a home that has been used: IDs still resume above the spool and mail_logs', async () => {
    const root = home();
    const first = await start(root);
    first.suspendDelivery('ALL');
    const old = await send(first, 2);
    await first.stop();
    rmSync(join(root, 'state', 'ids.json'));
    const warnings: string[] = [];
    const engine = await start(root, warnings);
    try {
      const [mid] = await send(engine, 1);
      expect(mid).toBeGreaterThan(Math.max(...old));
      expect(warnings.join('\n')).toMatch(/ids\.json is missing\. IDs resume at MID \d+/);
    } finally {
      await engine.stop();
    }
  });
});

describe('state/counters.json', () => {
  it.each([
    ['not JSON', '{"lifetime": {"messagesRec', /counters\.json is not JSON: /],
    [
      'of the wrong shape',
      '{"lifetime": {"messagesReceived": "many"}, "atReset": {}, "lastReset": null}',
      /counters\.json is not valid: lifetime\.messagesReceived must be a whole number, not "many"/,
    ],
    [
      'inconsistent',
      '{"lifetime": {"messagesReceived": 1}, "atReset": {"messagesReceived": 5}, "lastReset": 0}',
      /counters\.json is not valid: atReset\.messagesReceived is above lifetime\.messagesReceived/,
    ],
  ])('%s: is kept aside, reported by name, and the counters start again from zero', async (_, content, problem) => {
    const root = home();
    mkdirSync(join(root, 'state'), { recursive: true });
    writeFileSync(join(root, 'state', 'counters.json'), content);
    const warnings: string[] = [];
    const engine = await start(root, warnings);
    try {
      expect(warnings.join('\n')).toMatch(problem);
      expect(warnings.join('\n')).toMatch(/start again from zero/);
      expect(log(root, engine)).toMatch(new RegExp(`Warning: State file .*/state/${problem.source}`));
      const aside = asideOf(join(root, 'state'), 'counters.json');
      expect(aside.map((f) => readFileSync(join(root, 'state', f), 'utf8'))).toEqual([content]);
      expect(engine.status().counters.lifetime.messagesReceived).toBe(0);
      await send(engine, 1);
      expect(engine.status().counters.lifetime.messagesReceived).toBe(1);
      // saved with the log line of the message, before its 250: no stop needed
      expect(JSON.parse(readFileSync(join(root, 'state', 'counters.json'), 'utf8')).lifetime.messagesReceived).toBe(1);
    } finally {
      await engine.stop();
    }
  });
});

describe('the spool at start', () => {
  it('quarantines an acknowledged message whose record line is damaged, names it in mail_logs and status, and delivers the rest', async () => {
    const root = home();
    const first = await start(root);
    first.pauseWorkQueue('test'); // the messages stay in spool/msg without queue files
    const [damaged, wrongShape, fine] = await send(first, 3);
    await first.stop();
    const damage = (mid: number, line: string) => {
      const path = join(root, 'spool', 'msg', `${mid}.eml`);
      const raw = readFileSync(path);
      writeFileSync(path, Buffer.concat([Buffer.from(`${line}\n`), raw.subarray(raw.indexOf(0x0a) + 1)]));
    };
    damage(damaged!, `{"mid": ${damaged}, "icid": 1, "fr\u0000om": garbage`);
    damage(wrongShape!, '{}');

    const warnings: string[] = [];
    const engine = await start(root, warnings);
    try {
      await waitFor(() => mailboxFiles(root).length === 1, 15_000, 'the good message delivered');
      const text = log(root, engine);
      expect(text).toMatch(new RegExp(`Warning: MID ${damaged} moved to the spool quarantine .*, not delivered: the record line of ${damaged}\\.eml is not JSON`));
      expect(text).toMatch(new RegExp(`Warning: MID ${wrongShape} moved to the spool quarantine .*, not delivered: the record line of ${wrongShape}\\.eml is not valid: mid is missing`));
      expect(text).not.toMatch(new RegExp(`Delivery start DCID \\d+ MID (${damaged}|${wrongShape}) `));
      expect(text).toMatch(new RegExp(`Delivery start DCID \\d+ MID ${fine} `));
      // kept whole, never deleted
      expect(readdirSync(join(root, 'spool', 'quarantine')).sort()).toEqual([`${damaged}.eml`, `${wrongShape}.eml`].sort());
      expect(readFileSync(join(root, 'spool', 'quarantine', `${damaged}.eml`), 'utf8')).toContain(`message 0`);
      expect(engine.status().quarantinedMessages).toBe(2);
      expect(renderStatus(engine.status(), false)).toMatch(/^Messages in spool quarantine: {2}2$/m);
      expect(warnings.filter((w) => w.includes('spool quarantine'))).toHaveLength(2);
    } finally {
      await engine.stop();
    }
    // still there at the next start, still shown
    const again = await start(root);
    try {
      expect(again.status().quarantinedMessages).toBe(2);
    } finally {
      await again.stop();
    }
  });

  it('recovers the messages of a damaged spool log file, keeps the damage in the quarantine, names it in mail_logs and status', async () => {
    const root = home();
    const first = await start(root);
    first.pauseWorkQueue('test');
    const mids = await send(first, 2);
    await first.stop();
    // as a crash would leave them: in a log file, not in message files; something scribbled between
    const frame = (mid: number) => {
      const path = join(root, 'spool', 'msg', `${mid}.eml`);
      const content = readFileSync(path);
      rmSync(path);
      return Buffer.concat([Buffer.from(`M ${mid} ${content.length}\n`), content]);
    };
    const [a, b] = mids.map((mid) => frame(mid!));
    mkdirSync(join(root, 'spool', 'log'), { recursive: true });
    writeFileSync(join(root, 'spool', 'log', '7.log'), Buffer.concat([a!, Buffer.from('not a frame\n'), b!]));

    const warnings: string[] = [];
    const engine = await start(root, warnings);
    try {
      await waitFor(() => mailboxFiles(root).length === 2, 15_000, 'both messages delivered');
      const kept = join(root, 'spool', 'quarantine', `log-7-at-${a!.length}.damaged`);
      const problem = `spool log file 7.log is damaged: 12 bytes at offset ${a!.length} are not messages of the spool; they were kept in ${kept}`;
      expect(log(root, engine)).toContain(`Warning: ${problem}`);
      expect(warnings).toContain(problem);
      expect(readFileSync(kept, 'utf8')).toBe('not a frame\n');
      expect(readdirSync(join(root, 'spool', 'log'))).toEqual([]);
      expect(renderStatus(engine.status(), false)).toMatch(/^Messages in spool quarantine: {2}1$/m);
    } finally {
      await engine.stop();
    }
  });

  it.each([
    ['[{}]', /queue file \d+\.json is not valid: \[0\]\.mid is missing/],
    ['{}', /queue file \d+\.json is not valid: \d+\.json must be a list, not an object/],
  ])('a queue file holding %s does not stop the appliance: its message is quarantined, the others delivered', async (content, problem) => {
    const root = home();
    const first = await start(root);
    first.suspendDelivery('ALL'); // queue files written, nothing delivered
    const [bad, good] = await send(first, 2);
    await waitFor(() => existsSync(join(root, 'spool', 'queue', `${good}.json`)) && existsSync(join(root, 'spool', 'queue', `${bad}.json`)));
    await first.stop();
    writeFileSync(join(root, 'spool', 'queue', `${bad}.json`), content);

    const engine = await start(root);
    try {
      await waitFor(() => mailboxFiles(root).length === 1, 15_000, 'the good message delivered');
      const text = log(root, engine);
      expect(text).toMatch(new RegExp(`MID ${bad} moved to the spool quarantine .*, not delivered: ${problem.source}`));
      expect(readdirSync(join(root, 'spool', 'quarantine')).sort()).toEqual([`${bad}.eml`, `${bad}.queue.json`]);
      expect(readFileSync(join(root, 'spool', 'quarantine', `${bad}.queue.json`), 'utf8')).toBe(content);
      expect(engine.status().quarantinedMessages).toBe(1);
    } finally {
      await engine.stop();
    }
  });
});

describe('tls files', () => {
  it.each([
    ['server.pem', 'not a certificate', /server\.pem is not a PEM certificate/, /The lab CA issued a new server certificate/],
    ['server.key', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', /server\.key is not a PEM private key/, /The lab CA issued a new server certificate/],
    ['lab-ca.pem', '', /lab-ca\.pem is not a PEM certificate/, /A new lab CA was made/],
  ])('a bad %s is named, kept aside and replaced; STARTTLS works with the lab CA', async (file, content, problem, repair) => {
    const root = home();
    await (await start(root)).stop(); // makes the lab PKI
    writeFileSync(join(root, 'tls', file), content);
    const warnings: string[] = [];
    const engine = await start(root, warnings);
    try {
      expect(warnings.join('\n')).toMatch(problem);
      expect(warnings.join('\n')).toMatch(repair);
      expect(log(root, engine)).toMatch(new RegExp(`Warning: TLS files in .* cannot be used: ${problem.source}`));
      expect(asideOf(join(root, 'tls'), file).map((f) => readFileSync(join(root, 'tls', f), 'utf8'))).toEqual([content]);
      const transport = nodemailer.createTransport({ ...engine.listenerAddress(), requireTLS: true, tls: { ca: readFileSync(join(root, 'tls', 'lab-ca.pem'), 'utf8'), servername: 'localhost' } });
      try {
        const info = await transport.sendMail({ from: 'a@outside.example', to: 'u@example.com', text: 'over TLS' });
        expect(info.response).toMatch(/^250 /);
      } finally {
        transport.close();
      }
    } finally {
      await engine.stop();
    }
  });
});

describe('mail_logs that cannot be written', () => {
  it('a directory where mail.current should be, at start: kept aside and named in the new mail.current and on the terminal; mail flows and is logged', async () => {
    const root = home();
    const dir = join(root, 'logs', 'mail_logs');
    const file = join(dir, 'mail.current');
    mkdirSync(join(file, 'inside'), { recursive: true }); // a directory where the file should be
    const warnings: string[] = [];
    const engine = await start(root, warnings);
    try {
      const mids = await send(engine, 3);
      await waitFor(() => mailboxFiles(root).length === 3, 15_000, 'all delivered');
      expect(mids).toHaveLength(3);
      const [aside] = asideOf(dir, 'mail.current');
      expect(existsSync(join(dir, aside!, 'inside'))).toBe(true);
      const named = `${file} is a directory: it was kept aside as ${aside}, and a new mail.current begins.`;
      expect(warnings).toEqual([named]);
      const text = log(root, engine);
      expect(text).toContain(`Warning: ${named}\n`);
      expect(text).toContain(`MID ${mids[2]} ready`);
      expect(engine.status().counters.uptime.messagesReceived).toBe(3);
      // the copy kept aside is no file of the log
      expect(logFiles(join(root, 'logs'), 'mail_logs')).toEqual([file]);
    } finally {
      await engine.stop();
    }
  });

  it('while running: reported once, its lines kept and written when it can be again', async () => {
    const root = home();
    const warnings: string[] = [];
    const engine = await start(root, warnings);
    const file = join(root, 'logs', 'mail_logs', 'mail.current');
    try {
      await send(engine, 1);
      renameSync(file, `${file}.moved`);
      mkdirSync(file);
      const [during] = await send(engine, 2);
      expect(warnings.filter((w) => w.includes('cannot be written'))).toHaveLength(1);
      rmSync(file, { recursive: true });
      // the retry comes while mail keeps flowing (the replies do not put it off)
      const deadline = Date.now() + 5000;
      while (!(existsSync(file) && readFileSync(file, 'utf8').includes(`MID ${during} ready`))) {
        if (Date.now() > deadline) throw new Error('the kept lines were not written while mail flowed');
        await send(engine, 1);
      }
      expect(warnings.at(-1)).toMatch(/mail_logs\/mail\.current is written again/);
      expect(readFileSync(`${file}.moved`, 'utf8')).not.toContain(`MID ${during} `);
    } finally {
      await engine.stop();
    }
  });
});

describe('the real binary', () => {
  it('opens on a home whose mail.current is a directory: named, kept aside, the appliance starts', async () => {
    const root = home();
    mkdirSync(join(root, 'logs', 'mail_logs', 'mail.current'), { recursive: true });
    const run = await runBinary(['--home', root], 'status\nquit\n', 60_000);
    expect(run.stdout + run.stderr).not.toMatch(/An application fault occurred|did not start|EISDIR/);
    expect(run.stderr).toMatch(/logs\/mail_logs\/mail\.current is a directory: it was kept aside as mail\.current\.bad-\S+, and a new mail\.current begins\./);
    expect(run.stdout).toMatch(/Messages Received/);
    expect(run.code).toBe(0);
    expect(asideOf(join(root, 'logs', 'mail_logs'), 'mail.current')).toHaveLength(1);
    expect(readFileSync(join(root, 'logs', 'mail_logs', 'mail.current'), 'utf8')).toMatch(/Warning: .*mail\.current is a directory: it was kept aside/);
  });

  it('opens on a home whose ids.json, counters.json and server.pem are bad: each named with its problem, no unexpected error', async () => {
    const root = home();
    await (await start(root)).stop(); // a used home: state files and the lab PKI exist
    writeFileSync(join(root, 'state', 'ids.json'), '{}');
    writeFileSync(join(root, 'state', 'counters.json'), '{"lifetime": ');
    writeFileSync(join(root, 'tls', 'server.pem'), 'garbage');
    const run = await runBinary(['--home', root], 'status\nquit\n', 60_000);
    expect(run.stderr).not.toMatch(/An application fault occurred|at .*\.js:\d+/);
    expect(run.stderr).toMatch(/ids\.json is not valid: mid is missing/);
    expect(run.stderr).toMatch(/counters\.json is not JSON: /);
    expect(run.stderr).toMatch(/server\.pem is not a PEM certificate/);
    expect(run.stdout).toMatch(/Messages Received/);
    expect(run.code).toBe(0);
  });
});
