import type { ApplianceConfig, ListenerConfig } from '../engine/config/model.js';
import { checkValue, dialogCheck, HAT_SENDER, RAT_ENTRY } from '../engine/config/validate.js';
import { DEFAULT_HOST_ACCESS, HAT_BEHAVIORS, type HatBehavior, type HostAccessTable } from '../engine/host-access.js';
import { ErrorCodes, UserError } from '../errors.js';
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

/** The effective HAT of a listener (one made before the HAT has the default: ALL ACCEPT). */
export const hostAccessOf = (l: Readonly<ListenerConfig>): HostAccessTable => l.hostAccess ?? { ...DEFAULT_HOST_ACCESS, entries: [] };

export function renderHat(l: Readonly<ListenerConfig>): string[] {
  const hat = hostAccessOf(l);
  return ['   Host Access Table (HAT):', ...hat.entries.map((e) => row(e.sender, e.behavior)), row('ALL', hat.defaultBehavior)];
}

export function renderRat(l: Readonly<ListenerConfig>): string[] {
  return ['   Recipient Access Table (RAT):', ...l.acceptDomains.map((d) => row(d, 'ACCEPT')), row('ALL', 'REJECT  (All Other Recipients)')];
}

/** A behaviour as the operator types it (any case); refused with the choices otherwise. */
export function parseBehavior(value: string): HatBehavior {
  const behavior = HAT_BEHAVIORS.find((b) => b === value.toUpperCase());
  if (!behavior) throw new UserError(`Invalid HAT behavior "${value}": enter one of ${HAT_BEHAVIORS.join(', ')}.`, ErrorCodes.invalidValue);
  return behavior;
}

/**
 * Changes the pending HAT: created on first change, and gone again when it is back to the
 * default (so that a listener made before the HAT shows no change for an edit undone).
 */
function editHat(ctx: CommandContext, change: (hat: HostAccessTable) => void): void {
  ctx.session.config.edit((c) => {
    const hat = (c.listener.hostAccess ??= { ...DEFAULT_HOST_ACCESS, entries: [] });
    change(hat);
    if (hat.entries.length === 0 && hat.defaultBehavior === DEFAULT_HOST_ACCESS.defaultBehavior) delete c.listener.hostAccess;
  });
}

const alreadyListed = (l: Readonly<ListenerConfig>, sender: string) => hostAccessOf(l).entries.some((e) => e.sender === sender);

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
      const sender = await ctx.io.text(SENDER_PROMPT, {
        validate: (v) => dialogCheck(HAT_SENDER)(v) ?? (alreadyListed(config.pending.listener, v) ? `That value is not valid: ${v} is already in the table.` : null),
      });
      const behavior = await chooseBehavior(ctx, 'Select the behavior for these senders.', 'ACCEPT');
      editHat(ctx, (hat) => void hat.entries.push({ sender, behavior }));
    } else if (op === 'DELETE') {
      const entries = hostAccessOf(config.pending.listener).entries;
      if (entries.length === 0) {
        ctx.io.print('There are no entries to remove: ALL is always the last row.');
        continue;
      }
      const i = await ctx.io.list('Choose the entry to remove.', entries.map((e) => `${e.sender} ${e.behavior}`), { allowBlank: true });
      if (i !== null) editHat(ctx, (hat) => void hat.entries.splice(i, 1));
    } else {
      const behavior = await chooseBehavior(ctx, 'Select the behavior for all other senders (ALL).', hostAccessOf(config.pending.listener).defaultBehavior);
      editHat(ctx, (hat) => void (hat.defaultBehavior = behavior));
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
      config.edit(ratChange([await ctx.io.text('Enter the domain to accept mail for (example.com or .example.com).', { validate: dialogCheck(RAT_ENTRY) })], []));
    } else {
      const i = await ctx.io.list('Choose the domain to remove.', config.pending.listener.acceptDomains, { allowBlank: true });
      if (i !== null) config.edit((c) => void c.listener.acceptDomains.splice(i, 1));
    }
  }
}

/** An accepted domain as the RAT keeps it (lower case); refused when it is not a domain. */
export const ratDomain = (d: string): string => checkValue(RAT_ENTRY, d).toLowerCase();

/**
 * The RAT's batch changes as one edit of the configuration (shared with the older top-level flags
 * --accept-domain and --remove-domain): domains to add are checked at once, domains to remove
 * when the edit runs (it is then refused whole).
 */
export function ratChange(add: string[], remove: string[]): (c: ApplianceConfig) => void {
  const adding = add.map(ratDomain);
  const removing = remove.map((d) => d.toLowerCase());
  return (c) => {
    for (const d of removing) {
      if (!c.listener.acceptDomains.includes(d)) throw new UserError(`The listener does not accept ${d}.`, ErrorCodes.notFound);
      c.listener.acceptDomains.splice(c.listener.acceptDomains.indexOf(d), 1);
    }
    for (const d of adding) if (!c.listener.acceptDomains.includes(d)) c.listener.acceptDomains.push(d);
  };
}

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
    return config.edit(op === 'new' ? ratChange([domain], []) : ratChange([], [domain]));
  }
  if (op === 'default') {
    const behavior = parseBehavior(needed(flags, 'behavior', '--behavior BEHAVIOR', what));
    return editHat(ctx, (hat) => void (hat.defaultBehavior = behavior));
  }
  const sender = checkValue(HAT_SENDER, needed(flags, 'sender', '--sender PATTERN', what));
  if (op === 'new') {
    const behavior = parseBehavior(needed(flags, 'behavior', '--behavior BEHAVIOR', what));
    if (alreadyListed(config.pending.listener, sender)) throw new UserError(`The HAT already has an entry for ${sender}: delete it first.`, ErrorCodes.invalidValue);
    return editHat(ctx, (hat) => void hat.entries.push({ sender, behavior }));
  }
  if (!alreadyListed(config.pending.listener, sender)) throw new UserError(`The HAT has no entry for ${sender}.`, ErrorCodes.notFound);
  editHat(ctx, (hat) => void (hat.entries = hat.entries.filter((e) => e.sender !== sender)));
}
