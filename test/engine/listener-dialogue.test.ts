import { connect } from 'node:net';
import type { MailEngine } from '../../src/engine/mail/mail-engine.js';
import { startEngine } from '../helpers/engine.js';

/**
 * A raw telnet-style session with the listener, as Cisco's TN 214630 tests port 25: writes each
 * command after the previous reply and returns every line the server sent until it closed the
 * connection (or until `commands` ran out and QUIT was not among them: then it hangs up itself).
 */
async function telnet(port: number, commands: string[], options: { waitForClose?: boolean } = {}): Promise<{ lines: string[]; closedByServer: boolean }> {
  const socket = connect(port, '127.0.0.1');
  const lines: string[] = [];
  let buffered = '';
  let closedByServer = false;
  const pending = [...commands];
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => (socket.destroy(), reject(new Error(`no end of the dialogue; so far: ${lines.join(' | ')}`))), 10_000);
    socket.on('data', (d: Buffer) => {
      buffered += d.toString('latin1');
      const parts = buffered.split('\r\n');
      buffered = parts.pop()!;
      lines.push(...parts);
      if (!parts.some((l) => /^\d{3} /.test(l))) return;
      const next = pending.shift();
      if (next !== undefined) socket.write(`${next}\r\n`);
      else if (!options.waitForClose) socket.end();
    });
    socket.on('end', () => (closedByServer = pending.length === 0 && !!options.waitForClose));
    socket.on('close', () => {
      clearTimeout(timer);
      resolve();
    });
    socket.on('error', reject);
  });
  await done;
  return { lines, closedByServer };
}

let engine: MailEngine | undefined;
afterEach(async () => {
  await engine?.stop();
  engine = undefined;
});

async function port(): Promise<number> {
  engine = (await startEngine()).engine;
  return engine.listenerAddress().port;
}

describe("the listener's SMTP dialogue, as an ESA answers on port 25 (TN 214630)", () => {
  it("answers HELP with the appliance's four 214 lines", async () => {
    const { lines } = await telnet(await port(), ['EHLO test', 'help']);
    expect(lines.slice(-4)).toEqual(['214-The following commands are recognized', '214- auth data ehlo helo', '214- help mail noop quit', '214 rcpt rset vrfy']);
  });

  it('answers an unknown command with 500 #5.5.1, and smtp-server commands an ESA does not have as unknown', async () => {
    const { lines } = await telnet(await port(), ['EHLO test', 'FOO bar', 'WIZ secret', 'XCLIENT ADDR=10.0.0.1']);
    expect(lines.slice(-3)).toEqual(['500 #5.5.1 command not recognized', '500 #5.5.1 command not recognized', '500 #5.5.1 command not recognized']);
  });

  it('closes the connection with 421 after the fifth bad command; four leave it open', async () => {
    const p = await port();
    const five = await telnet(p, ['EHLO test', 'ONE', 'TWO', 'THREE', 'FOUR', 'FIVE'], { waitForClose: true });
    expect(five.lines.filter((l) => l.startsWith('500 '))).toHaveLength(5);
    expect(five.lines.at(-2)).toBe('500 #5.5.1 command not recognized');
    expect(five.lines.at(-1)).toBe('421 Exceeded bad SMTP command limit, disconnecting.');
    expect(five.closedByServer).toBe(true);

    const four = await telnet(p, ['EHLO test', 'ONE', 'TWO', 'THREE', 'FOUR', 'NOOP', 'QUIT'], { waitForClose: true });
    expect(four.lines.slice(-2)).toEqual(['250 OK', '221 esa1.example.com']);
  });

  it('answers VRFY with a 2xx ok, with an address or without', async () => {
    const { lines } = await telnet(await port(), ['EHLO test', 'VRFY bob@example.com', 'VRFY']);
    expect(lines.slice(-2)).toEqual(['252 ok', '252 ok']);
  });

  it('still takes a message after HELP, VRFY and a bad command', async () => {
    const { lines } = await telnet(await port(), ['EHLO test', 'HELP', 'VRFY x', 'BOGUS', 'MAIL FROM:<a@outside.example>', 'RCPT TO:<b@example.com>', 'DATA', 'Subject: x\r\n\r\nhi\r\n.', 'QUIT'], {
      waitForClose: true,
    });
    expect(lines).toContain('250 sender <a@outside.example> ok');
    expect(lines.find((l) => l.startsWith('250 ok:'))).toMatch(/^250 ok: {1,2}Message \d+ accepted$/);
    expect(lines.at(-1)).toBe('221 esa1.example.com');
  });
});
