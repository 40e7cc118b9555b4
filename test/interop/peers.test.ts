import { existsSync, readdirSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { Appliance } from '../../src/engine/appliance.js';
import { compressedClock } from '../../src/engine/clock.js';
import { TDC_QUEUE } from '../../src/engine/config/model.js';
import { startAppliance } from '../../src/cli/run-appliance.js';
import { commandRegistry } from '../../src/commands/registry.js';
import { SetdStore } from '../../src/setd/store.js';
import { injectTraffic } from '../../src/lab/traffic.js';
import { INTAKE, mailLog, waitFor } from '../helpers/engine.js';
import { havePeers, smtpSink, smtpSource } from '../helpers/peers.js';
import { commitEdit, labHome } from '../helpers/scripted.js';
import type { ApplianceConfig } from '../../src/engine/config/model.js';
import { describeTerminal, openTerminal } from '../helpers/pty.js';
import { BIN } from '../helpers/run-main.js';
import { killAfterFile } from '../helpers/cleanup.js';

const host = (engine: { hosts(): { host: string }[] }, name: string) =>
  engine.hosts().find((h) => h.host === name) as ReturnType<import('../../src/engine/mail/mail-engine.js').MailEngine['hosts']>[number] | undefined;

async function appliance(edit: (c: ApplianceConfig) => void, factor?: number) {
  return new Appliance({ home: labHome(edit), clock: factor ? compressedClock(factor) : undefined });
}

describe.runIf(havePeers)('interoperability with programs nobody here wrote', () => {
  it('smtp-source pushes 2,000 messages: every one reaches the mailboxes and every clean one reaches SETD', async () => {
    const a = await appliance(() => undefined);
    const account = new SetdStore(a.paths.setd).createAccount({ region: 'beta' });
    await commitEdit(a, (c) => void (c.tdc = { enabled: true, intakeAddress: account.intakeAddress }), 'tdc');
    const running = await startAppliance(a, commandRegistry());
    try {
      const code = await smtpSource(running.engine.listenerAddress().port, { count: 2000, sessions: 10, size: 2048, to: 'user@example.com' });
      expect(code).toBe(0);
      await waitFor(
        () => (host(running.engine, 'example.com')?.deliveredRecipients ?? 0) === 2000 && (host(running.engine, TDC_QUEUE)?.deliveredRecipients ?? 0) === 2000,
        90_000,
        '2,000 deliveries each way',
      );
      expect(readdirSync(`${a.paths.mailboxes}/user@example.com`)).toHaveLength(2000);
      expect(new SetdStore(a.paths.setd).messages(account.id)).toHaveLength(2000);
    } finally {
      await running.stop();
    }
  }, 120_000);

  it('smtp-sink downstream: a 4xx is retried per the bounce profile, a 5xx hard-bounces at once', async () => {
    const soft = await smtpSink(['-r', 'RCPT']);
    const hard = await smtpSink(['-f', 'RCPT']);
    const a = await appliance((c) => {
      c.listener.acceptDomains.push('hard.example');
      c.smtpRoutes = [
        { domain: 'example.com', destinations: [`127.0.0.1:${soft.port}`] },
        { domain: 'hard.example', destinations: [`127.0.0.1:${hard.port}`] },
      ];
      c.bounceProfile = { maxRetries: 2, maxTimeInQueueSeconds: 3600, initialRetrySeconds: 60, maxRetrySeconds: 600 };
    }, 200);
    const running = await startAppliance(a, commandRegistry());
    try {
      await injectTraffic(running.engine.listenerAddress(), { count: 2, to: ['example.com', 'x@hard.example'] });
      await waitFor(() => host(running.engine, 'example.com')?.hardBouncedRecipients === 1 && host(running.engine, 'hard.example')?.hardBouncedRecipients === 1, 20_000);
      expect(host(running.engine, 'example.com')?.softBouncedEvents).toBe(2); // two retries, then expired
      expect(host(running.engine, 'hard.example')?.softBouncedEvents).toBe(0);
      expect(host(running.engine, 'hard.example')?.hardBounces.fiveXX).toBe(1);
      const log = mailLog(a.paths.root, running.engine);
      expect(log).toMatch(/Delayed: DCID \d+ MID \d+ to RID 0 - 4\.1\.0 - Unknown address error \('450', \['4\.3\.0 Error: command failed'\]\)/);
      expect(log).toMatch(/Bounced: DCID \d+ MID \d+ to RID 0 - 5\.1\.0 - Unknown address error \('500', \['5\.3\.0 Error: command failed'\]\)/);
      expect(log).toMatch(/Bounced: DCID \d+ MID \d+ to RID 0 - 5\.4\.7 - Delivery expired \(message too old\) \('450', /);
    } finally {
      await running.stop();
      await soft.stop();
      await hard.stop();
    }
  });

  it('smtp-sink downstream: 421 and a dropped connection are retried, 503 and 552 texts hard-bounce (the bounce profile)', async () => {
    const sinks = {
      'q421.example': await smtpSink(['-Q', 'RCPT']),
      'drop.example': await smtpSink(['-q', 'RCPT']),
      'b503.example': await smtpSink(['-B', '503 5.5.1 Bad sequence of commands', '-f', 'RCPT']),
      'b552.example': await smtpSink(['-B', '552 5.3.4 Message size exceeds fixed limit', '-f', 'DATA']),
    };
    const domains = Object.keys(sinks) as (keyof typeof sinks)[];
    const a = await appliance((c) => {
      c.listener.acceptDomains.push(...domains);
      c.smtpRoutes = domains.map((d) => ({ domain: d, destinations: [`127.0.0.1:${sinks[d].port}`] }));
      c.bounceProfile = { maxRetries: 2, maxTimeInQueueSeconds: 3600, initialRetrySeconds: 60, maxRetrySeconds: 600 };
    }, 200);
    const running = await startAppliance(a, commandRegistry());
    try {
      await injectTraffic(running.engine.listenerAddress(), { count: domains.length, to: domains.map((d) => `x@${d}`) }); // one message to each
      await waitFor(() => domains.every((d) => host(running.engine, d)?.hardBouncedRecipients === 1), 20_000, 'every sink done with its message');
      // temporary: retried as the profile says (2 retries), then expired
      for (const d of ['q421.example', 'drop.example'] as const) {
        expect(host(running.engine, d)?.softBouncedEvents).toBe(2);
        expect(host(running.engine, d)?.hardBounces.expired).toBe(1);
      }
      // permanent: bounced at the first answer, with the sink's own text
      for (const d of ['b503.example', 'b552.example'] as const) {
        expect(host(running.engine, d)?.softBouncedEvents).toBe(0);
        expect(host(running.engine, d)?.hardBounces.fiveXX).toBe(1);
      }
      const log = mailLog(a.paths.root, running.engine);
      expect(log).toMatch(/Bounced: DCID \d+ MID \d+ to RID 0 - 5\.1\.0 - Unknown address error \('503', \['5\.5\.1 Bad sequence of commands'\]\)/);
      expect(log).toMatch(/Bounced: DCID \d+ MID \d+ to RID 0 - 5\.1\.0 - Unknown address error \('552', \['5\.3\.4 Message size exceeds fixed limit'\]\)/);
    } finally {
      await running.stop();
      for (const s of Object.values(sinks)) await s.stop();
    }
  });

  it('smtp-sink as the intake route offers no STARTTLS: the TLS Error case; its 503 and 552 texts never get a chance', async () => {
    const sink = await smtpSink(['-B', '503 5.5.1 Bad sequence', '-f', 'RCPT']);
    const a = await appliance((c) => {
      c.tdc = { enabled: true, intakeAddress: INTAKE };
      c.smtpRoutes.push({ domain: 'intake.test', destinations: [`127.0.0.1:${sink.port}`] });
    });
    const running = await startAppliance(a, commandRegistry());
    try {
      await injectTraffic(running.engine.listenerAddress(), { count: 2, to: ['example.com'] });
      await waitFor(() => host(running.engine, TDC_QUEUE)?.hardBouncedRecipients === 2);
      expect(host(running.engine, TDC_QUEUE)?.softBouncedEvents).toBe(0);
      expect(mailLog(a.paths.root, running.engine).match(/TDC: MID \d+ delivery failed to Cisco Secure Email Threat Defense:TLS Error\./g)).toHaveLength(2);
    } finally {
      await running.stop();
      await sink.stop();
    }
  });
});

/** A person's terminal: no CI variables (ink renders only a final frame under CI). */
describeTerminal('a full session through a real pseudo-terminal, with a second terminal', () => {
  it('drives the ink shell and serves a one-shot command from another terminal over the control socket', async () => {
    const home = labHome();
    const term = await openTerminal(['--home', home]);
    const { expectText, type } = term;
    try {
      await expectText('esa1.example.com>');
      await type('tdcconfig --enable --intake-address journal@beta.cmd.cisco.com');
      await type('commit');
      await expectText('Please enter some comments describing your changes:');
      await type('enable TDC from the pty');
      await expectText('save the current configuration for rollback? [Y]>');
      await type('');
      await expectText('Changes committed:');
      await type('tophosts');
      await expectText('Sort results by:');
      await type('');
      await expectText("Hosts marked with '*' were down as of the last delivery attempt.");
      // a second terminal: the running appliance answers, with its live configuration
      const other = await new Promise<string>((resolve) => {
        const child = killAfterFile(spawn(process.execPath, [BIN, '--home', home, 'tdcconfig', '--json']));
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.on('exit', () => resolve(out));
      });
      expect(JSON.parse(other)).toEqual({ enabled: true, intakeAddress: 'journal@beta.cmd.cisco.com' });
      const status = await new Promise<string>((resolve) => {
        const child = killAfterFile(spawn(process.execPath, [BIN, '--home', home, 'status']));
        let out = '';
        child.stdout.on('data', (d) => (out += d));
        child.on('exit', () => resolve(out));
      });
      expect(status).toContain('System status:                 Online');
      await type('quit');
      await term.exited;
      expect(existsSync(`${home}/segsim.sock`)).toBe(false);
    } finally {
      term.kill();
    }
  }, 60_000);
});
