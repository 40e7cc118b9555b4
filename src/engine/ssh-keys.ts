import { createHash, createPublicKey, timingSafeEqual, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { Appliance } from './appliance.js';
import { USER_KEY_TYPES, type UserKey, type UserKeyType } from './config/model.js';

/*
 * SSH public keys as `sshconfig` keeps them for a user: OpenSSH's one-line form
 * (`ssh-ed25519 AAAAC3Nz... ops@example.com`), read by the wire format of RFC 4253 §6.6 and
 * checked by node:crypto (the key must be one the SSH server could verify a signature with).
 */

/** The smallest RSA modulus accepted, in bits (OpenSSH's RequiredRSASize). */
export const MIN_RSA_BITS = 1024;
/** A pasted line longer than this is not a public key (a 16384-bit RSA key is about 2.8 KB). */
const MAX_LINE = 8192;
const MAX_COMMENT = 256;

const CURVES: Record<string, { name: string; crv: string; size: number }> = {
  'ecdsa-sha2-nistp256': { name: 'nistp256', crv: 'P-256', size: 32 },
  'ecdsa-sha2-nistp384': { name: 'nistp384', crv: 'P-384', size: 48 },
  'ecdsa-sha2-nistp521': { name: 'nistp521', crv: 'P-521', size: 66 },
};

/** Reads the length-prefixed strings of an SSH key blob; null when the blob is not whole. */
function sshStrings(blob: Buffer): Buffer[] | null {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < blob.length) {
    if (at + 4 > blob.length) return null;
    const length = blob.readUInt32BE(at);
    at += 4;
    if (at + length > blob.length) return null;
    parts.push(blob.subarray(at, at + length));
    at += length;
  }
  return parts;
}

const b64url = (b: Buffer) => b.toString('base64url');
/** An mpint without its sign byte, for a JWK. */
const unsigned = (b: Buffer) => (b.length > 1 && b[0] === 0 ? b.subarray(1) : b);

/** The key the blob holds, as node:crypto sees it, or the reason it holds none. */
function keyOfBlob(type: string, fields: Buffer[]): { key: KeyObject } | { problem: string } {
  let jwk: JsonWebKey;
  if (type === 'ssh-ed25519') {
    if (fields.length !== 1 || fields[0]!.length !== 32) return { problem: 'the ssh-ed25519 key is not 32 bytes' };
    jwk = { kty: 'OKP', crv: 'Ed25519', x: b64url(fields[0]!) };
  } else if (type === 'ssh-rsa') {
    if (fields.length !== 2) return { problem: 'the ssh-rsa key does not hold an exponent and a modulus' };
    jwk = { kty: 'RSA', e: b64url(unsigned(fields[0]!)), n: b64url(unsigned(fields[1]!)) };
  } else {
    const curve = CURVES[type]!;
    const point = fields[1];
    if (fields.length !== 2 || fields[0]!.toString('latin1') !== curve.name || !point || point.length !== 1 + 2 * curve.size || point[0] !== 4) {
      return { problem: `the ${type} key is not an uncompressed point of ${curve.name}` };
    }
    jwk = { kty: 'EC', crv: curve.crv, x: b64url(point.subarray(1, 1 + curve.size)), y: b64url(point.subarray(1 + curve.size)) };
  }
  try {
    return { key: createPublicKey({ key: jwk, format: 'jwk' }) };
  } catch (error) {
    return { problem: `the ${type} key is not valid (${(error as Error).message})` };
  }
}

/**
 * Reads one public key as pasted (`<type> <base64> [comment]`, the line of an `id_*.pub` file).
 * Returns the key or the problem in neutral words: a private key, text that is not a key, an
 * unsupported type, a blob that does not hold a usable key.
 */
export function parseUserKey(text: string): { ok: true; key: UserKey } | { ok: false; problem: string } {
  const line = text.trim();
  if (line === '') return { ok: false, problem: 'no key was given' };
  if (/PRIVATE KEY/.test(line)) return { ok: false, problem: 'this is a private key: paste the public key (the line of the .pub file)' };
  if (line.length > MAX_LINE) return { ok: false, problem: `a public key line has at most ${MAX_LINE} characters` };
  if (/[\r\n]/.test(line)) return { ok: false, problem: 'a public key is one line' };
  if (line.startsWith('---- BEGIN SSH2 PUBLIC KEY')) return { ok: false, problem: 'paste the key in OpenSSH form (ssh-keygen -i -f converts this one)' };
  const [type = '', data = '', ...rest] = line.split(/[ \t]+/);
  const comment = rest.join(' ');
  if (!/^[a-z0-9@.-]+$/.test(type) || data === '') return { ok: false, problem: 'this is not an OpenSSH public key (expected "<type> <base64 key> [comment]")' };
  const base64 = /^[A-Za-z0-9+/]+={0,2}$/.test(data) && data.length % 4 === 0;
  const known = (USER_KEY_TYPES as readonly string[]).includes(type);
  if (!known && !base64) return { ok: false, problem: 'this is not an OpenSSH public key (expected "<type> <base64 key> [comment]")' };
  if (!known) {
    const why = type === 'ssh-dss' ? 'DSA keys are no longer accepted' : `the key type ${type} is not supported`;
    return { ok: false, problem: `${why}; use one of ${USER_KEY_TYPES.join(', ')}` };
  }
  if (!base64) return { ok: false, problem: 'the key is not valid base64' };
  const blob = Buffer.from(data, 'base64');
  const parts = sshStrings(blob);
  if (!parts || parts.length === 0) return { ok: false, problem: 'the key data is truncated' };
  const inner = parts[0]!.toString('latin1');
  if (inner !== type) return { ok: false, problem: `the key says ${type} but holds ${/^[\x20-\x7e]{1,64}$/.test(inner) ? inner : 'something else'}` };
  const checked = keyOfBlob(type, parts.slice(1));
  if ('problem' in checked) return { ok: false, problem: checked.problem };
  if (type === 'ssh-rsa') {
    const bits = checked.key.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < MIN_RSA_BITS) return { ok: false, problem: `the RSA key has ${bits} bits; at least ${MIN_RSA_BITS} are needed` };
  }
  if (comment.length > MAX_COMMENT) return { ok: false, problem: `the comment has at most ${MAX_COMMENT} characters` };
  if (/\p{Cc}/u.test(comment)) return { ok: false, problem: 'the comment holds control characters' };
  return { ok: true, key: { type: type as UserKeyType, key: data, comment } };
}

/** `SHA256:<base64>`, as `ssh-keygen -l` prints it. */
export function keyFingerprint(key: Pick<UserKey, 'key'>): string {
  return `SHA256:${createHash('sha256').update(Buffer.from(key.key, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

/** The whole line, as pasted: `<type> <base64> [comment]`. */
export function keyLine(key: UserKey): string {
  return key.comment ? `${key.type} ${key.key} ${key.comment}` : `${key.type} ${key.key}`;
}

/** Whether two keys are the same key (their blobs; comments do not count). */
export function sameKey(a: Pick<UserKey, 'key'>, b: Pick<UserKey, 'key'>): boolean {
  return Buffer.from(a.key, 'base64').equals(Buffer.from(b.key, 'base64'));
}

/** What a configuration holds of user keys: per user, in the order they were added. */
export type UserKeyTable = Readonly<Record<string, readonly UserKey[]>> | undefined;

/**
 * Whether `user` may log in with the public key `algo`/`data` (as the SSH client offers it: the
 * key's type and its blob), by the keys `table` lists for that user. Each listed blob is compared
 * in constant time. This answers only "is the key on the list": the SSH server must still verify
 * the client's signature with that key before it accepts the login.
 */
export function keyListed(table: UserKeyTable, user: string, algo: string, data: Buffer): boolean {
  const keys = table?.[user] ?? [];
  let found = false;
  for (const k of keys) {
    const blob = Buffer.from(k.key, 'base64');
    // every key is compared, whatever matched before: the time says nothing about which one
    const match = blob.length === data.length && timingSafeEqual(blob, data);
    found = (match && k.type === algo) || found;
  }
  return found;
}

/**
 * The SSH server's question at a public-key login: whether `user` may log in with the key the
 * client offers (`publicKeyAlgo`, e.g. `ssh-ed25519` or `ssh-rsa` for rsa-sha2-256 too, and
 * `publicKeyData`, the key blob), by the keys committed for that user (`sshconfig`). Constant
 * time over the listed keys. Only the list: the server must also verify the client's signature
 * with the key (ssh2: `utils.parseKey(data).verify(blob, signature, hashAlgo)`) before it accepts.
 */
export function authorizedKeyFor(appliance: Pick<Appliance, 'configuration'>, user: string, publicKeyAlgo: string, publicKeyData: Buffer): boolean {
  return keyListed(appliance.configuration.current.sshUserKeys, user, publicKeyAlgo, publicKeyData);
}
