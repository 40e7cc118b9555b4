import { connect as tlsConnect } from 'node:tls';
import { rmSync } from 'node:fs';
import { connect } from 'node:net';
import nodemailer from 'nodemailer';
import { setdCommand } from '../../src/commands/setd.js';
import { Appliance } from '../../src/engine/appliance.js';
import { SetdStore } from '../../src/setd/store.js';
import { runScripted, tempHome } from '../helpers/scripted.js';
import { journal, ORIGINAL, startEmulator } from '../helpers/setd.js';
import { setdStoreOf } from '../../src/setd/appliance-store.js';

const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

/** The emulator on its own store in a temp home removed after the test. */
async function emulator() {
  const e = await startEmulator();
  homes.push(e.home);
  return e;
}

describe('SETD setup wizard', () => {
  it('walks the seed steps with the Cisco default header and presents the intake address', async () => {
    const { transcript, appliance } = await runScripted(setdCommand, ['2', '1', '1', '1', '2', '1', '1', '3', '6'], { args: ['setup'] });
    homes.push(appliance.paths.root);
    expect(transcript).toContain('Without a SEG, Microsoft 365 is the message source');
    expect(transcript).toContain('Microsoft 365 authentication needs a Microsoft 365 tenant');
    const [account] = new SetdStore(appliance.paths.setd).accounts();
    expect(account).toMatchObject({ segType: 'cisco', header: 'X-IronPort-RemoteIP', direction: 'Incoming', visibility: 'Visibility Only', region: 'beta' });
    expect(account!.intakeAddress).toMatch(/^[0-9a-f-]{36}@beta\.cmd\.cisco\.com$/);
    expect(transcript).toContain(`Message Intake Address: ${account!.intakeAddress}`);
  });

  it('takes a custom header, several regions and a second account, by dialog and by flags', async () => {
    const appliance = new Appliance({ home: tempHome() });
    homes.push(appliance.paths.root);
    await runScripted(setdCommand, ['1', '2', '2', 'bad header!', 'X-Gateway-Client-IP', '1', '3', '2'], { appliance, args: ['setup'] });
    await runScripted(setdCommand, [], { appliance, args: ['setup'], flags: { yes: true, name: 'secondary', region: 'australia' }, interactive: false });
    await runScripted(setdCommand, [], { appliance, args: ['setup'], flags: { yes: true }, interactive: false });
    const accounts = new SetdStore(appliance.paths.setd).accounts();
    expect(accounts.map((a) => [a.segType, a.header, a.region, a.intakeAddress.split('@')[1]])).toEqual([
      ['other', 'X-Gateway-Client-IP', 'europe', 'mail.eu.cmd.cisco.com'],
      ['cisco', 'X-IronPort-RemoteIP', 'australia', 'mail.au.etd.cisco.com'],
      ['cisco', 'X-IronPort-RemoteIP', 'north-america', 'mail.cmd.cisco.com'],
    ]);
    expect(new Set(accounts.map((a) => a.intakeAddress)).size).toBe(3);
    const listed = await runScripted(setdCommand, [], { appliance, args: ['accounts'], interactive: false });
    expect(listed.transcript).toContain(accounts[1]!.intakeAddress);
    await expect(runScripted(setdCommand, [], { appliance, args: ['setup'], flags: { seg: 'no' }, interactive: false })).rejects.toThrow(/Microsoft 365/);
    await expect(runScripted(setdCommand, [], { appliance, args: ['setup'], flags: { region: 'mars' }, interactive: false })).rejects.toThrow(
      /Invalid region "mars": use one of north-america, europe/,
    );
  });
});

describe('setd fault flags', () => {
  it.each([
    [{ delay: '-5' }, 'slow', 'Invalid value "-5" for --delay: enter a whole number from 1 to 300000 milliseconds.'],
    [{ delay: '1e3' }, 'slow', 'Invalid value "1e3" for --delay'],
    [{ code: '452.5' }, '4xx', 'Invalid value "452.5" for --code of a 4xx fault: enter a whole number from 400 to 499.'],
    [{ code: '451' }, '5xx', 'Invalid value "451" for --code of a 5xx fault: enter a whole number from 500 to 599.'],
    [{ next: '0' }, '4xx', 'Invalid value "0" for --next: enter a whole number from 1 to 1000000.'],
    [{ next: ' 2' }, '4xx', 'Invalid value " 2" for --next'],
    [{ forSeconds: '0x10' }, 'timeout', 'Invalid value "0x10" for --for-seconds: enter a whole number from 1 to 604800 seconds.'],
    [{ forSeconds: '-1' }, 'timeout', 'Invalid value "-1" for --for-seconds'],
  ])('refuses %j with a %s fault, naming the flag, and sets nothing', async (flags, mode, message) => {
    const appliance = new Appliance({ home: tempHome() });
    homes.push(appliance.paths.root);
    await expect(runScripted(setdCommand, [], { appliance, args: ['fault', mode], flags, interactive: false })).rejects.toThrow(message);
    expect(setdStoreOf(appliance).faults()).toEqual([]);
  });

  it('refuses a --port that is not a whole number from 0 to 65535', async () => {
    const appliance = new Appliance({ home: tempHome() });
    homes.push(appliance.paths.root);
    await expect(runScripted(setdCommand, [], { appliance, args: ['start'], flags: { port: '-1' }, interactive: false })).rejects.toThrow(
      'Invalid value "-1" for --port: enter a whole number from 0 to 65535.',
    );
    await expect(runScripted(setdCommand, [], { appliance, args: ['start'], flags: { port: '65536' }, interactive: false })).rejects.toThrow('for --port');
  });
});

describe('SETD intake server', () => {
  it('accepts a journal over STARTTLS and parses it back to the original fields', async () => {
    const e = await emulator();
    const account = e.store.createAccount({ name: 'primary', region: 'beta' });
    const client = nodemailer.createTransport({ host: '127.0.0.1', port: e.port, requireTLS: true, tls: { ca: e.ca, servername: 'localhost', minVersion: 'TLSv1.2' } });
    try {
      await client.sendMail(journal(account.intakeAddress, ORIGINAL));
      const [m] = e.store.messages(account.id);
      expect(m).toMatchObject({
        sender: 'alice@outside.example',
        senderIp: '203.0.113.7',
        ipFromHeader: true,
        recipients: ['bob@example.com'],
        subject: 'urgent wire transfer',
        messageId: '<orig-1@outside.example>',
        gatewayMid: '42',
        verdict: 'BEC',
      });
      // without the SEG header, SETD sees the gateway's own address
      await client.sendMail(journal(account.intakeAddress, ORIGINAL.replace(/^X-IronPort-RemoteIP:.*\r\n/, '')));
      expect(e.store.messages(account.id)[1]).toMatchObject({ senderIp: '127.0.0.1', ipFromHeader: false });
      // a lab can force a verdict with X-Segsim-Verdict (any case); an unknown name leaves the rules to decide
      await client.sendMail(journal(account.intakeAddress, `X-Segsim-Verdict: phishing\r\n${ORIGINAL}`));
      await client.sendMail(journal(account.intakeAddress, `X-Segsim-Verdict: Harmless\r\n${ORIGINAL}`));
      expect(
        e.store
          .messages(account.id)
          .slice(2)
          .map((x) => x.verdict),
      ).toEqual(['Phishing', 'BEC']);
    } finally {
      client.close();
      await e.setd.stop();
    }
  });

  it('refuses plaintext MAIL, unknown intake addresses, and TLS 1.1', async () => {
    const e = await emulator();
    const account = e.store.createAccount({});
    try {
      const plain = nodemailer.createTransport({ host: '127.0.0.1', port: e.port, ignoreTLS: true });
      await expect(plain.sendMail(journal(account.intakeAddress, ORIGINAL))).rejects.toMatchObject({ responseCode: 530 });
      const tlsClient = nodemailer.createTransport({ host: '127.0.0.1', port: e.port, requireTLS: true, tls: { ca: e.ca, servername: 'localhost' } });
      await expect(tlsClient.sendMail(journal(`nobody@beta.cmd.cisco.com`, ORIGINAL))).rejects.toMatchObject({ responseCode: 550, response: expect.stringContaining('5.1.1') });
      // a raw TLS 1.1 handshake after STARTTLS fails
      const outcome = await new Promise<string>((resolve) => {
        const socket = connect(e.port, '127.0.0.1');
        let buffer = '';
        socket.on('data', (d) => {
          buffer += d;
          if (buffer.includes('220 ') && !buffer.includes('EHLO sent')) {
            buffer += 'EHLO sent';
            socket.write('EHLO test\r\n');
          } else if (/250 [^\r\n]*\r\n$/.test(buffer) && !buffer.includes('STARTTLS sent')) {
            buffer += 'STARTTLS sent';
            socket.write('STARTTLS\r\n');
          } else if (buffer.includes('220 Ready to start TLS') || /220 [^\r\n]*TLS/i.test(buffer.split('STARTTLS sent')[1] ?? '')) {
            socket.removeAllListeners('data');
            const secure = tlsConnect({ socket, ca: e.ca, servername: 'localhost', minVersion: 'TLSv1', maxVersion: 'TLSv1.1' });
            secure.on('secureConnect', () => resolve(`connected ${secure.getProtocol()}`));
            secure.on('error', (err) => resolve(`refused: ${err.message}`));
          }
        });
      });
      expect(outcome).toMatch(/^refused/);
      plain.close();
      tlsClient.close();
    } finally {
      await e.setd.stop();
    }
  });

  it('keeps received messages across a restart', async () => {
    const e = await emulator();
    const account = e.store.createAccount({});
    const client = nodemailer.createTransport({ host: '127.0.0.1', port: e.port, requireTLS: true, tls: { ca: e.ca, servername: 'localhost' } });
    await client.sendMail(journal(account.intakeAddress, ORIGINAL));
    client.close();
    await e.setd.stop();
    expect(new SetdStore(`${e.home}/setd`).messages()).toHaveLength(1);
  });

  describe('faults, observed from a client', () => {
    const send = (e: Awaited<ReturnType<typeof emulator>>, to: string) => e.send(to);

    it('4xx and 5xx at RCPT or DATA, with the chosen code; "next 1" fails once, then succeeds', async () => {
      const e = await emulator();
      const a = e.store.createAccount({ name: 'primary' });
      try {
        e.store.setFault({ account: a.id, mode: '4xx', code: 421, at: 'rcpt', remaining: 1 });
        await expect(send(e, a.intakeAddress)).rejects.toMatchObject({ responseCode: 421 });
        await send(e, a.intakeAddress);
        e.store.setFault({ account: a.id, mode: '5xx', code: 552, at: 'data' });
        await expect(send(e, a.intakeAddress)).rejects.toMatchObject({ responseCode: 552 });
        e.store.setFault({ account: a.id, mode: '5xx', code: 503, at: 'rcpt' });
        await expect(send(e, a.intakeAddress)).rejects.toMatchObject({ responseCode: 503 });
        e.store.setFault({ account: a.id, mode: 'none' });
        await send(e, a.intakeAddress);
        expect(e.store.messages(a.id)).toHaveLength(2);
      } finally {
        await e.setd.stop();
      }
    });

    it('"setd fault none" clears every fault, per-account ones too; with --account, only that account\'s', async () => {
      const appliance = new Appliance({ home: tempHome() });
      homes.push(appliance.paths.root);
      const e = await startEmulator({ appliance });
      const fault = (words: string[], flags: Record<string, unknown> = {}) => runScripted(setdCommand, [], { appliance, args: ['fault', ...words], flags, interactive: false });
      const [a, b] = [setdStoreOf(appliance).createAccount({ name: 'primary' }), setdStoreOf(appliance).createAccount({ name: 'secondary' })];
      try {
        // Given per-account faults on both accounts, as lab setd-timeout and retry-4xx-once leave them
        await fault(['4xx'], { account: 'primary', code: '452' });
        await fault(['5xx'], { account: 'secondary' });
        await expect(e.send(a.intakeAddress)).rejects.toMatchObject({ responseCode: 452 });
        // When one account's fault is cleared, the other's stays
        const one = await fault(['none'], { account: 'primary' });
        expect(one.transcript).toContain(`Fault cleared for account ${a.id}.`);
        expect(one.transcript).toContain(`550 at RCPT for account ${b.id}`);
        await e.send(a.intakeAddress);
        await expect(e.send(b.intakeAddress)).rejects.toMatchObject({ responseCode: 550 });
        // Then "none" without an account clears every fault, the per-account one included
        await fault(['4xx'], { account: 'primary' });
        const all = await fault(['none']);
        expect(all.transcript).toContain('Every fault cleared.');
        expect(all.transcript).not.toContain('Active faults');
        expect(setdStoreOf(appliance).faults()).toEqual([]);
        await e.send(a.intakeAddress);
        await e.send(b.intakeAddress);
        expect(
          setdStoreOf(appliance)
            .messages()
            .map((m) => m.account),
        ).toEqual([a.id, a.id, b.id]);
      } finally {
        await e.setd.stop();
      }
    });

    it('tls, timeout, refuse and slow', async () => {
      const e = await emulator();
      const a = e.store.createAccount({});
      try {
        e.store.setFault({ account: null, mode: 'tls' });
        await expect(send(e, a.intakeAddress)).rejects.toThrow(/certificate|TLS/);
        e.store.setFault({ account: null, mode: 'timeout' });
        await expect(send(e, a.intakeAddress)).rejects.toMatchObject({ code: 'ETIMEDOUT' });
        e.store.setFault({ account: null, mode: 'refuse' });
        await expect(send(e, a.intakeAddress)).rejects.toMatchObject({ code: expect.stringMatching(/ESOCKET|ECONNECTION/) });
        e.store.setFault({ account: null, mode: 'slow', delayMs: 200 });
        const started = Date.now();
        await send(e, a.intakeAddress);
        expect(Date.now() - started).toBeGreaterThanOrEqual(600);
        e.store.setFault({ account: null, mode: 'none' });
      } finally {
        await e.setd.stop();
      }
    });
  });

  it('refuse closes the intake port until the fault ends: connection refused, then the port opens again', async () => {
    const e = await emulator();
    const attempt = () =>
      new Promise<string>((resolve) => {
        const socket = connect(e.port, '127.0.0.1');
        socket.once('data', () => (socket.destroy(), resolve('greeted')));
        socket.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
      });
    const until = async (outcome: string) => {
      for (let tries = 0; (await attempt()) !== outcome; tries++) {
        if (tries > 60) throw new Error(`never ${outcome}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    };
    try {
      e.store.setFault({ account: null, mode: 'refuse' });
      await until('ECONNREFUSED');
      e.store.setFault({ account: null, mode: 'none' });
      await until('greeted');
      expect(e.setd.address().port).toBe(e.port);
    } finally {
      await e.setd.stop();
    }
  });

  it('the dashboard lists messages with totals per verdict, filtered by verdict', async () => {
    const e = await emulator();
    const a = e.store.createAccount({ name: 'primary' });
    const client = nodemailer.createTransport({ host: '127.0.0.1', port: e.port, requireTLS: true, tls: { ca: e.ca, servername: 'localhost' } });
    await client.sendMail(journal(a.intakeAddress, ORIGINAL));
    await client.sendMail(journal(a.intakeAddress, ORIGINAL.replace('urgent wire transfer', 'monthly newsletter').replace('Please make the wire transfer today.', 'Read our news.')));
    client.close();
    await e.setd.stop();
    const appliance = new Appliance({ home: e.home });
    const all = await runScripted(setdCommand, [], { appliance, args: ['messages'], interactive: false });
    expect(all.transcript).toContain('2 messages. Verdicts: BEC 1, Scam 0, Phishing 0, Malicious 0, Spam 0, Graymail 1, Neutral 0');
    const bec = await runScripted(setdCommand, [], { appliance, args: ['messages'], flags: { verdict: 'bec', json: true }, interactive: false });
    expect(JSON.parse(bec.transcript).map((m: { subject: string }) => m.subject)).toEqual(['urgent wire transfer']);
  });
});
