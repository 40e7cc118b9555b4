import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Appliance } from '../../src/engine/appliance.js';
import { authorizedKeyFor, keyFingerprint, parseUserKey } from '../../src/engine/ssh-keys.js';
import { commitEdit, tempHome } from '../helpers/scripted.js';

/** A key pair made by OpenSSH's ssh-keygen: the .pub line and the private key file's text. */
function keygen(dir: string, name: string, ...args: string[]): { pub: string; priv: string; fingerprint: string } {
  const file = join(dir, name);
  execFileSync('ssh-keygen', ['-q', '-N', '', '-C', `${name}@example.com`, '-f', file, ...args]);
  const fingerprint = execFileSync('ssh-keygen', ['-l', '-f', `${file}.pub`], { encoding: 'utf8' }).split(' ')[1]!;
  return { pub: readFileSync(`${file}.pub`, 'utf8').trim(), priv: readFileSync(file, 'utf8'), fingerprint };
}

const problemOf = (text: string) => {
  const parsed = parseUserKey(text);
  return parsed.ok ? null : parsed.problem;
};

describe('user SSH keys: what sshconfig accepts', () => {
  const dir = tempHome();
  const ed = keygen(dir, 'ed', '-t', 'ed25519');
  const rsa = keygen(dir, 'rsa', '-t', 'rsa', '-b', '2048');
  const ec = keygen(dir, 'ec', '-t', 'ecdsa', '-b', '384');

  it('reads the .pub lines of ssh-keygen (ed25519, RSA, ECDSA) with their comments and fingerprints', () => {
    for (const k of [ed, rsa, ec]) {
      const parsed = parseUserKey(`  ${k.pub}\n`);
      if (!parsed.ok) throw new Error(parsed.problem);
      expect(`${parsed.key.type} ${parsed.key.key} ${parsed.key.comment}`).toBe(k.pub);
      expect(keyFingerprint(parsed.key)).toBe(k.fingerprint);
    }
    expect(parseUserKey(ed.pub.split(' ').slice(0, 2).join(' '))).toMatchObject({ ok: true, key: { comment: '' } });
  });

  it('refuses a private key, garbage, another type, a mislabelled or truncated blob, a small RSA key, naming the problem', () => {
    const [type, data] = ed.pub.split(' ') as [string, string];
    expect(problemOf(ed.priv)).toMatch(/^this is a private key: paste the public key/);
    expect(problemOf('hello world')).toMatch(/^this is not an OpenSSH public key/);
    expect(problemOf('')).toBe('no key was given');
    expect(problemOf(`ssh-dss ${data}`)).toMatch(/^DSA keys are no longer accepted; use one of ssh-ed25519/);
    expect(problemOf(`sk-ssh-ed25519@openssh.com ${data}`)).toMatch(/^the key type sk-ssh-ed25519@openssh.com is not supported/);
    expect(problemOf(`ssh-rsa ${data}`)).toBe('the key says ssh-rsa but holds ssh-ed25519');
    expect(problemOf(`${type} ${data.slice(0, 40)}`)).toMatch(/truncated|not valid base64/);
    expect(problemOf(`${type} not*base64`)).toBe('the key is not valid base64');
    const small = keygen(dir, 'small', '-t', 'rsa', '-b', '1024');
    expect(parseUserKey(small.pub).ok).toBe(true);
    // an ed25519 blob with 31 bytes of key
    const short = Buffer.concat([Buffer.from([0, 0, 0, 11]), Buffer.from('ssh-ed25519'), Buffer.from([0, 0, 0, 31]), Buffer.alloc(31, 1)]).toString('base64');
    expect(problemOf(`ssh-ed25519 ${short}`)).toBe('the ssh-ed25519 key is not 32 bytes');
    // an ECDSA point that is not on the curve
    const p = Buffer.concat([Buffer.from([4]), Buffer.alloc(64, 7)]);
    const parts = [Buffer.from('ecdsa-sha2-nistp256'), Buffer.from('nistp256'), p].map((b) => Buffer.concat([Buffer.from([0, 0, 0, b.length]), b]));
    expect(problemOf(`ecdsa-sha2-nistp256 ${Buffer.concat(parts).toString('base64')}`)).toMatch(/^the ecdsa-sha2-nistp256 key is not valid/);
  });

  it('config.json with a key of the wrong shape is refused at load, naming the file and the place; it is not rewritten', () => {
    const home = tempHome();
    new Appliance({ home });
    const file = join(home, 'config.json');
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    writeFileSync(
      file,
      JSON.stringify({
        ...stored,
        sshUserKeys: {
          admin: [
            { type: 'ssh-dss', key: 'AAAA', comment: '' },
            { type: 'ssh-ed25519', key: 'not base64!', comment: '' },
          ],
        },
      }),
    );
    const before = readFileSync(file, 'utf8');
    expect(() => new Appliance({ home })).toThrow(/^Configuration file .*config\.json is not valid: sshUserKeys\.admin\[0\]\.type must be one of .*ssh-ed25519/);
    expect(readFileSync(file, 'utf8')).toBe(before);
  });

  it('authorizedKeyFor: a committed key of the user, by type and blob; not another user, type or key', async () => {
    const appliance = new Appliance({ home: tempHome() });
    const blob = (pub: string) => Buffer.from(pub.split(' ')[1]!, 'base64');
    expect(authorizedKeyFor(appliance, 'admin', 'ssh-ed25519', blob(ed.pub))).toBe(false);
    const parsed = parseUserKey(ed.pub);
    if (!parsed.ok) throw new Error(parsed.problem);
    await commitEdit(appliance, (c) => void (c.sshUserKeys = { admin: [parsed.key] }));
    expect(authorizedKeyFor(appliance, 'admin', 'ssh-ed25519', blob(ed.pub))).toBe(true);
    expect(authorizedKeyFor(appliance, 'operator', 'ssh-ed25519', blob(ed.pub))).toBe(false);
    expect(authorizedKeyFor(appliance, 'admin', 'ssh-rsa', blob(ed.pub))).toBe(false);
    expect(authorizedKeyFor(appliance, 'admin', 'ssh-rsa', blob(rsa.pub))).toBe(false);
    expect(authorizedKeyFor(appliance, 'admin', 'ssh-ed25519', blob(ed.pub).subarray(1))).toBe(false);
  });
});
