import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import ssh2 from 'ssh2';
import { Appliance } from '../../src/engine/appliance.js';
import type { UserKey } from '../../src/engine/config/model.js';
import { parseUserKey } from '../../src/engine/ssh-keys.js';
import { publicKeyLoginAllowed } from '../../src/ssh/public-key-auth.js';
import { runScp } from '../../src/ssh/scp.js';
import { stopAfterFile } from '../helpers/cleanup.js';
import { commitEdit, tempHome } from '../helpers/scripted.js';

/*
 * A public-key login as the SSH server decides it, against OpenSSH's ssh: a bare ssh2 server
 * whose only rule is publicKeyLoginAllowed and whose exec runs runScp (the appliance's server adds
 * the shell, the login guard and the rest).
 */

/** A key pair made by OpenSSH's ssh-keygen: the private key file and the parsed public key. */
function keygen(dir: string, name: string, type: string): { file: string; key: UserKey } {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-N', '', '-t', type, '-C', name, '-f', file]);
  const parsed = parseUserKey(readFileSync(`${file}.pub`, 'utf8'));
  if (!parsed.ok) throw new Error(parsed.problem);
  return { file, key: parsed.key };
}

/** An ssh2 server on 127.0.0.1:0 that lets in whom publicKeyLoginAllowed lets in, and runs `exit 0` for any exec. */
async function keyOnlyServer(appliance: Appliance): Promise<number> {
  const hostKey = ssh2.utils.generateKeyPairSync('ed25519').private;
  const server = new ssh2.Server({ hostKeys: [hostKey] }, (client) => {
    client.on('error', () => undefined);
    client.on('authentication', (ctx) => (ctx.method === 'publickey' && publicKeyLoginAllowed(appliance, ctx) ? ctx.accept() : ctx.reject(['publickey'])));
    client.on('session', (accept) =>
      accept().on('exec', (acceptExec, _reject, info) => {
        const channel = acceptExec();
        // scp's remote side, as the appliance's exec handler runs it; anything else exits 0
        const status = info.command.startsWith('scp ') ? runScp(info.command, channel, appliance) : Promise.resolve(0);
        void status.then((code) => {
          channel.exit(code);
          channel.end();
        });
      }),
    );
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  stopAfterFile(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

const clientOptions = (identity: string) => [
  '-F',
  '/dev/null',
  '-i',
  identity,
  '-o',
  'IdentitiesOnly=yes',
  '-o',
  'BatchMode=yes',
  '-o',
  'StrictHostKeyChecking=no',
  '-o',
  'UserKnownHostsFile=/dev/null',
  '-o',
  'LogLevel=ERROR',
];

/** Runs an OpenSSH program: resolves the exit status and stderr. */
function openssh(program: string, args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(program, args, { timeout: 15_000 }, (error, _stdout, stderr) => resolve({ code: error ? ((error as { code?: number }).code ?? -1) : 0, stderr }));
  });
}

/** OpenSSH's ssh with one identity and nothing else. */
const sshWith = (port: number, identity: string, user = 'admin') => openssh('ssh', [...clientOptions(identity), '-p', String(port), `${user}@127.0.0.1`, 'true']);

describe('public-key login: the committed keys, and a signature that verifies', () => {
  const dir = tempHome();
  const ed = keygen(dir, 'ed', 'ed25519');
  const rsa = keygen(dir, 'rsa', 'rsa');
  const ec = keygen(dir, 'ec', 'ecdsa');
  const other = keygen(dir, 'other', 'ed25519');

  it('OpenSSH logs in with a listed ed25519 or RSA key (rsa-sha2 signatures); an unlisted key or another user is refused', async () => {
    const appliance = new Appliance({ home: tempHome() });
    await commitEdit(appliance, (c) => void (c.sshUserKeys = { admin: [ed.key, rsa.key] }));
    const port = await keyOnlyServer(appliance);
    expect(await sshWith(port, ed.file)).toEqual({ code: 0, stderr: '' });
    expect(await sshWith(port, rsa.file)).toEqual({ code: 0, stderr: '' });
    const unlisted = await sshWith(port, ec.file);
    expect(unlisted.code).toBe(255);
    expect(unlisted.stderr).toContain('Permission denied (publickey)');
    expect((await sshWith(port, ed.file, 'operator')).code).toBe(255);
  });

  it('scp -O over a real SSH channel (ssh2 server, OpenSSH client, key login): a log file down, a file up into /configuration/', async () => {
    const appliance = new Appliance({ home: tempHome() });
    await commitEdit(appliance, (c) => void (c.sshUserKeys = { admin: [ed.key] }));
    mkdirSync(join(appliance.paths.logs, 'mail_logs'), { recursive: true });
    writeFileSync(join(appliance.paths.logs, 'mail_logs', 'mail.current'), 'a line of mail_logs\n'.repeat(50_000));
    const port = await keyOnlyServer(appliance);
    const local = tempHome();
    const scp = (...args: string[]) => openssh('scp', ['-O', '-q', ...clientOptions(ed.file), '-P', String(port), ...args]);
    expect(await scp('admin@127.0.0.1:/mail_logs/mail.current', `${local}/`)).toEqual({ code: 0, stderr: '' });
    // Buffer.equals: vitest's deep equality takes seconds over a megabyte
    expect(readFileSync(join(local, 'mail.current')).equals(readFileSync(join(appliance.paths.logs, 'mail_logs', 'mail.current')))).toBe(true);
    writeFileSync(join(local, 'cert.pfx'), Buffer.alloc(300_000, 7));
    expect(await scp(join(local, 'cert.pfx'), 'admin@127.0.0.1:/configuration/')).toEqual({ code: 0, stderr: '' });
    expect(readFileSync(join(appliance.paths.root, 'configuration', 'cert.pfx')).equals(Buffer.alloc(300_000, 7))).toBe(true);
    const refused = await scp('admin@127.0.0.1:/config.json', `${local}/`);
    expect({ code: refused.code, stderr: refused.stderr.trim() }).toEqual({ code: 1, stderr: 'scp: /config.json: Permission denied' });
  });

  it('a client that offers a listed public key but signs with another private key is refused', async () => {
    const appliance = new Appliance({ home: tempHome() });
    await commitEdit(appliance, (c) => void (c.sshUserKeys = { admin: [ed.key] }));
    const port = await keyOnlyServer(appliance);
    const listed = ssh2.utils.parseKey(readFileSync(`${ed.file}.pub`));
    /** An agent that offers the listed public key and signs with `signer`. */
    class Agent extends ssh2.BaseAgent {
      constructor(private readonly signer: string) {
        super();
      }
      getIdentities(cb: (error: Error | undefined, keys?: ssh2.ParsedKey[]) => void): void {
        if (listed instanceof Error) return cb(listed);
        cb(undefined, [listed]);
      }
      sign(_key: unknown, data: Buffer, ...rest: unknown[]): void {
        const cb = rest.at(-1) as (error: Error | undefined, signature?: Buffer) => void;
        const key = ssh2.utils.parseKey(readFileSync(this.signer));
        if (key instanceof Error) return cb(key);
        cb(undefined, key.sign(data));
      }
    }
    const login = (signer: string) =>
      new Promise<string>((resolve) => {
        const client = new ssh2.Client();
        client.on('ready', () => {
          client.end();
          resolve('logged in');
        });
        client.on('error', (error) => resolve(error.message));
        client.connect({ host: '127.0.0.1', port, username: 'admin', agent: new Agent(signer), readyTimeout: 10_000 });
      });
    // the same client with the right private key logs in: only the signature differs
    expect(await login(ed.file)).toBe('logged in');
    expect(await login(other.file)).toBe('All configured authentication methods failed');
  });
});
