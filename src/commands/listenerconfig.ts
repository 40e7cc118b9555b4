import { isIP } from 'node:net';
import { IP_INTERFACE, type ListenerConfig } from '../engine/config/model.js';
import { checkValue, dialogCheck, LISTENER_NAME, PORT, RAT_ENTRY } from '../engine/config/validate.js';
import { ErrorCodes, UserError } from '../errors.js';
import { count } from './format/numbers.js';
import { parseDecimal } from './numbers.js';
import type { CommandContext, CommandSpec } from './types.js';

export function renderListener(l: ListenerConfig): string {
  return [
    'Currently configured listeners:',
    `1. ${l.name} (on ${IP_INTERFACE}, ${l.bindAddress}) SMTP TCP Port ${l.port} Public`,
    `   Maximum message size: ${count(l.maxMessageSize)} bytes`,
    '   Recipient Access Table (RAT):',
    ...l.acceptDomains.map((d) => `     ${d.padEnd(32)} ACCEPT`),
    `     ${'ALL'.padEnd(32)} REJECT  (All Other Recipients)`,
  ].join('\n');
}

function checkBind(v: string): string | null {
  return isIP(v) ? null : 'That value is not valid: enter an IP address such as 127.0.0.1.';
}

/** The listener's numbers, one rule for the dialog and the flags (PORT: 0 is any free port). */
const MESSAGE_SIZE = { min: 1024, max: 1_000_000_000, unit: 'bytes' };

function checkDomain(d: string): string {
  return checkValue(RAT_ENTRY, d).toLowerCase();
}

async function ratDialog(ctx: CommandContext): Promise<void> {
  for (;;) {
    ctx.io.print(renderListener(ctx.session.config.pending.listener).split('\n').slice(3).join('\n'));
    const op = await ctx.io.menu([
      { keyword: 'NEW', description: 'Accept mail for a new domain.' },
      { keyword: 'DELETE', description: 'Remove a domain.' },
    ]);
    if (op === null) return;
    if (op === 'NEW') {
      const d = await ctx.io.text('Enter the domain to accept mail for (example.com or .example.com).', { validate: dialogCheck(RAT_ENTRY) });
      ctx.session.config.edit((c) => {
        if (!c.listener.acceptDomains.includes(d.toLowerCase())) c.listener.acceptDomains.push(d.toLowerCase());
      });
    } else {
      const list = ctx.session.config.pending.listener.acceptDomains;
      const i = await ctx.io.list('Choose the domain to remove.', list, { allowBlank: true });
      if (i !== null) ctx.session.config.edit((c) => void c.listener.acceptDomains.splice(i, 1));
    }
  }
}

export const listenerconfigCommand: CommandSpec = {
  name: 'listenerconfig',
  summary: 'Configure mail listeners (address, port, accepted domains).',
  help: [
    'listenerconfig [--name NAME] [--bind ADDRESS] [--port N] [--max-message-size BYTES]',
    '               [--accept-domain DOMAIN...] [--remove-domain DOMAIN...] [--json]',
    '',
    'The listener binds to 127.0.0.1 by default. Its Recipient Access Table accepts mail for the',
    'listed domains and rejects all other recipients. Examples:',
    '  listenerconfig --accept-domain partner.example',
    '  segsim listenerconfig --port 2600',
  ].join('\n'),
  configures: true,
  json: 'the listener',
  flags: [
    { flags: '--name <name>', description: 'listener name' },
    { flags: '--bind <address>', description: 'IP address to listen on' },
    { flags: '--port <port>', description: 'TCP port (0 = any free port)', number: PORT },
    { flags: '--max-message-size <bytes>', description: 'largest message accepted', number: MESSAGE_SIZE },
    { flags: '--accept-domain <domain>', description: 'accept mail for this domain (repeatable)', repeatable: true },
    { flags: '--remove-domain <domain>', description: 'stop accepting this domain (repeatable)', repeatable: true },
  ],
  async run(ctx, { flags }) {
    const config = ctx.session.config;
    const changes = ['name', 'bind', 'port', 'maxMessageSize', 'acceptDomain', 'removeDomain'].filter((k) => flags[k] !== undefined);
    if (changes.length > 0) {
      if (flags.bind !== undefined && checkBind(String(flags.bind))) throw new UserError(`Invalid bind address "${String(flags.bind)}".`, ErrorCodes.invalidValue);
      if (flags.name !== undefined) checkValue(LISTENER_NAME, String(flags.name));
      const port = flags.port === undefined ? undefined : parseDecimal(flags.port, { name: '--port', ...PORT });
      const size = flags.maxMessageSize === undefined ? undefined : parseDecimal(flags.maxMessageSize, { name: '--max-message-size', ...MESSAGE_SIZE });
      const add = ((flags.acceptDomain as string[]) ?? []).map(checkDomain);
      const remove = ((flags.removeDomain as string[]) ?? []).map((d) => d.toLowerCase());
      config.edit((c) => {
        if (flags.name !== undefined) c.listener.name = String(flags.name);
        if (flags.bind !== undefined) c.listener.bindAddress = String(flags.bind);
        if (port !== undefined) c.listener.port = port;
        if (size !== undefined) c.listener.maxMessageSize = size;
        for (const d of remove) {
          if (!c.listener.acceptDomains.includes(d)) throw new UserError(`The listener does not accept ${d}.`, ErrorCodes.notFound);
          c.listener.acceptDomains.splice(c.listener.acceptDomains.indexOf(d), 1);
        }
        for (const d of add) if (!c.listener.acceptDomains.includes(d)) c.listener.acceptDomains.push(d);
      });
      return;
    }
    if (ctx.json || !ctx.interactive) {
      const listener = config.pending.listener;
      return { data: listener, render: (io) => io.print(renderListener(listener)) };
    }
    for (;;) {
      ctx.io.print(renderListener(config.pending.listener));
      const op = await ctx.io.menu([
        { keyword: 'EDIT', description: 'Modify the listener.' },
        { keyword: 'RCPTACCESS', description: 'Modify the Recipient Access Table (accepted domains).' },
      ]);
      if (op === null) return;
      if (op === 'RCPTACCESS') {
        await ratDialog(ctx);
        continue;
      }
      const l = config.pending.listener;
      const name = await ctx.io.text('Please create a name for this listener.', { default: l.name, validate: dialogCheck(LISTENER_NAME) });
      const bind = await ctx.io.text('Please enter the IP address to listen on.', { default: l.bindAddress, validate: checkBind });
      const port = await ctx.io.number('Please enter the TCP port for this listener.', { ...PORT, default: l.port });
      const size = await ctx.io.number('Please enter the maximum message size in bytes.', { ...MESSAGE_SIZE, default: l.maxMessageSize });
      config.edit((c) => Object.assign(c.listener, { name, bindAddress: bind, port, maxMessageSize: size }));
    }
  },
};
