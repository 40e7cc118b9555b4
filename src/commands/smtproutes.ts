import type { SmtpRoute } from '../engine/config/model.js';
import { clearRoutes, deleteRoute, setRoute, splitDestinations } from '../engine/operations/routes.js';
import { SettingError } from '../engine/operations/setting-error.js';
import { ErrorCodes, UserError } from '../errors.js';
import { withFlagHints } from './flag-hints.js';
import type { CommandSpec } from './types.js';

export function renderRoutes(routes: SmtpRoute[]): string {
  if (routes.length === 0) return 'There are no SMTP routes configured.';
  return ['Host routes:', ...routes.map((r) => `${r.domain.padEnd(30)} ${r.destinations.join(', ')}`)].join('\n');
}

/** The dialog's words for a route that is there already: EDIT changes it. */
function dialogWords(error: SettingError): string {
  return error.setting === 'route.domain' && error.code === ErrorCodes.conflict ? `${error.message.replace(/\.$/, '')}: use EDIT.` : error.message;
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
    if (flags.add !== undefined) withFlagHints({ 'route.destinations': 'give --dest' }, () => setRoute(ctx, String(flags.add), (flags.dest as string[]) ?? [], true));
    if (flags.delete !== undefined) deleteRoute(ctx, String(flags.delete));
    if (flags.clear) clearRoutes(ctx);
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
              : config.pending.smtpRoutes[
                  (await ctx.io.list(
                    'Choose the route to edit.',
                    config.pending.smtpRoutes.map((r) => r.domain),
                  )) ?? 0
                ]?.domain;
          if (!domain) continue;
          const dests = await ctx.io.text('Enter the destination hosts, separated by commas, or /dev/null.');
          setRoute(ctx, domain, splitDestinations(dests), op === 'EDIT');
        } else if (op === 'DELETE') {
          const i = await ctx.io.list(
            'Choose the route to delete.',
            config.pending.smtpRoutes.map((r) => r.domain),
            { allowBlank: true },
          );
          if (i !== null) deleteRoute(ctx, config.pending.smtpRoutes[i]!.domain);
        } else if (op === 'CLEAR') {
          if (await ctx.io.yesno('Are you sure you want to delete all routes?', false)) clearRoutes(ctx);
        }
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        ctx.io.print(error instanceof SettingError ? dialogWords(error) : error.message);
      }
    }
  },
};
