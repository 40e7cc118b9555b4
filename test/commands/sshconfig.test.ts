import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sshconfigCommand } from '../../src/commands/sshconfig.js';
import { Appliance } from '../../src/engine/appliance.js';
import { describeChange } from '../../src/engine/config/changes.js';
import { authorizedKeyFor } from '../../src/engine/ssh-keys.js';
import { consoleSession, runScripted, tempHome } from '../helpers/scripted.js';
import { expectGolden } from '../helpers/golden.js';
import { runMain } from '../helpers/run-main.js';

/** The .pub line and the private key of a key pair made by OpenSSH's ssh-keygen. */
function keygen(dir: string, name: string, type: string): { pub: string; priv: string } {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-N', '', '-t', type, '-C', `${name}@example.com`, '-f', file]);
  return { pub: readFileSync(`${file}.pub`, 'utf8').trim(), priv: readFileSync(file, 'utf8') };
}

const run = (appliance: Appliance, flags: Record<string, unknown>) => runScripted(sshconfigCommand, [], { appliance, flags, interactive: false });
const blob = (pub: string) => Buffer.from(pub.split(' ')[1]!, 'base64');

describe('sshconfig: the user keys, by dialog and by flags', () => {
  const dir = tempHome();
  const ed = keygen(dir, 'ed', 'ed25519');
  const ec = keygen(dir, 'ec', 'ecdsa');
  const rsa = keygen(dir, 'rsa', 'rsa');

  it('USERKEY > NEW adds a pasted key to admin; it is pending until commit, then listed for a login', async () => {
    const appliance = new Appliance({ home: tempHome() });
    const { transcript } = await runScripted(sshconfigCommand, ['userkey', 'new', ed.pub, '', '', ''], { appliance });
    expect(transcript).toContain(
      [
        '',
        'Choose the operation you want to perform:',
        '- USERKEY - Edit SSH User Key settings',
        '[]> userkey',
        '',
        'Currently installed keys for admin:',
        '',
        'Choose the operation you want to perform:',
        '- NEW - Add a new key.',
        '- USER - Switch to a different user to edit.',
        '[]> new',
        'Please enter the public SSH key for authorization.',
        'Press enter on a blank line to finish.',
        `[]> ${ed.pub}`,
        '[]> ',
        '',
        'Currently installed keys for admin:',
        `1. ssh-ed25519 ${ed.pub.split(' ')[1]!.slice(0, 25)}...${ed.pub.split(' ')[1]!.slice(-12)} (ed@example.com)`,
        '',
        'Choose the operation you want to perform:',
        '- NEW - Add a new key.',
        '- EDIT - Modify a key.',
        '- DELETE - Remove a key.',
        '- PRINT - Display a key.',
        '- USER - Switch to a different user to edit.',
      ].join('\n'),
    );
    const session = consoleSession(appliance);
    expect(session.config.changes().map(describeChange)).toEqual(['SSH user keys: (none) -> admin: 1 key']);
    expect(authorizedKeyFor(appliance, 'admin', 'ssh-ed25519', blob(ed.pub))).toBe(false);
    await session.config.commit('key');
    expect(authorizedKeyFor(appliance, 'admin', 'ssh-ed25519', blob(ed.pub))).toBe(true);
    // committed into config.json: a new process (a new Appliance on the home) reads it
    expect(authorizedKeyFor(new Appliance({ home: appliance.paths.root }), 'admin', 'ssh-ed25519', blob(ed.pub))).toBe(true);
    await run(appliance, { addKey: rsa.pub });
    expect(session.config.changes().map(describeChange)).toEqual(['SSH user keys of admin: 1 key -> 2 keys']);
  });

  it('the screens of USERKEY: the list, NEW, PRINT, DELETE (golden transcript)', async () => {
    const appliance = new Appliance({ home: tempHome() });
    const operator = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIDgBNjQTLRUZtBmxZ5/IyUYO1MrlugEeiFJEbgZ+2fBu ops@example.com';
    const laptop = 'ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBM6KYpJU7PZ57mLftLBo+og6jSEFssgn5WVt2OdecQqTAohOPZ2hEBlj0WUEcYuOsg3bkLe9RFiPOu3BFkcMkjQ= laptop';
    const { transcript } = await runScripted(sshconfigCommand, ['userkey', 'new', operator, '', 'new', laptop, '', 'print', '2', 'delete', '1', '', ''], { appliance });
    expectGolden('sshconfig.txt', transcript);
  });

  it('the dialog refuses a private key (without echoing it), garbage and a duplicate, and goes on', async () => {
    const appliance = new Appliance({ home: tempHome() });
    const { transcript } = await runScripted(sshconfigCommand, ['userkey', 'new', ed.pub, '', 'new', ...ed.priv.trim().split('\n'), '', 'new', 'not a key', '', 'new', ed.pub, '', '', ''], {
      appliance,
    });
    expect(transcript).toContain('\nThis is a private key: paste the public key (the line of the .pub file).\n');
    expect(transcript).toContain('\nThis is not an OpenSSH public key (expected "<type> <base64 key> [comment]").\n');
    expect(transcript).toMatch(/\nThis key is already installed for admin \(key 1, SHA256:[A-Za-z0-9+/]{43}\)\.\n/);
    // the private key is shown only as typed, never in a message
    expect(transcript.split(ed.priv.trim().split('\n')[1]!).length).toBe(2);
    expect(consoleSession(appliance).config.pending.sshUserKeys).toEqual({ admin: [{ type: 'ssh-ed25519', key: ed.pub.split(' ')[1], comment: 'ed@example.com' }] });
  });

  it('EDIT replaces (a key broken over two lines is joined), PRINT shows the whole line, DELETE removes (numbers checked), USER lists the accounts', async () => {
    const appliance = new Appliance({ home: tempHome() });
    await run(appliance, { addKey: ed.pub });
    await run(appliance, { addKey: ec.pub });
    const { transcript } = await runScripted(sshconfigCommand, ['userkey', 'edit', '1', rsa.pub.slice(0, 100), rsa.pub.slice(100), '', 'print', '3', '1', 'delete', '2', 'user', '', '', ''], {
      appliance,
    });
    expect(transcript).toContain(`\n${rsa.pub}\n`);
    expect(transcript).toContain('The value must be a whole number from 1 to 2.');
    expect(transcript).toContain('Choose the user to edit:\n1. admin\n[1]> ');
    expect(consoleSession(appliance).config.pending.sshUserKeys?.admin?.map((k) => k.type)).toEqual(['ssh-rsa']);
  });

  it('flags: --add-key, --list --json, --delete-key N, --user; refusals name the problem', async () => {
    const appliance = new Appliance({ home: tempHome() });
    await run(appliance, { addKey: ed.pub });
    await run(appliance, { addKey: `  ${rsa.pub}  ` });
    await expect(run(appliance, { addKey: ed.pub.replace('ed@example.com', 'other') })).rejects.toThrow(/^This key is already installed for admin \(key 1, SHA256:/);
    await expect(run(appliance, { addKey: ed.priv })).rejects.toThrow('This is a private key: paste the public key (the line of the .pub file).');
    await expect(run(appliance, { addKey: ed.pub, user: 'operator' })).rejects.toThrow('Invalid user "operator": there is no such user (this appliance has the account admin).');
    await expect(run(appliance, { deleteKey: '3' })).rejects.toThrow('Invalid key number "3": admin has keys 1 to 2.');
    await expect(run(appliance, { deleteKey: 'x' })).rejects.toThrow(/^Invalid key number "x"/);
    const listed = await runScripted(sshconfigCommand, [], { appliance, flags: { list: true }, interactive: false });
    expect(listed.transcript).toMatch(/^Currently installed keys for admin:\n1\. ssh-ed25519 .*\(ed@example.com\)\n2\. ssh-rsa .*\(rsa@example.com\)\n$/);
    await run(appliance, { deleteKey: '1' });
    expect(consoleSession(appliance).config.pending.sshUserKeys?.admin?.map((k) => k.comment)).toEqual(['rsa@example.com']);
    await run(appliance, { deleteKey: '1' });
    expect(consoleSession(appliance).config.pending.sshUserKeys).toBeUndefined();
  });

  it('one-shot runs commit at once; --list --json prints the keys with their fingerprints', async () => {
    const home = tempHome();
    const added = await runMain(['--home', home, 'sshconfig', '--add-key', ec.pub]);
    expect(added).toMatchObject({ code: 0, stderr: '' });
    const fingerprint = execFileSync('ssh-keygen', ['-l', '-f', join(dir, 'ec.pub')], { encoding: 'utf8' }).split(' ')[1];
    const listed = await runMain(['--home', home, 'sshconfig', '--list', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual({ user: 'admin', keys: [{ number: 1, type: 'ecdsa-sha2-nistp256', key: ec.pub.split(' ')[1], comment: 'ec@example.com', fingerprint }] });
    expect(authorizedKeyFor(new Appliance({ home }), 'admin', 'ecdsa-sha2-nistp256', blob(ec.pub))).toBe(true);
    const bad = await runMain(['--home', home, 'sshconfig', '--add-key', 'ssh-dss AAAAB3NzaC1kc3MAAACB']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('DSA keys are no longer accepted');
  });
});
