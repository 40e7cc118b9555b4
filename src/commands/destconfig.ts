import { DEFAULT_DESTINATION, defaultControlOf, type DestinationControl } from '../engine/config/model.js';
import { isDomain } from '../engine/config/validate.js';
import { ErrorCodes, UserError } from '../errors.js';
import { parseDecimal } from './numbers.js';
import type { CommandSpec } from './types.js';

export function renderControls(controls: DestinationControl[]): string {
  return [
    `${'Domain'.padEnd(30)}${'Max Conns'.padStart(10)}${'Max Msgs/Conn'.padStart(15)}`,
    ...controls.map((c) => `${c.domain.padEnd(30)}${String(c.maxConnections).padStart(10)}${String(c.maxMessagesPerConnection).padStart(15)}`),
  ].join('\n');
}

/** Connections and messages per connection, one rule for the dialog and the flags. */
const LIMIT = { min: 1, max: 1000 };
const limit = (value: unknown, flag: string) => parseDecimal(value, { name: flag, ...LIMIT });

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
    const set = (domain: string, maxConnections?: number, maxMessages?: number) => {
      const d = domain.toLowerCase() === DEFAULT_DESTINATION.toLowerCase() ? DEFAULT_DESTINATION : domain.toLowerCase();
      if (d !== DEFAULT_DESTINATION && !isDomain(d)) throw new UserError(`Invalid domain "${domain}".`, ErrorCodes.invalidValue);
      config.edit((c) => {
        const defaults = defaultControlOf(c.destinationControls);
        let entry = c.destinationControls.find((x) => x.domain === d);
        if (!entry) {
          entry = { domain: d, maxConnections: defaults.maxConnections, maxMessagesPerConnection: defaults.maxMessagesPerConnection };
          c.destinationControls.push(entry);
        }
        if (maxConnections !== undefined) entry.maxConnections = maxConnections;
        if (maxMessages !== undefined) entry.maxMessagesPerConnection = maxMessages;
      });
    };
    if (flags.domain !== undefined) {
      set(String(flags.domain), flags.maxConnections === undefined ? undefined : limit(flags.maxConnections, '--max-connections'), flags.maxMessages === undefined ? undefined : limit(flags.maxMessages, '--max-messages'));
    } else if (flags.maxConnections !== undefined || flags.maxMessages !== undefined) throw new UserError('Say which destination with --domain (or Default).', ErrorCodes.usage);
    if (flags.delete !== undefined) {
      const d = String(flags.delete).toLowerCase();
      if (d === 'default') throw new UserError('The Default entry cannot be deleted.', ErrorCodes.invalidValue);
      config.edit((c) => {
        const i = c.destinationControls.findIndex((x) => x.domain === d);
        if (i < 0) throw new UserError(`${d} was not found in the destination control table.`, ErrorCodes.notFound);
        c.destinationControls.splice(i, 1);
      });
    }
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
      if (op === 'NEW') domain = await ctx.io.text('Enter the domain you wish to configure.', { validate: (v) => (isDomain(v) ? null : 'That value is not valid: enter a domain.') });
      else if (op === 'DEFAULT') domain = DEFAULT_DESTINATION;
      else {
        const i = await ctx.io.list('Choose the entry.', domains.filter((d) => op === 'EDIT' || d !== DEFAULT_DESTINATION), { allowBlank: true });
        domain = i === null ? undefined : domains.filter((d) => op === 'EDIT' || d !== DEFAULT_DESTINATION)[i];
      }
      if (!domain) continue;
      if (op === 'DELETE') {
        config.edit((c) => void c.destinationControls.splice(c.destinationControls.findIndex((x) => x.domain === domain), 1));
        continue;
      }
      const current = config.pending.destinationControls.find((x) => x.domain === domain) ?? defaultControlOf(config.pending.destinationControls);
      const maxConnections = await ctx.io.number('Enter the max concurrency limit for this domain.', { ...LIMIT, default: current.maxConnections });
      const maxMessages = await ctx.io.number('Enter the max number of messages per connection.', { ...LIMIT, default: current.maxMessagesPerConnection });
      set(domain, maxConnections, maxMessages);
    }
  },
};
