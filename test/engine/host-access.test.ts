import { connect } from 'node:net';
import nodemailer from 'nodemailer';
import { HAT_REJECT_REPLY, hatSenderProblem, hostAccessVerdict, type HostAccessTable } from '../../src/engine/host-access.js';
import { crossFieldProblems } from '../../src/engine/config/validate.js';
import { defaultConfig } from '../../src/engine/config/model.js';
import { mailLog, startEngine, waitFor } from '../helpers/engine.js';
import { commitEdit } from '../helpers/scripted.js';

/** What the listener sends a client connecting from `localAddress` before the connection ends, and how it ended. */
function firstWords(port: number, localAddress: string): Promise<{ text: string; reset: boolean }> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, localAddress });
    let text = '';
    let reset = false;
    socket.on('data', (chunk) => {
      text += chunk.toString();
      // an accepted host gets its greeting and is left waiting: say goodbye
      if (text.startsWith('220 ')) socket.end('QUIT\r\n');
    });
    socket.on('error', (error: NodeJS.ErrnoException) => void (reset = error.code === 'ECONNRESET'));
    socket.on('close', () => resolve({ text, reset }));
  });
}

describe('the Host Access Table', () => {
  it('matches addresses, CIDR ranges, a.b.c.d-e ranges and partial addresses, first row first, else ALL', () => {
    const table: HostAccessTable = {
      entries: [
        { sender: '127.0.0.2', behavior: 'REJECT' },
        { sender: '10.1.1.10-20', behavior: 'RELAY' },
        { sender: '10.1.0.0/16', behavior: 'TCPREFUSE' },
        { sender: '192.168.', behavior: 'RELAY' },
        { sender: '::1', behavior: 'REJECT' },
      ],
      defaultBehavior: 'ACCEPT',
    };
    expect(hostAccessVerdict(table, '127.0.0.2')).toEqual({ behavior: 'REJECT', match: '127.0.0.2' });
    expect(hostAccessVerdict(table, '10.1.1.15')).toEqual({ behavior: 'RELAY', match: '10.1.1.10-20' });
    expect(hostAccessVerdict(table, '10.1.1.21')).toEqual({ behavior: 'TCPREFUSE', match: '10.1.0.0/16' });
    expect(hostAccessVerdict(table, '192.168.7.9')).toEqual({ behavior: 'RELAY', match: '192.168.' });
    expect(hostAccessVerdict(table, '::1')).toEqual({ behavior: 'REJECT', match: '::1' });
    expect(hostAccessVerdict(table, '127.0.0.1')).toEqual({ behavior: 'ACCEPT', match: 'ALL' });
    expect(hostAccessVerdict(undefined, '127.0.0.2')).toEqual({ behavior: 'ACCEPT', match: 'ALL' });
  });

  it('refuses sender patterns it cannot match, naming what to enter', () => {
    for (const ok of ['127.0.0.2', '10.0.0.0/8', '10.1.1.10-20', '10.1.', '2001:db8::/32']) expect(hatSenderProblem(ok)).toBeNull();
    expect(hatSenderProblem('mail.example.com')).toMatch(/^host names need reverse DNS/);
    expect(hatSenderProblem('ALL')).toMatch(/DEFAULT/);
    for (const bad of ['10.0.0.0/33', '10.1.1.20-10', '300.1.', '1.2.3.4.5', '']) expect(hatSenderProblem(bad)).toMatch(/^enter an IP address/);
    const config = defaultConfig();
    config.listener.hostAccess = {
      entries: [
        { sender: 'mx.example.com', behavior: 'REJECT' },
        { sender: '10.1.', behavior: 'RELAY' },
        { sender: '10.1.', behavior: 'REJECT' },
      ],
      defaultBehavior: 'ACCEPT',
    };
    expect(crossFieldProblems(config)).toEqual([expect.stringMatching(/^listener HAT entry "mx\.example\.com": host names need/), 'listener HAT entry "10.1." appears twice']);
  });

  it('acts at connect on real sockets: REJECT answers 554, TCPREFUSE resets, RELAY skips the RAT; a commit applies to the next connection', async () => {
    const { appliance, engine, home } = await startEngine((c) => {
      c.listener.hostAccess = {
        entries: [
          { sender: '127.0.0.2', behavior: 'REJECT' },
          { sender: '127.0.0.3', behavior: 'TCPREFUSE' },
          { sender: '127.0.0.4', behavior: 'RELAY' },
        ],
        defaultBehavior: 'ACCEPT',
      };
    });
    const { port } = engine.listenerAddress();
    const send = (localAddress: string) => {
      const transport = nodemailer.createTransport({ host: '127.0.0.1', port, localAddress, ignoreTLS: true });
      return transport.sendMail({ from: 'a@outside.example', to: 'x@elsewhere.example', text: 'hat' }).finally(() => transport.close());
    };
    try {
      expect(await firstWords(port, '127.0.0.2')).toEqual({ text: `554 ${HAT_REJECT_REPLY}\r\n`, reset: false });
      const refused = await firstWords(port, '127.0.0.3');
      expect(refused.text).toBe('');
      expect(refused.reset).toBe(true);
      // RELAY: a recipient outside the RAT is taken; the default ALL row (ACCEPT) leaves it to the RAT
      expect((await send('127.0.0.4')).accepted).toEqual(['x@elsewhere.example']);
      await expect(send('127.0.0.1')).rejects.toMatchObject({ responseCode: 550 });
      await waitFor(() => /ICID \d+ close\n(.|\n)*ICID \d+ close\n(.|\n)*ICID \d+ close\n(.|\n)*ICID \d+ close/.test(mailLog(home, engine)));
      const log = mailLog(home, engine);
      for (const [ip, access, match] of [
        ['127.0.0.2', 'REJECT', '127.0.0.2'],
        ['127.0.0.3', 'TCPREFUSE', '127.0.0.3'],
        ['127.0.0.4', 'RELAY', '127.0.0.4'],
        ['127.0.0.1', 'ACCEPT', 'ALL'],
      ]) {
        const icid = new RegExp(`New SMTP ICID (\\d+) interface \\S+ \\(127\\.0\\.0\\.1\\) address ${ip.replace(/\./g, '\\.')} `).exec(log)?.[1];
        expect(icid, ip).toBeDefined();
        expect(log).toContain(`ICID ${icid} ${access} SG None match ${match} SBRS not enabled country not enabled`);
        expect(log).toContain(`ICID ${icid} close`);
      }
      expect(engine.status().gauges.currentInboundConnections).toBe(0);

      await commitEdit(appliance, (c) => void (c.listener.hostAccess = { entries: [], defaultBehavior: 'REJECT' }));
      expect((await firstWords(port, '127.0.0.4')).text).toBe(`554 ${HAT_REJECT_REPLY}\r\n`);
      expect(mailLog(home, engine)).toContain('REJECT SG None match ALL SBRS');
    } finally {
      await engine.stop();
    }
  });
});
