import type { SmtpRoute } from '../engine/config/model.js';
import { isDomain } from '../engine/config/validate.js';
import { ErrorCodes, UserError } from '../errors.js';
import type { CommandContext, CommandSpec } from './types.js';

function checkRouteDomain(d: string): string {
  if (d.toUpperCase() === 'ALL') return 'ALL';
  if (!isDomain(d.replace(/^\./, ''))) throw new UserError(`Invalid route domain "${d}": enter a domain, .partial.domain or ALL.`, ErrorCodes.invalidValue);
  return d.toLowerCase();
}

function checkDestinations(list: string[]): string[] {
  if (list.length === 0) throw new UserError('A route needs at least one destination host (or /dev/null).', ErrorCodes.invalidValue);
  if (list.includes('/dev/null') && list.length > 1) throw new UserError('/dev/null must be the only destination of a route.', ErrorCodes.invalidValue);
  for (const d of list) {
    if (d === '/dev/null') continue;
    const m = /^(\[[^\]]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(d);
    if (!m || (m[2] !== undefined && (Number(m[2]) < 1 || Number(m[2]) > 65535))) throw new UserError(`Invalid destination "${d}": use host, host:port or /dev/null.`, ErrorCodes.invalidValue);
  }
  return list;
}

export function renderRoutes(routes: SmtpRoute[]): string {
  if (routes.length === 0) return 'There are no SMTP routes configured.';
  return ['Host routes:', ...routes.map((r) => `${r.domain.padEnd(30)} ${r.destinations.join(', ')}`)].join('\n');
}

function addRoute(ctx: CommandContext, domain: string, destinations: string[], replace: boolean): void {
  const d = checkRouteDomain(domain);
  const dests = checkDestinations(destinations);
  ctx.session.config.edit((c) => {
    const existing = c.smtpRoutes.find((r) => r.domain === d);
    if (existing && !replace) throw new UserError(`There is already a route for ${d}: use EDIT (or --add again to replace it).`, ErrorCodes.conflict);
    if (existing) existing.destinations = dests;
    else c.smtpRoutes.push({ domain: d, destinations: dests });
  });
}

export const smtproutesCommand: CommandSpec = {
  name: 'smtproutes',
  summary: 'Set up permanent domain redirections (SMTP routes).',
  help: [
    'smtproutes [--add DOMAIN --dest HOST[:PORT]...] [--delete DOMAIN] [--clear] [--list] [--json]',
    '',
    'Routes send mail for a domain (or .partial.domain, or ALL) to the given hosts in order, or',
    'discard it with /dev/null. The lab knows exchange.lab (its mail server) and the SETD intake',
    'domains; any other host must be on this machine. Examples:',
    '  smtproutes --add partner.example --dest exchange.lab:25',
    '  smtproutes --add beta.cmd.cisco.com --dest 127.0.0.1:2465',
  ].join('\n'),
  configures: true,
  json: 'the routes',
  flags: [
    { flags: '--add <domain>', description: 'add (or replace) the route of a domain' },
    { flags: '--dest <host>', description: 'destination host[:port] or /dev/null (repeatable)', repeatable: true, needs: ['--add'] },
    { flags: '--delete <domain>', description: 'delete the route of a domain' },
    { flags: '--clear', description: 'delete every route' },
    { flags: '--list', description: 'print the routes' },
  ],
  async run(ctx, { flags }) {
    const config = ctx.session.config;
    if (flags.add !== undefined) addRoute(ctx, String(flags.add), (flags.dest as string[]) ?? [], true);
    if (flags.delete !== undefined) {
      const d = String(flags.delete).toLowerCase();
      config.edit((c) => {
        const i = c.smtpRoutes.findIndex((r) => r.domain.toLowerCase() === d);
        if (i < 0) throw new UserError(`There is no route for ${d}.`, ErrorCodes.notFound);
        c.smtpRoutes.splice(i, 1);
      });
    }
    if (flags.clear) config.edit((c) => void (c.smtpRoutes = []));
    const acted = flags.add !== undefined || flags.delete !== undefined || flags.clear;
    if (ctx.json || flags.list || (!acted && !ctx.interactive)) {
      const routes = config.pending.smtpRoutes;
      return { data: routes, render: (io) => io.print(renderRoutes(routes)) };
    }
    if (acted) return;
    for (;;) {
      ctx.io.print(renderRoutes(config.pending.smtpRoutes));
      const op = await ctx.io.menu([
        { keyword: 'NEW', description: 'Create a new route.' },
        { keyword: 'EDIT', description: 'Edit destinations of an existing route.' },
        { keyword: 'DELETE', description: 'Remove a route.' },
        { keyword: 'PRINT', description: 'Display all routes.' },
        { keyword: 'CLEAR', description: 'Remove all routes.' },
      ]);
      if (op === null) return;
      try {
        if (op === 'NEW' || op === 'EDIT') {
          const domain =
            op === 'NEW'
              ? await ctx.io.text('Enter the domain for which you want to set up a permanent route.')
              : config.pending.smtpRoutes[(await ctx.io.list('Choose the route to edit.', config.pending.smtpRoutes.map((r) => r.domain))) ?? 0]?.domain;
          if (!domain) continue;
          const dests = await ctx.io.text('Enter the destination hosts, separated by commas, or /dev/null.');
          addRoute(ctx, domain, dests.split(/[\s,]+/).filter(Boolean), op === 'EDIT');
        } else if (op === 'DELETE') {
          const i = await ctx.io.list('Choose the route to delete.', config.pending.smtpRoutes.map((r) => r.domain), { allowBlank: true });
          if (i !== null) config.edit((c) => void c.smtpRoutes.splice(i, 1));
        } else if (op === 'CLEAR') {
          if (await ctx.io.yesno('Are you sure you want to delete all routes?', false)) config.edit((c) => void (c.smtpRoutes = []));
        }
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        ctx.io.print(error.message);
      }
    }
  },
};
