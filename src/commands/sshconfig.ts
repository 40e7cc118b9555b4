import type { UserKey } from '../engine/config/model.js';
import { SettingError } from '../engine/operations/setting-error.js';
import { ErrorCodes, UserError } from '../errors.js';
import type { CommandContext, CommandSpec } from './types.js';

/*
 * sshconfig, as far as segsim has it: USERKEY, the public keys each account logs in over SSH
 * with (node:crypto and the key rules load only when the command runs).
 */

const operations = () => import('../engine/operations/ssh-keys.js');
const keyRules = () => import('../engine/ssh-keys.js');

/** A key as the list shows it: the type, the start and the end of the key, the comment. */
export function shortKey(key: UserKey): string {
  const data = key.key.length > 40 ? `${key.key.slice(0, 25)}...${key.key.slice(-12)}` : key.key;
  return `${key.type} ${data}${key.comment ? ` (${key.comment})` : ''}`;
}

/** `Currently installed keys for admin:` and the numbered keys. */
export function renderKeys(user: string, keys: readonly UserKey[]): string {
  return [`Currently installed keys for ${user}:`, ...keys.map((k, i) => `${i + 1}. ${shortKey(k)}`)].join('\n');
}

/** A key is pasted as one line; a line broken by the terminal is joined again. */
const pasted = (ctx: CommandContext) => ctx.io.block('Please enter the public SSH key for authorization.\nPress enter on a blank line to finish.');

async function userKeyDialog(ctx: CommandContext, startUser: string): Promise<void> {
  const { addUserKey, deleteUserKey, keysOfUser, keyUsers, replaceUserKey } = await operations();
  const { keyLine } = await keyRules();
  let user = startUser;
  for (;;) {
    const keys = keysOfUser(ctx.session.config.pending, user);
    ctx.io.print(`\n${renderKeys(user, keys)}`);
    const op = await ctx.io.menu([
      { keyword: 'NEW', description: 'Add a new key.' },
      ...(keys.length > 0
        ? [
            { keyword: 'EDIT', description: 'Modify a key.' },
            { keyword: 'DELETE', description: 'Remove a key.' },
            { keyword: 'PRINT', description: 'Display a key.' },
          ]
        : []),
      { keyword: 'USER', description: 'Switch to a different user to edit.' },
    ]);
    if (op === null) return;
    const numberOf = (what: string) => ctx.io.number(`Enter the number of the key you wish to ${what}.`, { min: 1, max: keys.length });
    try {
      if (op === 'NEW') {
        const lines = await pasted(ctx);
        if (lines.length > 0) addUserKey(ctx, user, lines.join(''));
      } else if (op === 'EDIT') {
        const n = await numberOf('edit');
        const lines = await pasted(ctx);
        if (lines.length > 0) replaceUserKey(ctx, user, n, lines.join(''));
      } else if (op === 'DELETE') {
        deleteUserKey(ctx, user, await numberOf('delete'));
      } else if (op === 'PRINT') {
        ctx.io.print(`\n${keyLine(keys[(await numberOf('print')) - 1]!)}`);
      } else {
        const users = keyUsers();
        user = users[(await ctx.io.list('\nChoose the user to edit:', users, { default: users.indexOf(user) + 1 }))!]!;
      }
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      ctx.io.print(error.message);
    }
  }
}

/** A key number given to a flag: a whole number from 1. */
function keyNumber(value: unknown): number {
  const text = String(value);
  if (!/^\d{1,3}$/.test(text) || Number(text) < 1) throw new UserError(`Invalid key number "${text}": enter the number the list shows (sshconfig --list).`, ErrorCodes.usage);
  return Number(text);
}

export const sshconfigCommand: CommandSpec = {
  name: 'sshconfig',
  summary: 'Configure the public keys users log in over SSH with.',
  help: [
    'sshconfig [--user NAME] [--add-key "PUBLIC KEY" | --delete-key N | --list] [--json]',
    '',
    'USERKEY keeps, per user, the OpenSSH public keys (the line of an id_*.pub file: ssh-ed25519,',
    'ecdsa-sha2-nistp256/384/521 or ssh-rsa of at least 1024 bits) that log in over SSH without a',
    'password. Keys are configuration: a change takes effect at "commit". In the dialog, paste the',
    'key on one line and press Enter on a blank line. Examples:',
    '  segsim sshconfig --add-key "$(cat ~/.ssh/id_ed25519.pub)"',
    '  segsim sshconfig --list --json',
    '  segsim sshconfig --delete-key 2',
  ].join('\n'),
  configures: true,
  json: 'the user and the keys',
  flags: [
    { flags: '--user <name>', description: 'the user whose keys to change or list (admin)' },
    { flags: '--add-key <key>', description: 'add an OpenSSH public key ("ssh-ed25519 AAAA... comment")', conflicts: ['--delete-key'] },
    { flags: '--delete-key <n>', description: 'delete key N of the list' },
    { flags: '--list', description: 'print the keys' },
  ],
  async run(ctx, { flags }) {
    const { addUserKey, deleteUserKey, keysOfUser, keyUsers } = await operations();
    const { keyFingerprint } = await keyRules();
    const user = flags.user === undefined ? keyUsers()[0]! : String(flags.user);
    if (flags.addKey !== undefined) addUserKey(ctx, user, String(flags.addKey));
    if (flags.deleteKey !== undefined) deleteUserKey(ctx, user, keyNumber(flags.deleteKey));
    const acted = flags.addKey !== undefined || flags.deleteKey !== undefined;
    if (ctx.json || flags.list || (!acted && !ctx.interactive)) {
      const keys = keysOfUser(ctx.session.config.pending, user);
      const data = { user, keys: keys.map((k, i) => ({ number: i + 1, type: k.type, key: k.key, comment: k.comment, fingerprint: keyFingerprint(k) })) };
      return { data, render: (io) => io.print(renderKeys(user, keys)) };
    }
    if (acted) return;
    keysOfUser(ctx.session.config.pending, user);
    for (;;) {
      const op = await ctx.io.menu([{ keyword: 'USERKEY', description: 'Edit SSH User Key settings' }]);
      if (op === null) return;
      try {
        await userKeyDialog(ctx, user);
      } catch (error) {
        if (!(error instanceof SettingError)) throw error;
        ctx.io.print(error.message);
      }
    }
  },
};
