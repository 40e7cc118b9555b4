import { commandHelp } from '../../src/commands/help.js';
import { commandRegistry } from '../../src/commands/registry.js';
import { runMain } from '../helpers/run-main.js';
import { labHome, tempHome } from '../helpers/scripted.js';

describe('the one commander program', () => {
  it('prints the same help as "help COMMAND" for --help on every command and subcommand, exit 0', async () => {
    const home = tempHome();
    for (const spec of commandRegistry()) {
      const expected = commandHelp(spec);
      for (const words of [[spec.name], ...(spec.subcommands ?? []).map((s) => [spec.name, s.name])]) {
        const r = await runMain(['--home', home, ...words, '--help']);
        expect({ words, code: r.code, stdout: r.stdout }).toEqual({ words, code: 0, stdout: expected });
      }
      const shell = await runMain(['--home', home], `help ${spec.name}\n`);
      expect(shell.stdout).toContain(expected.trimEnd());
    }
  });

  it('lists the commands by group for segsim --help and -h; -V prints the version', async () => {
    for (const flag of ['--help', '-h']) {
      const r = await runMain([flag]);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/Configuration:\n {2}tdcconfig[\s\S]*Watching and troubleshooting:\n {2}tophosts[\s\S]*SETD and labs:[\s\S]*Sessions and the appliance:\n {2}start/);
    }
    expect((await runMain(['-V'])).stdout).toMatch(/^\d+\.\d+\.\d+\n$/);
  });

  it('refuses a flag a subcommand does not take, with exit 2, and takes it where it belongs', async () => {
    const home = tempHome();
    const wrong = await runMain(['--home', home, 'setd', 'accounts', '--code', '451']);
    expect(wrong).toMatchObject({ code: 2, stderr: 'Invalid arguments when processing: unknown option \'--code\'. Enter "help setd" for its usage.\n' });
    expect((await runMain(['--home', home, 'setd', 'accounts', '--yes'])).code).toBe(2);
    expect((await runMain(['--home', home, 'policyconfig', '--position', '3'])).code).toBe(2);
    expect((await runMain(['--home', home, 'setd'])).stderr).toContain('setd needs a subcommand: setup, accounts, messages, fault, start');
    expect((await runMain(['--home', home, 'setd', 'fault', '4xx', '--code', '451', '--next', '1'])).code).toBe(0);
  });

  it('checks choices and numbers as it parses', async () => {
    const home = tempHome();
    const choice = await runMain(['--home', home, 'setd', 'fault', '5xx', '--at', 'helo']);
    expect(choice.code).toBe(2);
    expect(choice.stderr).toContain("argument 'helo' is invalid. Allowed choices are rcpt, data");
    const tls = await runMain(['--home', home, 'setd', 'start', '--tls', '1.1']);
    expect(tls.code).toBe(2);
    expect(tls.stderr).toMatch(/^Invalid arguments when processing: option '--tls <version>' argument '1\.1' is invalid\. Allowed choices are 1\.2, 1\.3\. Enter "help setd" for its usage\.\n$/);
    expect(await runMain(['--home', home, 'status', 'everything'])).toMatchObject({
      code: 2,
      stderr: 'Invalid arguments when processing: "everything" (status takes only "detail"). Enter "help status" for its usage.\n',
    });
    const number = await runMain(['--home', home, 'setd', 'fault', 'slow', '--delay', '-5']);
    expect(number).toMatchObject({ code: 2, stderr: 'Invalid value "-5" for --delay: enter a whole number from 1 to 300000 milliseconds.\n' });
    const conflict = await runMain(['--home', home, 'setd', 'fault', 'refuse', '--next', '1', '--for-seconds', '5']);
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toContain("cannot be used with option '--next <n>'");
  });

  it('reads numbers strictly, by the same rule as the dialogs: decimal digits within the range', async () => {
    const home = tempHome();
    for (const port of ['', '0x10', '1e3', '-1', '65536', ' 25', '2.5']) {
      const r = await runMain(['--home', home, 'listenerconfig', '--port', port]);
      expect({ port, code: r.code, stderr: r.stderr }).toEqual({ port, code: 2, stderr: `Invalid value "${port}" for --port: enter a whole number from 0 to 65535.\n` });
    }
    const size = await runMain(['--home', home, 'listenerconfig', '--max-message-size', '99999999999999999999']);
    expect(size.stderr).toBe('Invalid value "99999999999999999999" for --max-message-size: enter a whole number from 1024 to 1000000000 bytes.\n');
    expect((await runMain(['--home', home, 'destconfig', '--domain', 'example.com', '--max-connections', '1e2'])).code).toBe(2);
    expect((await runMain(['--home', home, 'inject', '--count', '0x10'])).stderr).toContain('Invalid value "0x10" for --count');
    expect((await runMain(['--home', home, 'listenerconfig', '--json'])).stdout).toContain('"port": 2525'); // nothing changed
    // the dialog takes the same rule
    const dialog = await runMain(['--home', labHome()], 'listenerconfig\nEDIT\n\nINTERFACE\n\n0x10\n2600\n\n\nshowchanges\n');
    expect(dialog.stdout).toContain('The value must be a whole number from 0 to 65535.');
    expect(dialog.stdout).toContain('Listener: port: 0 -> 2600');
  });

  it('suggests the command a typo meant', async () => {
    const r = await runMain(['--home', tempHome(), 'tophost']);
    expect(r).toMatchObject({ code: 2, stderr: 'Unknown command or missing feature key: tophost\nDid you mean "tophosts"?\n' });
  });

  it('words an unknown command in help as the appliance does', async () => {
    expect(await runMain(['--home', tempHome(), 'help', 'nosuch'])).toMatchObject({ code: 2, stderr: 'Unknown command or missing feature key: nosuch\n' });
  });

  it('takes --home before the command or after its flags, and leaves a flag value that looks like it alone', async () => {
    const home = tempHome();
    expect((await runMain(['sethostname', 'esa5.example.com', '--comment', 'x', '--home', home])).code).toBe(0);
    expect((await runMain(['--home', home, 'sethostname'])).stdout).toBe('esa5.example.com\n');
    // -e takes "--home" as its pattern: nothing is read as a home directory
    const grep = await runMain(['grep', '-c', '-e', '--home', '--home', home, 'mail_logs']);
    expect(grep).toMatchObject({ code: 0, stdout: '0\n' });
  });
});
