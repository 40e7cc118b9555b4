import { ErrorCodes } from '../../errors.js';
import { ADMIN_USER, isAccount } from '../admin-account.js';
import type { ApplianceConfig, UserKey } from '../config/model.js';
import { keyFingerprint, parseUserKey, sameKey } from '../ssh-keys.js';
import type { ConfigEditor } from './config-editor.js';
import { SettingError } from './setting-error.js';

/*
 * The user keys' operations (sshconfig > USERKEY): the public keys each account may log in over
 * SSH with. Configuration: a change is pending in the session until `commit`, as on AsyncOS.
 */

/** The accounts that may have keys, the first the one a dialog starts with. */
export const keyUsers = (): string[] => [ADMIN_USER];

/** The most keys one user may have (the configuration's limit). */
export const MAX_USER_KEYS = 100;

function checkUser(user: string): string {
  if (!isAccount(user)) throw new SettingError('sshkey.user', 'there is no such user (this appliance has the account admin)', { value: user, code: ErrorCodes.notFound });
  return user;
}

/**
 * The key a pasted line holds, or a refusal naming the problem. The refusal never repeats the
 * line: it may be a private key pasted by mistake.
 */
function checkKey(text: string): UserKey {
  const parsed = parseUserKey(text);
  if (!parsed.ok) throw new SettingError('sshkey.key', parsed.problem);
  return parsed.key;
}

/** The keys of a user in a configuration, in order (numbered from 1 in the dialog and the flags). */
export function userKeysOf(config: Readonly<ApplianceConfig>, user: string): readonly UserKey[] {
  return config.sshUserKeys?.[user] ?? [];
}

function checkNumber(keys: readonly UserKey[], user: string, number: number): number {
  if (!Number.isInteger(number) || number < 1 || number > keys.length) {
    const problem = keys.length === 0 ? `${user} has no keys` : `${user} has keys 1 to ${keys.length}`;
    throw new SettingError('sshkey.number', problem, { value: String(number), code: ErrorCodes.notFound });
  }
  return number - 1;
}

function refuseDuplicate(keys: readonly UserKey[], key: UserKey, user: string, except = -1): void {
  const at = keys.findIndex((k, i) => i !== except && sameKey(k, key));
  if (at >= 0) throw new SettingError('sshkey.key', `this key is already installed for ${user} (key ${at + 1}, ${keyFingerprint(key)})`, { code: ErrorCodes.conflict });
}

/** Adds a key (a pasted `.pub` line) to a user's keys; returns it. Refuses a bad key, a key already there, a key too many. */
export function addUserKey(editor: ConfigEditor, user: string, text: string): UserKey {
  checkUser(user);
  const key = checkKey(text);
  editor.session.config.edit((c) => {
    const keys = ((c.sshUserKeys ??= {})[user] ??= []);
    refuseDuplicate(keys, key, user);
    if (keys.length >= MAX_USER_KEYS) throw new SettingError('sshkey.key', `${user} has ${MAX_USER_KEYS} keys, the most a user may have: delete one first`, { startsWithName: true });
    keys.push(key);
  });
  return key;
}

/** Replaces key `number` (from 1) of a user with another pasted key (EDIT). */
export function replaceUserKey(editor: ConfigEditor, user: string, number: number, text: string): UserKey {
  checkUser(user);
  const index = checkNumber(userKeysOf(editor.session.config.pending, user), user, number);
  const key = checkKey(text);
  editor.session.config.edit((c) => {
    const keys = c.sshUserKeys![user]!;
    refuseDuplicate(keys, key, user, index);
    keys[index] = key;
  });
  return key;
}

/** Deletes key `number` (from 1) of a user; returns it. */
export function deleteUserKey(editor: ConfigEditor, user: string, number: number): UserKey {
  checkUser(user);
  const index = checkNumber(userKeysOf(editor.session.config.pending, user), user, number);
  let deleted: UserKey | undefined;
  editor.session.config.edit((c) => {
    const keys = c.sshUserKeys![user]!;
    deleted = keys.splice(index, 1)[0];
    if (keys.length === 0) delete c.sshUserKeys![user];
    if (Object.keys(c.sshUserKeys!).length === 0) delete c.sshUserKeys;
  });
  return deleted!;
}

/** A user's keys, the user checked (the dialog's USER, the flags' --user). */
export function keysOfUser(config: Readonly<ApplianceConfig>, user: string): readonly UserKey[] {
  return userKeysOf(config, checkUser(user));
}
