import { SMTPServer } from 'smtp-server';
import { buildMessages, injectTraffic } from '../../src/lab/traffic.js';
import { EICAR, GTUBE } from '../../src/engine/test-strings.js';

describe('traffic injector', () => {
  it('builds deterministic messages with the asked shares of positives', () => {
    const a = buildMessages({ count: 100, to: ['example.com'], spam: 0.1, virus: 0.05, seed: 7 });
    const b = buildMessages({ count: 100, to: ['example.com'], spam: 0.1, virus: 0.05, seed: 7 });
    expect(a.map((m) => m.to)).toEqual(b.map((m) => m.to));
    expect(a.filter((m) => String(m.raw).includes(GTUBE))).toHaveLength(10);
    expect(a.filter((m) => String(m.raw).includes(EICAR))).toHaveLength(5);
  });

  it('puts the asked share of positives in a base64 attachment, spread through the run', () => {
    const messages = buildMessages({ count: 20, to: ['example.com'], spam: 0.2, virus: 0.1, attached: 0.5 }).map((m) => String(m.raw));
    const attachedAs = (name: string) => messages.filter((m) => m.includes(`Content-Disposition: attachment; filename="${name}"`));
    expect(messages.filter((m) => m.includes(GTUBE))).toHaveLength(2);
    expect(messages.filter((m) => m.includes(EICAR))).toHaveLength(1);
    expect(attachedAs('gtube.txt').map((m) => m.includes(Buffer.from(GTUBE).toString('base64').slice(0, 60)))).toEqual([true, true]);
    expect(attachedAs('eicar.com')).toHaveLength(1);
  });

  it('sends over real SMTP and counts accepted and refused messages with their replies', async () => {
    const received: string[] = [];
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onRcptTo(address, _session, cb) {
        if (address.address.endsWith('@other.example')) {
          const err = Object.assign(new Error('#5.1.0 Address rejected'), { responseCode: 550 });
          cb(err);
          return;
        }
        cb();
      },
      onData(stream, session, cb) {
        stream.resume();
        stream.on('end', () => {
          received.push(session.envelope.rcptTo[0]!.address);
          cb();
        });
      },
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.server.address() as { port: number }).port;
    try {
      const progress: number[] = [];
      const summary = await injectTraffic({ host: '127.0.0.1', port }, { count: 20, to: ['example.com', 'x@other.example'], concurrency: 3 }, (done) => progress.push(done));
      expect(summary).toMatchObject({ attempted: 20, accepted: 10, refused: 10 });
      expect(Object.keys(summary.reasons)[0]).toMatch(/550 #5.1.0 Address rejected/);
      expect(received).toHaveLength(10);
      expect(progress.at(-1)).toBe(20);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('never sends anywhere but this machine', async () => {
    await expect(injectTraffic({ host: '192.0.2.1', port: 25 }, { count: 1 })).rejects.toThrow(/sends only to this machine/);
  });
});
