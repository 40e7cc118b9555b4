import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
// ssh2 is CommonJS whose exports Node's ESM loader cannot name: taken from its default export
import ssh2 from 'ssh2';
import { writeTextAtomic } from '../engine/atomic-file.js';
import { ensureDir } from '../engine/home.js';

const { utils } = ssh2;

/** The file of the appliance's SSH host key in the home (OpenSSH's name for it). */
export const HOST_KEY_FILE = 'ssh_host_ed25519_key';

export interface HostKey {
  /** the private key, OpenSSH format */
  key: string;
  file: string;
  /** a bad key file set aside at this start (named for the banner), else null */
  note: string | null;
}

/**
 * The appliance's SSH host key, kept in `<home>/ssh/` (owner-only): read and checked when there
 * is one, made at first start otherwise (ed25519, in libuv's thread pool, not on the event loop).
 * A file that is not a usable private key is set aside under a name of its own, said in `note`,
 * and a new key made: clients will see the host key change, which is the truth.
 */
export async function ensureHostKey(root: string): Promise<HostKey> {
  const dir = ensureDir(join(root, 'ssh'));
  const file = join(dir, HOST_KEY_FILE);
  let note: string | null = null;
  if (existsSync(file)) {
    const text = readFileSync(file, 'utf8');
    const parsed = utils.parseKey(text);
    if (!(parsed instanceof Error) && parsed.isPrivateKey()) return { key: text, file, note };
    const aside = `${file}.bad-${Date.now()}`;
    renameSync(file, aside);
    note = `The SSH host key ${file} is not a valid private key (${parsed instanceof Error ? parsed.message : 'no private key in it'}); it was set aside as ${aside} and a new host key made.`;
  }
  const pair = await new Promise<{ private: string }>((resolve, reject) => utils.generateKeyPair('ed25519', (error, keys) => (error ? reject(error) : resolve(keys))));
  writeTextAtomic(file, pair.private, { mode: 0o600 });
  return { key: pair.private, file, note };
}
