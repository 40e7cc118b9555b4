import { WEB_PORT, type ApplianceConfig } from '../engine/config/model.js';
import { MANAGEMENT_INTERFACE as IF } from '../engine/ip-interfaces.js';
import { parseDecimal } from './numbers.js';
import type { CommandSpec } from './types.js';

const PORT_RULE = { name: '--https-port', min: 0, max: 65535 };

/** The interface list, with where the web interface and the SETD portal are served. */
export function renderInterfaces(config: Readonly<ApplianceConfig>, running: { url: string } | null): string {
  const port = config.lab.webPort ?? WEB_PORT;
  return [
    'Currently configured interfaces:',
    `1. ${IF.name} (${IF.address}/${IF.prefixLength} on ${IF.device}: ${config.hostname})`,
    `   HTTPS: port ${port}${port === 0 ? ' (any free port)' : ''}: the web interface and the SETD portal (/setd/)`,
    running ? `   Web interface: ${running.url} (user admin; "passwd" sets the password)` : '   Web interface: not running (it runs with the appliance: "segsim" or "segsim start")',
  ].join('\n');
}

export const interfaceconfigCommand: CommandSpec = {
  name: 'interfaceconfig',
  summary: 'Configure the interface: where the web interface (HTTPS) listens.',
  help: [
    'interfaceconfig [--https-port N] [--json]',
    '',
    'The lab appliance has one interface, Management on 127.0.0.1: its HTTPS port serves the web',
    'interface (log in as admin) and the SETD portal (/setd/). The default port is 8443; 0 takes any',
    'free port. A new port applies when committed: the web interface moves to it (browsers log in',
    'again). Examples:',
    '  interfaceconfig',
    '  interfaceconfig --https-port 9443',
  ].join('\n'),
  configures: true,
  flags: [
    { flags: '--https-port <port>', description: 'the HTTPS port of the web interface (0 = any free port)' },
    { flags: '--json', description: 'print the interface as JSON' },
  ],
  async run(ctx, { flags }) {
    const config = ctx.session.config;
    const setPort = (port: number) => config.edit((c) => void (c.lab.webPort = port));
    if (flags.httpsPort !== undefined) return setPort(parseDecimal(flags.httpsPort, PORT_RULE));
    if (flags.json) {
      ctx.io.print(JSON.stringify({ name: IF.name, address: IF.address, httpsPort: config.pending.lab.webPort ?? WEB_PORT, url: ctx.appliance.web?.url ?? null }, null, 2));
      return;
    }
    ctx.io.print(renderInterfaces(config.pending, ctx.appliance.web));
    if (!ctx.interactive) return;
    const op = await ctx.io.menu([{ keyword: 'EDIT', description: 'Modify the HTTPS port of the interface.' }]);
    if (op === 'EDIT') setPort(await ctx.io.number('Which port do you want to use for HTTPS?', { default: config.pending.lab.webPort ?? WEB_PORT, min: 0, max: 65535 }));
  },
};
