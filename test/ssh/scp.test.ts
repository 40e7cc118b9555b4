import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCP_MAX_UPLOAD_BYTES } from '../../src/ssh/scp.js';
import { killAfterFile } from '../helpers/cleanup.js';
import { canMountDisk, smallDisk } from '../helpers/small-disk.js';
import { tempHome } from '../helpers/scripted.js';

/*
 * The appliance's side of legacy scp, spoken to by OpenSSH's own scp client: `scp -O -S <program>`
 * runs <program> instead of ssh, and the program here runs src/ssh/scp.ts (built) over its stdin
 * and stdout as the SSH server's exec channel does.
 */

const FIXTURE = fileURLToPath(new URL('../fixtures/scp-remote.mjs', import.meta.url));

/** A program for scp -S: runs the fixture on `home` with the remote command scp gives it. */
function remoteProgram(home: string, env = ''): string {
  const file = join(tempHome(), 'fake-ssh');
  writeFileSync(file, `#!/bin/sh\nSEGSIM_HOME='${home}' ${env} exec '${process.execPath}' '${FIXTURE}' "$@"\n`);
  chmodSync(file, 0o700);
  return file;
}

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], input?: Buffer): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = killAfterFile(spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] }));
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish\n${stdout}\n${stderr}`));
    }, 20_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input);
  });
}

/** OpenSSH's scp in legacy mode against the appliance of `home`. */
const scp = (home: string, ...args: string[]) => run('scp', ['-O', '-q', '-S', remoteProgram(home), ...args]);

/** A home with a log subscription directory as the appliance keeps it (logs/mail_logs/mail.current and a rolled file). */
function homeWithLogs(): string {
  const home = tempHome();
  mkdirSync(join(home, 'logs', 'mail_logs'), { recursive: true });
  writeFileSync(join(home, 'logs', 'mail_logs', 'mail.current'), 'Mon Dec  7 17:00:00 2026 Info: MID 1 ICID 1 From: <a@example.com>\n'.repeat(2000));
  writeFileSync(join(home, 'logs', 'mail_logs', 'mail.@20261207T170000.s'), 'rolled\n');
  writeFileSync(join(home, 'config.json'), '{"secret": true}\n');
  return home;
}

const leftovers = (dir: string) => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.part')) : []);

describe('scp -O against the appliance (OpenSSH scp as the client)', () => {
  it('downloads a log file from its subscription directory, byte for byte, under the name asked for', async () => {
    const home = homeWithLogs();
    const local = tempHome();
    const r = await scp(home, 'admin@esa:/mail_logs/mail.current', 'admin@esa:/mail_logs/mail.@20261207T170000.s', `${local}/`);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(readFileSync(join(local, 'mail.current')).equals(readFileSync(join(home, 'logs', 'mail_logs', 'mail.current')))).toBe(true);
    expect(readFileSync(join(local, 'mail.@20261207T170000.s'), 'utf8')).toBe('rolled\n');
  });

  it('expands * in a download as a shell on the appliance would: the rolled files of a subscription, by name', async () => {
    const home = homeWithLogs();
    writeFileSync(join(home, 'logs', 'mail_logs', 'mail.@20261206T170000.s'), 'older\n');
    const local = tempHome();
    expect(await scp(home, 'admin@esa:/mail_logs/mail.@*.s', `${local}/`)).toMatchObject({ code: 0, stderr: '' });
    expect(readdirSync(local).sort()).toEqual(['mail.@20261206T170000.s', 'mail.@20261207T170000.s']);
    const none = await scp(home, 'admin@esa:/mail_logs/nothing*', `${local}/`);
    expect({ code: none.code, stderr: none.stderr.trim() }).toEqual({ code: 1, stderr: 'scp: /mail_logs/nothing*: No such file or directory' });
  });

  it("downloads today's layout too (logs/mail_logs a file): /mail_logs/mail.current is its current file", async () => {
    const home = tempHome();
    mkdirSync(join(home, 'logs'));
    writeFileSync(join(home, 'logs', 'mail_logs'), 'current lines\n');
    const local = tempHome();
    expect(await scp(home, 'admin@esa:/mail_logs/mail.current', `${local}/`)).toMatchObject({ code: 0, stderr: '' });
    expect(readFileSync(join(local, 'mail.current'), 'utf8')).toBe('current lines\n');
  });

  it('uploads into /configuration/ (made on first use, owner-only files), under its own name or the one given; downloads it back', async () => {
    const home = homeWithLogs();
    const local = tempHome();
    writeFileSync(join(local, 'esa-cert.pfx'), Buffer.from([0, 1, 2, 255, 10, 13, 0]));
    writeFileSync(join(local, 'saved.xml'), '<config/>\n');
    expect(await scp(home, join(local, 'esa-cert.pfx'), join(local, 'saved.xml'), 'admin@esa:/configuration/')).toMatchObject({ code: 0, stderr: '' });
    expect(await scp(home, join(local, 'saved.xml'), 'admin@esa:/configuration/renamed.xml')).toMatchObject({ code: 0, stderr: '' });
    const dir = join(home, 'configuration');
    expect(readdirSync(dir).sort()).toEqual(['esa-cert.pfx', 'renamed.xml', 'saved.xml']);
    expect(readFileSync(join(dir, 'esa-cert.pfx'))).toEqual(Buffer.from([0, 1, 2, 255, 10, 13, 0]));
    expect(statSync(join(dir, 'saved.xml')).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    const back = tempHome();
    expect(await scp(home, 'admin@esa:/configuration/renamed.xml', join(back, 'copy.xml'))).toMatchObject({ code: 0, stderr: '' });
    expect(readFileSync(join(back, 'copy.xml'), 'utf8')).toBe('<config/>\n');
  });

  it('refuses every other path with scp\'s own error line: outside the directories, "..", a link, a directory, a log upload', async () => {
    const home = homeWithLogs();
    mkdirSync(join(home, 'configuration'));
    symlinkSync('/etc/hostname', join(home, 'configuration', 'link'));
    symlinkSync('/etc', join(home, 'logs', 'evil'));
    const local = tempHome();
    writeFileSync(join(local, 'x.xml'), 'x');
    const refusals: [string[], string][] = [
      [['admin@esa:/etc/passwd', local], 'scp: /etc/passwd: Permission denied'],
      [['admin@esa:/config.json', local], 'scp: /config.json: Permission denied'],
      [['admin@esa:/mail_logs/../../config.json', local], 'scp: /mail_logs/../../config.json: Permission denied'],
      [['admin@esa:/configuration/../config.json', local], 'scp: /configuration/../config.json: Permission denied'],
      [['admin@esa:/configuration/link', local], 'scp: /configuration/link: Permission denied'],
      [['admin@esa:/evil/hostname', local], 'scp: /evil/hostname: Permission denied'],
      [['admin@esa:/mail_logs/nothing.s', local], 'scp: /mail_logs/nothing.s: No such file or directory'],
      [['admin@esa:/mail_logs', local], 'scp: /mail_logs: not a regular file'],
      [[join(local, 'x.xml'), 'admin@esa:/mail_logs/'], 'scp: /mail_logs/: Permission denied'],
      [[join(local, 'x.xml'), 'admin@esa:/'], 'scp: /: Permission denied'],
      [[join(local, 'x.xml'), 'admin@esa:/configuration/../x.xml'], 'scp: /configuration/../x.xml: Permission denied'],
    ];
    for (const [args, words] of refusals) {
      const r = await scp(home, ...args);
      expect({ args, code: r.code, stderr: r.stderr.trim() }).toEqual({ args, code: 1, stderr: words });
    }
    expect(readdirSync(local)).toEqual(['x.xml']);
    expect(readdirSync(join(home, 'configuration'))).toEqual(['link']);
    expect(readFileSync(join(home, 'config.json'), 'utf8')).toBe('{"secret": true}\n');
  });

  it(`refuses an upload over ${SCP_MAX_UPLOAD_BYTES} bytes before its data, saying the limit, and takes the next file`, async () => {
    const home = homeWithLogs();
    const local = tempHome();
    writeFileSync(join(local, 'big.xml'), '');
    truncateSync(join(local, 'big.xml'), SCP_MAX_UPLOAD_BYTES + 1);
    writeFileSync(join(local, 'small.xml'), 'small');
    const r = await scp(home, join(local, 'big.xml'), join(local, 'small.xml'), 'admin@esa:/configuration/');
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`scp: big.xml: file too large (${SCP_MAX_UPLOAD_BYTES + 1} bytes; the limit is ${SCP_MAX_UPLOAD_BYTES} bytes)`);
    expect(readdirSync(join(home, 'configuration'))).toEqual(['small.xml']);
  });

  it('bad input from a client: garbage, a path or a hidden name in the control line, a directory, a bad command; nothing written', async () => {
    const home = homeWithLogs();
    const upload = (bytes: string) => run(remoteProgram(home), ['--', 'esa', 'scp -t /configuration/'], Buffer.from(bytes, 'latin1'));
    const cases: [string, string][] = [
      ['\x00\x03garbage\n', '\0\x02scp: protocol error: unexpected control line "\\u0000\\u0003garbage"\n'],
      ['C0644 5 ../evil\nabcde\0', '\0\x02scp: protocol error: unexpected control line "C0644 5 ../evil"\n'],
      ['C0644 5 .hidden\n', '\0\x01scp: .hidden: invalid file name (letters, digits and ._@+- only, not starting with a dot)\n'],
      ['D0755 0 dir\n', '\0\x02scp: /configuration/: directories cannot be uploaded\n'],
      [`C0644 5 x\n${'A'.repeat(5000)}`, '\0\0\x02scp: x: the transfer broke off; nothing was written\n'],
      [`${'C'.repeat(5000)}`, '\0\x02scp: protocol error: a control line is too long\n'],
    ];
    for (const [input, output] of cases) {
      const r = await upload(input);
      expect({ input: input.slice(0, 20), code: r.code, stdout: r.stdout }).toEqual({ input: input.slice(0, 20), code: 1, stdout: output });
    }
    const usage = await run(remoteProgram(home), ['--', 'esa', 'scp -x /configuration/']);
    expect(usage).toMatchObject({ code: 1, stdout: '', stderr: 'scp: usage: scp -f PATH... | scp -t PATH (the appliance offers the legacy protocol: scp -O)\n' });
    expect(readdirSync(join(home, 'configuration'))).toEqual([]);
  });

  it.skipIf(!canMountDisk)('an upload that fills the disk fails with the reason and leaves nothing; the next one that fits goes', async () => {
    const home = homeWithLogs();
    const disk = smallDisk(join(home, 'configuration'), 64);
    const local = tempHome();
    writeFileSync(join(local, 'big.pfx'), Buffer.alloc(200 * 1024, 1));
    writeFileSync(join(local, 'small.xml'), '<config/>\n');
    const full = await scp(home, join(local, 'big.pfx'), 'admin@esa:/configuration/');
    expect(full.code).toBe(1);
    expect(full.stderr).toMatch(/^scp: \/configuration\/: ENOSPC: no space left on device/);
    expect(readdirSync(disk.dir)).toEqual([]);
    expect(await scp(home, join(local, 'small.xml'), 'admin@esa:/configuration/')).toMatchObject({ code: 0, stderr: '' });
    expect(readdirSync(disk.dir)).toEqual(['small.xml']);
  });

  it('an upload that breaks off or stalls leaves nothing, not half a file', async () => {
    const home = homeWithLogs();
    const dir = join(home, 'configuration');
    // the client leaves after half of the announced bytes
    const broken = await run(remoteProgram(home), ['--', 'esa', 'scp -t /configuration/'], Buffer.concat([Buffer.from('C0644 1000 half.xml\n'), Buffer.alloc(500, 65)]));
    expect(broken.code).toBe(1);
    expect(broken.stdout).toBe('\0\0\x02scp: half.xml: the transfer broke off; nothing was written\n');
    expect(broken.stderr).toBe('scp: half.xml: the transfer broke off; nothing was written\n');
    expect(readdirSync(dir)).toEqual([]);
    // the client goes quiet in the middle of the data: given up after the idle limit
    const child = killAfterFile(spawn(remoteProgram(home, 'SCP_IDLE_MS=300'), ['--', 'esa', 'scp -t /configuration/x.xml'], { stdio: ['pipe', 'pipe', 'pipe'] }));
    child.stdin.write('C0644 1000 x.xml\nabc');
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(1);
    expect(readdirSync(dir)).toEqual([]);
    expect(leftovers(dir)).toEqual([]);
  });
});
