import { PassThrough } from 'node:stream';
import { runOneShot } from '../../src/cli/one-shot.js';
import { commandRegistry } from '../../src/commands/registry.js';
import type { CommandSpec } from '../../src/commands/types.js';
import { Appliance } from '../../src/engine/appliance.js';
import { describeError } from '../../src/errors.js';
import { tempHome } from '../helpers/scripted.js';
import { runMain } from '../helpers/run-main.js';

describe('one-shot command line', () => {
  it('applies and commits configuration flags in one step', async () => {
    const home = tempHome();
    const set = await runMain(['--home', home, 'sethostname', 'esa7.example.com', '--comment', 'lab']);
    expect(set).toMatchObject({ code: 0, stderr: '' });
    expect(set.stdout).toMatch(/^Changes committed: \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} UTC\n$/);
    expect((await runMain(['--home', home, 'sethostname'])).stdout).toBe('esa7.example.com\n');
  });

  it('--dry-run shows what would change and commits nothing', async () => {
    const home = tempHome();
    const dry = await runMain(['--home', home, 'sethostname', 'esa8.example.com', '--dry-run']);
    expect(dry.stdout).toContain('Hostname: esa1.example.com -> esa8.example.com');
    expect((await runMain(['--home', home, 'sethostname'])).stdout).toBe('esa1.example.com\n');
  });

  it('exits 2 on usage errors (a bad value included) and 1 on other failures, with the error on stderr', async () => {
    const home = tempHome();
    expect(await runMain(['--home', home, 'nosuchcommand'])).toMatchObject({ code: 2, stderr: 'Unknown command or missing feature key: nosuchcommand\n' });
    expect((await runMain(['--home', home, 'sethostname', '--bogus'])).code).toBe(2);
    const bad = await runMain(['--home', home, 'sethostname', 'not a host']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('Invalid hostname');
    expect(await runMain(['--home', home, 'policyconfig', '--edit', 'nosuch', '--tdc', 'no'])).toMatchObject({ code: 1, stderr: 'There is no incoming policy named "nosuch".\n' });
  });

  it('commit with nothing pending asks nothing', async () => {
    const r = await runMain(['--home', tempHome(), 'commit']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('no data to commit');
  });

  // Every command of the registry asks only when ctx.interactive; this is the net under a command
  // that asks anyway: the question is never left waiting for an answer that cannot come.
  it('a command that needs an answer fails clearly without a terminal, and changes nothing', async () => {
    const home = tempHome();
    const appliance = new Appliance({ home });
    const asking: CommandSpec = {
      name: 'askhost',
      summary: 'asks for a hostname',
      help: 'askhost',
      configures: true,
      async run(ctx) {
        const name = await ctx.io.text('Enter the hostname.');
        ctx.session.config.edit((c) => void (c.hostname = name));
      },
    };
    const out = new PassThrough();
    let written = '';
    out.on('data', (d) => (written += d));
    const run = runOneShot({ appliance, registry: [...commandRegistry(), asking], words: ['askhost'], out, signal: new AbortController().signal });
    const error = await run.then(
      () => null,
      (e: unknown) => e,
    );
    expect(describeError(error)).toEqual({ text: 'askhost needs an answer here. Give its flags (see "segsim help askhost") or run it in the shell ("segsim").', exitCode: 2 });
    expect(written).toBe('Enter the hostname.\n'); // the question, then the error names what to do
    expect(appliance.configuration.current.hostname).toBe('esa1.example.com');
  });
});

describe('one-shot configuration without a running appliance', () => {
  it('refuses a listener address this machine cannot bind, and stores nothing', async () => {
    const home = tempHome();
    const r = await runMain(['--home', home, 'listenerconfig', '--bind', '192.0.2.1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Listener IncomingMail cannot listen on 192.0.2.1:2525 (EADDRNOTAVAIL)');
    expect((await runMain(['--home', home, 'listenerconfig', '--json'])).stdout).toContain('"bindAddress": "127.0.0.1"');
  });
});
