import { createSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { syslogLine, syslogPriority } from '../../src/engine/logs/syslog-format.js';
import { SyslogPush, type PushSubscription } from '../../src/engine/logs/syslog-push.js';
import { stopAfterFile } from '../helpers/cleanup.js';
import { waitFor } from '../helpers/engine.js';

const pushing = (name: string, port: number, protocol: 'udp' | 'tcp', facility = 'local4'): PushSubscription => ({
  name,
  retrieval: { method: 'syslog', host: '127.0.0.1', port, protocol, facility },
});

/** A TCP receiver on a port (0: any): the LF-ended lines it read. */
async function tcpReceiver(port = 0): Promise<{ server: Server; port: number; lines: string[]; sockets: Set<Socket> }> {
  const lines: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    let partial = '';
    socket.on('data', (d: Buffer) => {
      const parts = (partial + d.toString()).split('\n');
      partial = parts.pop()!;
      lines.push(...parts);
    });
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  stopAfterFile(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { server, port: (server.address() as AddressInfo).port, lines, sockets };
}

async function closeReceiver(r: { server: Server; sockets: Set<Socket> }): Promise<void> {
  for (const s of r.sockets) s.destroy();
  await new Promise<void>((resolve) => r.server.close(() => resolve()));
}

describe('the syslog form of a line', () => {
  it('is <PRI>Mmm dd hh:mm:ss <logname>: <Level>: <text>, with no host field, as AsyncOS pushes it', () => {
    // Elastic's sample: <166>Mar 17 18:24:37 mail_logs: Info: Start MID 6 ICID 5 (local4, informational)
    expect(syslogLine('mail_logs', 'local4', 'Info', Date.UTC(2021, 2, 17, 18, 24, 37), 'Start MID 6 ICID 5')).toBe('<166>Mar 17 18:24:37 mail_logs: Info: Start MID 6 ICID 5');
    // a day below 10 is space-padded (RFC 3164); a line break never splits the event
    expect(syslogLine('system_logs', 'user', 'Warning', Date.UTC(2026, 11, 7, 9, 5, 3), 'a\nb')).toBe('<12>Dec  7 09:05:03 system_logs: Warning: a b');
  });

  it('takes its PRI from the facility and the level', () => {
    expect(syslogPriority('mail', 'Info')).toBe(22);
    expect(syslogPriority('mail', 'Critical')).toBe(18);
    expect(syslogPriority('local6', 'Info')).toBe(182);
    expect(syslogPriority('auth', 'Debug')).toBe(39);
    expect(syslogPriority('local7', 'Trace')).toBe(191);
  });
});

describe('syslog push', () => {
  it('sends one UDP datagram per line to the subscription that pushes, and nothing for the others', async () => {
    const received: string[] = [];
    const udp = createSocket('udp4');
    udp.on('message', (m) => received.push(m.toString()));
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    stopAfterFile(() => new Promise<void>((resolve) => udp.close(() => resolve())));
    const push = new SyslogPush();
    push.configure([pushing('mail_logs', udp.address().port, 'udp'), { name: 'system_logs', retrieval: { method: 'manual' } }]);
    const at = Date.UTC(2026, 11, 7, 12, 0, 0);
    for (let i = 1; i <= 3; i++) push.push({ subscription: 'mail_logs', level: 'Info', at: at, text: `Start MID ${i} ICID ${i}` });
    push.push({ subscription: 'system_logs', level: 'Info', at: at, text: 'not pushed' });
    await waitFor(() => received.length >= 3, 5000, 'three datagrams');
    expect(received).toEqual([1, 2, 3].map((i) => `<166>Dec  7 12:00:00 mail_logs: Info: Start MID ${i} ICID ${i}`));
    await push.stop();
    expect(received).toHaveLength(3);
  });

  it('looks a host name up for UDP', async () => {
    const received: string[] = [];
    const udp = createSocket('udp4');
    udp.on('message', (m) => received.push(m.toString()));
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    stopAfterFile(() => new Promise<void>((resolve) => udp.close(() => resolve())));
    const push = new SyslogPush();
    stopAfterFile(() => push.stop());
    push.configure([{ name: 'gui_logs', retrieval: { method: 'syslog', host: 'localhost', port: udp.address().port, protocol: 'udp', facility: 'user' } }]);
    push.push({ subscription: 'gui_logs', level: 'Info', at: Date.UTC(2026, 0, 1), text: 'req:127.0.0.1 user:admin' });
    await waitFor(() => received.length === 1, 5000, 'the datagram');
    expect(received).toEqual(['<14>Jan  1 00:00:00 gui_logs: Info: req:127.0.0.1 user:admin']);
  });

  it('sends LF-ended lines over TCP; a receiver gone is said once, its lines wait, and it is tried again until it is back', async () => {
    const notices: string[] = [];
    const first = await tcpReceiver();
    const push = new SyslogPush({ retryMs: 50, maxRetryMs: 100, notice: (level, text) => notices.push(`${level}: ${text}`) });
    stopAfterFile(() => push.stop());
    push.configure([pushing('mail_logs', first.port, 'tcp', 'mail')]);
    push.push({ subscription: 'mail_logs', level: 'Info', at: Date.UTC(2026, 0, 1), text: 'one' });
    await waitFor(() => first.lines.length === 1, 5000, 'the first line');
    expect(first.lines).toEqual(['<22>Jan  1 00:00:00 mail_logs: Info: one']);

    await closeReceiver(first);
    await waitFor(() => push.status()[0]!.problem !== null, 5000, 'the push to notice');
    for (const text of ['two', 'three']) push.push({ subscription: 'mail_logs', level: 'Warning', at: Date.UTC(2026, 0, 1), text });
    await new Promise((r) => setTimeout(r, 300)); // several attempts, refused
    expect(notices.filter((n) => n.includes('Failed to send'))).toHaveLength(1);
    expect(notices[0]).toMatch(/^Critical: Log Error: Subscription mail_logs: Failed to send to 127\.0\.0\.1:\d+ \(TCP\): /);
    expect(push.status()[0]).toMatchObject({ up: false, queued: 2 });

    const again = await tcpReceiver(first.port);
    await waitFor(() => again.lines.length === 2, 5000, 'the waiting lines');
    expect(again.lines).toEqual(['<20>Jan  1 00:00:00 mail_logs: Warning: two', '<20>Jan  1 00:00:00 mail_logs: Warning: three']);
    await waitFor(() => notices.length === 2);
    expect(notices[1]).toMatch(/^Info: Subscription mail_logs: 127\.0\.0\.1:\d+ \(TCP\) takes lines again\.$/);
  });

  it('keeps at most its backlog while the receiver is away: the oldest lines go, counted, and said once', async () => {
    const notices: string[] = [];
    const probe = await tcpReceiver();
    const port = probe.port;
    await closeReceiver(probe); // a port nobody listens on now
    const push = new SyslogPush({ backlog: 5, retryMs: 50, maxRetryMs: 50, notice: (level, text) => notices.push(`${level}: ${text}`) });
    stopAfterFile(() => push.stop());
    push.configure([pushing('mail_logs', port, 'tcp')]);
    const started = performance.now();
    for (let i = 1; i <= 12; i++) push.push({ subscription: 'mail_logs', level: 'Info', at: Date.UTC(2026, 0, 1), text: `line ${i}` });
    expect(performance.now() - started).toBeLessThan(50); // push returns at once
    expect(push.status()[0]).toMatchObject({ queued: 5, dropped: 7 });
    await Promise.resolve(); // notices are told after the work at hand
    expect(notices.filter((n) => n.includes('the oldest are dropped'))).toEqual([
      `Warning: Log Error: Subscription mail_logs: 5 lines wait for 127.0.0.1:${port} (TCP); the oldest are dropped until it takes lines again. The log files keep every line.`,
    ]);
    const back = await tcpReceiver(port);
    await waitFor(() => back.lines.length === 5, 5000, 'the newest five lines');
    expect(back.lines.map((l) => l.replace(/^.*Info: /, ''))).toEqual(['line 8', 'line 9', 'line 10', 'line 11', 'line 12']);
    await waitFor(() => notices.some((n) => n.includes('takes lines again')));
    expect(notices.at(-1)).toBe(`Info: Subscription mail_logs: 127.0.0.1:${port} (TCP) takes lines again; 7 lines were dropped while it could not.`);
  });

  it('follows a new configuration: a new facility at the next line, a new target on a new connection, none after manual', async () => {
    const a = await tcpReceiver();
    const b = await tcpReceiver();
    const push = new SyslogPush();
    stopAfterFile(() => push.stop());
    const line = (text: string) => push.push({ subscription: 'gui_logs', level: 'Info', at: Date.UTC(2026, 0, 1), text });
    push.configure([pushing('gui_logs', a.port, 'tcp', 'user')]);
    line('1');
    await waitFor(() => a.lines.length === 1);
    push.configure([pushing('gui_logs', a.port, 'tcp', 'local6')]);
    line('2');
    await waitFor(() => a.lines.length === 2);
    push.configure([pushing('gui_logs', b.port, 'tcp', 'local6')]);
    line('3');
    await waitFor(() => b.lines.length === 1);
    push.configure([{ name: 'gui_logs', retrieval: { method: 'manual' } }]);
    line('4');
    await new Promise((r) => setTimeout(r, 100));
    expect(a.lines).toEqual(['<14>Jan  1 00:00:00 gui_logs: Info: 1', '<182>Jan  1 00:00:00 gui_logs: Info: 2']);
    expect(b.lines).toEqual(['<182>Jan  1 00:00:00 gui_logs: Info: 3']);
    expect(push.status()).toEqual([]);
  });

  it('stops within its grace even when the receiver never answers', async () => {
    // a port nobody listens on, tried again and again: stop does not wait for it
    const probe = await tcpReceiver();
    await closeReceiver(probe);
    const push = new SyslogPush({ retryMs: 20 });
    push.configure([pushing('mail_logs', probe.port, 'tcp')]);
    push.push({ subscription: 'mail_logs', level: 'Info', at: 0, text: 'x' });
    await new Promise((r) => setTimeout(r, 100));
    const started = performance.now();
    await push.stop(300);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
