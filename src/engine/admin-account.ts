import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import { ErrorCodes, UserError } from '../errors.js';
import { writeJsonAtomic } from './atomic-file.js';
import type { HomePaths } from './home.js';

/** The lab's one administrator, as on a fresh appliance. */
export const ADMIN_USER = 'admin';

interface StoredPassword {
  user: string;
  /** scrypt parameters and the salted hash, hex */
  salt: string;
  hash: string;
  changedAt: number;
}

const KEY_LENGTH = 32;
const fileOf = (paths: HomePaths) => join(paths.root, 'admin-password.json');

/** The hash in progress or last queued: hashes run one after another. */
let hashing: Promise<unknown> = Promise.resolve();

/**
 * scrypt in libuv's thread pool (about 50 ms of CPU and 16 MB each), never on the event loop that
 * serves mail. One at a time: a burst of logins must not take every thread of the pool, which
 * file writes and DNS look-ups share, nor 16 MB each at once.
 */
function hashOf(password: string, salt: Buffer): Promise<Buffer> {
  const hashed = hashing.then(() => new Promise<Buffer>((resolve, reject) => scrypt(password, salt, KEY_LENGTH, (error, key) => (error ? reject(error) : resolve(key)))));
  hashing = hashed.catch(() => undefined);
  return hashed;
}

/** A password the lab accepts: 8 to 128 characters, not only spaces (AsyncOS asks for at least 8). */
export function passwordProblem(password: string): string | null {
  if (password.length < 8) return 'the password must have at least 8 characters';
  if (password.length > 128) return 'the password must have at most 128 characters';
  if (password.trim() === '') return 'the password must not be only spaces';
  return null;
}

/** Stores the admin password, salted and hashed (scrypt), owner-only, replacing the previous one. */
export async function setAdminPassword(paths: HomePaths, password: string): Promise<void> {
  const problem = passwordProblem(password);
  if (problem) throw new UserError(`Invalid password: ${problem}.`, ErrorCodes.invalidValue);
  const salt = randomBytes(16);
  const stored: StoredPassword = { user: ADMIN_USER, salt: salt.toString('hex'), hash: (await hashOf(password, salt)).toString('hex'), changedAt: Date.now() };
  writeJsonAtomic(fileOf(paths), stored, { mode: 0o600 });
}

function readStored(paths: HomePaths): StoredPassword | null {
  const file = fileOf(paths);
  if (!existsSync(file)) return null;
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<StoredPassword>;
    if (typeof value.salt === 'string' && typeof value.hash === 'string' && /^[0-9a-f]{64}$/.test(value.hash)) return value as StoredPassword;
  } catch {
    // fall through: a bad file is set aside below
  }
  const aside = `${file}.bad-${Date.now()}`;
  renameSync(file, aside);
  throw new UserError(`The admin password file ${file} is not valid; it was set aside as ${aside}. Set a new password with "passwd".`, ErrorCodes.configCorrupt);
}

/**
 * At first start the admin gets a random password, stored hashed; it is returned once so that it
 * can be shown once. Null when a password is already set.
 */
export async function ensureAdminPassword(paths: HomePaths): Promise<string | null> {
  if (readStored(paths)) return null;
  const password = randomBytes(9).toString('base64url');
  await setAdminPassword(paths, password);
  return password;
}

/** Whether `user` names an account of the appliance (the lab has one: admin). */
export function isAccount(user: string): boolean {
  return user === ADMIN_USER;
}

/**
 * Whether user and password are the admin's (constant time on the hash). Not a login: the rules
 * against guessing (slowing, locking, the authentication log) are the login guard's.
 */
export async function checkAdminPassword(paths: HomePaths, user: string, password: string): Promise<boolean> {
  const stored = readStored(paths);
  if (!stored || !isAccount(user)) return false;
  const expected = Buffer.from(stored.hash, 'hex');
  return timingSafeEqual(await hashOf(password, Buffer.from(stored.salt, 'hex')), expected);
}
