import { DEFAULT_DESTINATION, defaultControlOf, type DestinationControl } from '../engine/config/model.js';
import { CONTROL_LIMIT, controlDomainProblem, deleteDestinationControl, setDestinationControl } from '../engine/operations/destination-controls.js';
import { ErrorCodes, UserError } from '../errors.js';
import { withFlagHints, type FlagHints } from './flag-hints.js';
import { parseDecimal } from './numbers.js';
import type { CommandSpec } from './types.js';

export function renderControls(controls: DestinationControl[]): string {
  return [
    `${'Domain'.padEnd(30)}${'Max Conns'.padStart(10)}${'Max Msgs/Conn'.padStart(15)}`,
    ...controls.map((c) => `${c.domain.padEnd(30)}${String(c.maxConnections).padStart(10)}${String(c.maxMessagesPerConnection).padStart(15)}`),
  ].join('\n');
}

const LIMIT = CONTROL_LIMIT;
const optionalLimit = (value: unknown, flag: string) => (value === undefined ? undefined : parseDecimal(value, { name: flag, ...LIMIT }));

/** Default is there to stay: the command line says how to change it instead. */
const FLAG_HINTS: FlagHints = { 'destination.domain': `change its limits with --domain ${DEFAULT_DESTINATION}` };

export const destconfigCommand: CommandSpec = {
  name: 'destconfig',
  summary: 'Configure Destination Controls (connections and messages per connection per domain).',
  help: [
    'destconfig [--domain DOMAIN|Default --max-connections N --max-messages N] [--delete DOMAIN] [--list] [--json]',
    '',
    'Each destination (the.tdc.queue included) opens at most max-connections connections and sends',
    'at most max-messages messages on each. Domains without an entry use Default. Examples:',
    '  destconfig --domain example.com --max-connections 10 --max-messages 20',
    '  destconfig --domain the.tdc.queue --max-connections 5',
  ].join('\n'),
  configures: true,
  json: 'the destination control table',
  flags: [
    { flags: '--domain <domain>', description: 'the destination (or Default)' },
    { flags: '--max-connections <n>', description: 'concurrency limit, 1-1000', number: LIMIT },
    { flags: '--max-messages <n>', description: 'messages per connection, 1-1000', number: LIMIT },
    { flags: '--delete <domain>', description: 'delete the entry of a domain' },
    { flags: '--list', description: 'print the table' },
  ],
  async run(ctx, { flags }) {
    const config = ctx.session.config;
    if (flags.domain !== undefined) {
      const limits = { maxConnections: optionalLimit(flags.maxConnections, '--max-connections'), maxMessagesPerConnection: optionalLimit(flags.maxMessages, '--max-messages') };
      setDestinationControl(ctx, String(flags.domain), limits);
    } else if (flags.maxConnections !== undefined || flags.maxMessages !== undefined) throw new UserError('Say which destination with --domain (or Default).', ErrorCodes.usage);
    if (flags.delete !== undefined) withFlagHints(FLAG_HINTS, () => deleteDestinationControl(ctx, String(flags.delete)));
    const acted = flags.domain !== undefined || flags.delete !== undefined;
    if (ctx.json || flags.list || (!acted && !ctx.interactive)) {
      const table = config.pending.destinationControls;
      return { data: table, render: (io) => io.print(renderControls(table)) };
    }
    if (acted) return;
    for (;;) {
      ctx.io.print(renderControls(config.pending.destinationControls));
      const op = await ctx.io.menu([
        { keyword: 'NEW', description: 'Create a new entry.' },
        { keyword: 'EDIT', description: 'Modify an entry.' },
        { keyword: 'DELETE', description: 'Remove an entry.' },
        { keyword: 'DEFAULT', description: 'Change the default.' },
        { keyword: 'LIST', description: 'Display a summary list of all entries.' },
      ]);
      if (op === null) return;
      if (op === 'LIST') continue;
      const domains = config.pending.destinationControls.map((x) => x.domain);
      let domain: string | undefined;
      if (op === 'NEW') domain = await ctx.io.text('Enter the domain you wish to configure.', { check: controlDomainProblem });
      else if (op === 'DEFAULT') domain = DEFAULT_DESTINATION;
      else {
        const i = await ctx.io.list(
          'Choose the entry.',
          domains.filter((d) => op === 'EDIT' || d !== DEFAULT_DESTINATION),
          { allowBlank: true },
        );
        domain = i === null ? undefined : domains.filter((d) => op === 'EDIT' || d !== DEFAULT_DESTINATION)[i];
      }
      if (!domain) continue;
      if (op === 'DELETE') {
        deleteDestinationControl(ctx, domain);
        continue;
      }
      const current = config.pending.destinationControls.find((x) => x.domain.toLowerCase() === domain.toLowerCase()) ?? defaultControlOf(config.pending.destinationControls);
      const maxConnections = await ctx.io.number('Enter the max concurrency limit for this domain.', { ...LIMIT, default: current.maxConnections });
      const maxMessages = await ctx.io.number('Enter the max number of messages per connection.', { ...LIMIT, default: current.maxMessagesPerConnection });
      setDestinationControl(ctx, domain, { maxConnections, maxMessagesPerConnection: maxMessages });
    }
  },
};
