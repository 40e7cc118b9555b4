import { type ListenerConfig } from '../engine/config/model.js';
import { LISTENER_NAME, PORT } from '../engine/config/validate.js';
import { MANAGEMENT_INTERFACE } from '../engine/ip-interfaces.js';
import { bindAddressProblem, changeListener } from '../engine/operations/listener.js';
import { ErrorCodes, UserError } from '../errors.js';
import { count } from './format/numbers.js';
import { ACCESS_TABLES, accessOperation, hatDialog, hostAccessOf, ratDialog, renderHat, renderRat, type AccessTable } from './listener-access.js';
import { parseDecimal } from './numbers.js';
import type { CommandContext, CommandSpec } from './types.js';

/** The listener as AsyncOS lists it (reference §10.9): `1. NAME (on INTERFACE, IP) SMTP TCP Port N Public`. */
const listLine = (l: Readonly<ListenerConfig>) => `1. ${l.name} (on ${MANAGEMENT_INTERFACE.name}, ${l.bindAddress}) SMTP TCP Port ${l.port} Public`;

/** The listener with its settings and both access tables: the batch screen (`listenerconfig` with no flags). */
export function renderListener(l: Readonly<ListenerConfig>): string {
  return ['Currently configured listeners:', listLine(l), `   Maximum message size: ${count(l.maxMessageSize)} bytes`, ...renderHat(l), ...renderRat(l)].join('\n');
}

/** The listener's settings, as EDIT shows them before its operations. */
function renderDetail(l: Readonly<ListenerConfig>): string {
  return [
    `Name: ${l.name}`,
    'Type: Public',
    `Interface: ${MANAGEMENT_INTERFACE.name} (${l.bindAddress}) TCP Port ${l.port}`,
    'Protocol: SMTP',
    `Maximum message size: ${count(l.maxMessageSize)} bytes`,
  ].join('\n');
}

/** The listener's numbers, one rule for the dialog and the flags (PORT: 0 is any free port). */
const MESSAGE_SIZE = { min: 1024, max: 1_000_000_000, unit: 'bytes' };

/** The listener a batch `edit` names: its name (any case) or its number, 1. */
function checkListener(ctx: CommandContext, name: string): void {
  const l = ctx.session.config.pending.listener;
  if (name !== '1' && name.toLowerCase() !== l.name.toLowerCase()) throw new UserError(`No listener "${name}": the listener is 1. ${l.name}.`, ErrorCodes.notFound);
}

/** The operations the appliance offers that segsim does not simulate: they say so. */
const ONE_LISTENER = 'segsim simulates one public listener; NEW, DELETE and SETUP are not simulated. Use EDIT.';

/** listenerconfig > EDIT: the listener's own settings and its access tables. */
async function editDialog(ctx: CommandContext): Promise<void> {
  const config = ctx.session.config;
  await ctx.io.text('Enter the name or number of the listener you wish to edit.', {
    default: '1',
    validate: (v) => (v === '1' || v.toLowerCase() === config.pending.listener.name.toLowerCase() ? null : 'You must enter a value from 1 to 1.'),
  });
  for (;;) {
    ctx.io.print(renderDetail(config.pending.listener));
    const op = await ctx.io.menu([
      { keyword: 'NAME', description: 'Change the name of the listener.' },
      { keyword: 'INTERFACE', description: 'Change the IP address and the TCP port.' },
      { keyword: 'LIMITS', description: 'Change the maximum message size.' },
      { keyword: 'HOSTACCESS', description: 'Modify the Host Access Table.' },
      { keyword: 'RCPTACCESS', description: 'Modify the Recipient Access Table.' },
    ]);
    if (op === null) return;
    const l = config.pending.listener;
    if (op === 'NAME') {
      const name = await ctx.io.text('Please create a name for this listener.', { default: l.name, check: LISTENER_NAME.problem });
      changeListener(ctx, { name });
    } else if (op === 'INTERFACE') {
      const bindAddress = await ctx.io.text('Please enter the IP address to listen on.', { default: l.bindAddress, check: bindAddressProblem });
      const port = await ctx.io.number('Please enter the TCP port for this listener.', { ...PORT, default: l.port });
      changeListener(ctx, { bindAddress, port });
    } else if (op === 'LIMITS') {
      const size = await ctx.io.number('Please enter the maximum message size in bytes.', { ...MESSAGE_SIZE, default: l.maxMessageSize });
      changeListener(ctx, { maxMessageSize: size });
    } else if (op === 'HOSTACCESS') await hatDialog(ctx);
    else await ratDialog(ctx);
  }
}

/** `listenerconfig edit NAME [hostaccess|rcptaccess] [OPERATION]`. */
async function runEdit(ctx: CommandContext, [name, table, operation]: string[], flags: Record<string, unknown>) {
  if (name === undefined) {
    if (!ctx.interactive || ctx.json) throw new UserError('listenerconfig edit needs the listener: its name or 1.', ErrorCodes.usage);
    return editDialog(ctx);
  }
  checkListener(ctx, name);
  const which = table?.toLowerCase() as AccessTable | undefined;
  if (which !== undefined && !ACCESS_TABLES.includes(which)) throw new UserError(`Unknown listener table "${table}": use hostaccess or rcptaccess.`, ErrorCodes.usage);
  if (operation !== undefined) return accessOperation(ctx, which!, operation, flags);
  if (!ctx.interactive || ctx.json) {
    if (which === undefined) throw new UserError('listenerconfig edit needs hostaccess or rcptaccess and an operation (new, delete, default, print).', ErrorCodes.usage);
    return accessOperation(ctx, which, 'print', flags);
  }
  if (which === 'hostaccess') await hatDialog(ctx);
  else if (which === 'rcptaccess') await ratDialog(ctx);
  else await editDialog(ctx);
}

export const listenerconfigCommand: CommandSpec = {
  name: 'listenerconfig',
  summary: 'Configure mail listeners (address, port, Host Access Table, accepted domains).',
  help: [
    'listenerconfig [--name NAME] [--bind ADDRESS] [--port N] [--max-message-size BYTES]',
    '               [--accept-domain DOMAIN...] [--remove-domain DOMAIN...] [--json]',
    'listenerconfig edit LISTENER hostaccess new --sender PATTERN --behavior BEHAVIOR',
    'listenerconfig edit LISTENER hostaccess delete --sender PATTERN',
    'listenerconfig edit LISTENER hostaccess default --behavior BEHAVIOR',
    'listenerconfig edit LISTENER rcptaccess new|delete --domain DOMAIN',
    'listenerconfig edit LISTENER hostaccess|rcptaccess print [--json]',
    '',
    'The listener binds to 127.0.0.1 by default. Its Host Access Table (HAT) decides what happens to',
    'a connecting host: the first row whose senders match it (an IP address, a CIDR range such as',
    '10.1.1.0/24, a range such as 10.1.1.10-20, or a partial address such as 10.1.1.), else the ALL',
    'row. ACCEPT: the RAT decides per recipient; RELAY: any recipient is taken; REJECT: 554 at connect;',
    'TCPREFUSE: the connection is closed at once. Its Recipient Access Table (RAT) accepts mail for',
    'the listed domains and rejects all other recipients. LISTENER is its name or 1; new is also add.',
    'Examples:',
    '  listenerconfig --accept-domain partner.example',
    '  listenerconfig edit IncomingMail hostaccess add --sender 127.0.0.2 --behavior reject',
    '  segsim listenerconfig --port 2600',
  ].join('\n'),
  configures: true,
  json: 'the listener',
  runsWithoutSubcommand: true,
  flags: [
    { flags: '--name <name>', description: 'listener name' },
    { flags: '--bind <address>', description: 'IP address to listen on' },
    { flags: '--port <port>', description: 'TCP port (0 = any free port)', number: PORT },
    { flags: '--max-message-size <bytes>', description: 'largest message accepted', number: MESSAGE_SIZE },
    { flags: '--accept-domain <domain>', description: 'accept mail for this domain (repeatable)', repeatable: true },
    { flags: '--remove-domain <domain>', description: 'stop accepting this domain (repeatable)', repeatable: true },
  ],
  subcommands: [
    {
      name: 'edit',
      summary: "change the listener's access tables: hostaccess (HAT) or rcptaccess (RAT)",
      args: '[listener] [table] [operation]',
      json: 'the table',
      flags: [
        { flags: '--sender <pattern>', description: 'HAT senders: IP address, CIDR range, a.b.c.d-e range or partial address (hostaccess new, delete)' },
        { flags: '--behavior <behavior>', description: 'ACCEPT, RELAY, REJECT or TCPREFUSE (hostaccess new, default)' },
        { flags: '--domain <domain>', description: 'a RAT domain or .partial domain (rcptaccess new, delete)' },
      ],
    },
  ],
  async run(ctx, { args, flags }) {
    const config = ctx.session.config;
    if (args[0] === 'edit') return runEdit(ctx, args.slice(1), flags);
    const changes = ['name', 'bind', 'port', 'maxMessageSize', 'acceptDomain', 'removeDomain'].filter((k) => flags[k] !== undefined);
    if (changes.length > 0) {
      const str = (k: string) => (flags[k] === undefined ? undefined : String(flags[k]));
      const port = flags.port === undefined ? undefined : parseDecimal(flags.port, { name: '--port', ...PORT });
      const maxMessageSize = flags.maxMessageSize === undefined ? undefined : parseDecimal(flags.maxMessageSize, { name: '--max-message-size', ...MESSAGE_SIZE });
      const acceptDomains = (flags.acceptDomain as string[] | undefined) ?? [];
      const removeDomains = (flags.removeDomain as string[] | undefined) ?? [];
      changeListener(ctx, { name: str('name'), bindAddress: str('bind'), port, maxMessageSize, acceptDomains, removeDomains });
      return;
    }
    if (ctx.json || !ctx.interactive) {
      const listener = { ...config.pending.listener, hostAccess: hostAccessOf(config.pending.listener) };
      return { data: listener, render: (io) => io.print(renderListener(listener)) };
    }
    for (;;) {
      ctx.io.print(['Currently configured listeners:', listLine(config.pending.listener)].join('\n'));
      const op = await ctx.io.menu([
        { keyword: 'NEW', description: 'Create a new listener.' },
        { keyword: 'EDIT', description: 'Modify a listener.' },
        { keyword: 'DELETE', description: 'Remove a listener.' },
        { keyword: 'SETUP', description: 'Change global settings.' },
      ]);
      if (op === null) return;
      if (op === 'EDIT') await editDialog(ctx);
      else ctx.io.print(ONE_LISTENER);
    }
  },
};
