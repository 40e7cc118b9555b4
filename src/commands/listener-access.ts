import type { ListenerConfig } from '../engine/config/model.js';
import { RAT_ENTRY } from '../engine/config/validate.js';
import { HAT_BEHAVIORS, type HatBehavior } from '../engine/host-access.js';
import { addHatEntry, changeAcceptedDomains, checkNewHatSender, hatBehavior, hostAccessOf, removeHatEntry, setHatDefault } from '../engine/operations/listener.js';
import { ErrorCodes, UserError } from '../errors.js';
import { withFlagHints, type FlagHints } from './flag-hints.js';
import type { CommandContext, CommandOutput } from './types.js';

/*
 * The listener's two access tables, under listenerconfig > EDIT as on the appliance: HOSTACCESS
 * (the Host Access Table: which hosts may connect, and how) and RCPTACCESS (the Recipient Access
 * Table: which domains mail is accepted for). Each has a dialog and the batch operations of
 * `listenerconfig edit NAME hostaccess|rcptaccess OPERATION`.
 */

/** The tables' keywords as `listenerconfig edit NAME <table>` takes them. */
export const ACCESS_TABLES = ['hostaccess', 'rcptaccess'] as const;
export type AccessTable = (typeof ACCESS_TABLES)[number];

const row = (left: string, right: string) => `     ${left.padEnd(32)} ${right}`;

export { hostAccessOf };

export function renderHat(l: Readonly<ListenerConfig>): string[] {
  const hat = hostAccessOf(l);
  return ['   Host Access Table (HAT):', ...hat.entries.map((e) => row(e.sender, e.behavior)), row('ALL', hat.defaultBehavior)];
}

export function renderRat(l: Readonly<ListenerConfig>): string[] {
  return ['   Recipient Access Table (RAT):', ...l.acceptDomains.map((d) => row(d, 'ACCEPT')), row('ALL', 'REJECT  (All Other Recipients)')];
}

const SENDER_PROMPT = 'Enter the senders: an IP address, a CIDR range (10.1.1.0/24), a range (10.1.1.10-20) or a partial address (10.1.1.).';

async function chooseBehavior(ctx: CommandContext, title: string, current: HatBehavior): Promise<HatBehavior> {
  const i = await ctx.io.list(title, [...HAT_BEHAVIORS], { default: HAT_BEHAVIORS.indexOf(current) + 1 });
  return HAT_BEHAVIORS[i ?? 0]!;
}

/** listenerconfig > EDIT > HOSTACCESS. */
export async function hatDialog(ctx: CommandContext): Promise<void> {
  const config = ctx.session.config;
  for (;;) {
    ctx.io.print(renderHat(config.pending.listener).join('\n'));
    const op = await ctx.io.menu([
      { keyword: 'NEW', description: 'Create a new entry.' },
      { keyword: 'DELETE', description: 'Remove an entry.' },
      { keyword: 'DEFAULT', description: 'Set the behavior for all other senders (ALL).' },
    ]);
    if (op === null) return;
    if (op === 'NEW') {
      const sender = await ctx.io.text(SENDER_PROMPT, { check: (v) => (checkNewHatSender(config.pending.listener, v), null) });
      const behavior = await chooseBehavior(ctx, 'Select the behavior for these senders.', 'ACCEPT');
      addHatEntry(ctx, sender, behavior);
    } else if (op === 'DELETE') {
      const entries = hostAccessOf(config.pending.listener).entries;
      if (entries.length === 0) {
        ctx.io.print('There are no entries to remove: ALL is always the last row.');
        continue;
      }
      const i = await ctx.io.list(
        'Choose the entry to remove.',
        entries.map((e) => `${e.sender} ${e.behavior}`),
        { allowBlank: true },
      );
      if (i !== null) removeHatEntry(ctx, entries[i]!.sender);
    } else {
      const behavior = await chooseBehavior(ctx, 'Select the behavior for all other senders (ALL).', hostAccessOf(config.pending.listener).defaultBehavior);
      setHatDefault(ctx, behavior);
    }
  }
}

/** listenerconfig > EDIT > RCPTACCESS. */
export async function ratDialog(ctx: CommandContext): Promise<void> {
  const config = ctx.session.config;
  for (;;) {
    ctx.io.print(renderRat(config.pending.listener).join('\n'));
    const op = await ctx.io.menu([
      { keyword: 'NEW', description: 'Accept mail for a new domain.' },
      { keyword: 'DELETE', description: 'Remove a domain.' },
    ]);
    if (op === null) return;
    if (op === 'NEW') {
      changeAcceptedDomains(ctx, [await ctx.io.text('Enter the domain to accept mail for (example.com or .example.com).', { check: RAT_ENTRY.problem })], []);
    } else {
      const i = await ctx.io.list('Choose the domain to remove.', config.pending.listener.acceptDomains, { allowBlank: true });
      if (i !== null) config.edit((c) => void c.listener.acceptDomains.splice(i, 1));
    }
  }
}

/** The command line's words for a HAT row that is already there. */
const HAT_HINTS: FlagHints = {
  'listener.hat.sender': (e) => (e.code === ErrorCodes.conflict ? `The HAT already has an entry for ${e.value}: delete it first.` : undefined),
};

const OPERATIONS: Record<AccessTable, readonly string[]> = {
  hostaccess: ['new', 'delete', 'default', 'print'],
  rcptaccess: ['new', 'delete', 'print'],
};

/** A flag the operation cannot do without. */
function needed(flags: Record<string, unknown>, name: string, flag: string, what: string): string {
  const value = flags[name];
  if (typeof value !== 'string') throw new UserError(`${what} needs ${flag}.`, ErrorCodes.usage);
  return value;
}

/**
 * `listenerconfig edit NAME hostaccess|rcptaccess OPERATION [flags]`: NEW (also `add`), DELETE,
 * DEFAULT (HAT only), PRINT (--json prints the table as JSON).
 */
export function accessOperation(ctx: CommandContext, table: AccessTable, operation: string, flags: Record<string, unknown>): void | CommandOutput {
  const op = operation.toLowerCase() === 'add' ? 'new' : operation.toLowerCase();
  if (!OPERATIONS[table].includes(op)) {
    throw new UserError(`Unknown ${table} operation "${operation}": use ${OPERATIONS[table].join(', ')} (or add for new).`, ErrorCodes.usage);
  }
  const config = ctx.session.config;
  const what = `${table} ${op}`;
  if (op === 'print') {
    const l = config.pending.listener;
    const data = table === 'hostaccess' ? hostAccessOf(l) : { acceptDomains: l.acceptDomains };
    return { data, render: (io) => io.print((table === 'hostaccess' ? renderHat(l) : renderRat(l)).join('\n')) };
  }
  if (table === 'rcptaccess') {
    const domain = needed(flags, 'domain', '--domain DOMAIN', what);
    return changeAcceptedDomains(ctx, op === 'new' ? [domain] : [], op === 'new' ? [] : [domain]);
  }
  if (op === 'default') return setHatDefault(ctx, hatBehavior(needed(flags, 'behavior', '--behavior BEHAVIOR', what)));
  const sender = needed(flags, 'sender', '--sender PATTERN', what);
  if (op === 'new') {
    const behavior = needed(flags, 'behavior', '--behavior BEHAVIOR', what);
    return withFlagHints(HAT_HINTS, () => addHatEntry(ctx, sender, hatBehavior(behavior)));
  }
  removeHatEntry(ctx, sender);
}
