import { API_PORT, SSH_PORT, WEB_PORT, type ApplianceConfig } from '../engine/config/model.js';
import { MANAGEMENT_INTERFACE as IF } from '../engine/ip-interfaces.js';
import { parseDecimal } from './numbers.js';
import type { CommandSpec } from './types.js';

type LabPorts = ApplianceConfig['lab'];

/** A service the interface serves on a port of its own: one row of the screen, one flag, one menu choice. */
interface PortRow {
  /** the flag that sets it (`--https-port`), and commander's name of its value */
  flag: string;
  option: string;
  /** the screen's word for it, and the dialog's */
  label: string;
  /** what it serves */
  serves: string;
  key: keyof LabPorts;
  /** when the configuration names none (homes made before it) */
  fallback: number;
}

const PORTS: readonly PortRow[] = [
  { flag: '--https-port', option: 'httpsPort', label: 'HTTPS', serves: 'the web interface and the SETD portal (/setd/)', key: 'webPort', fallback: WEB_PORT },
  { flag: '--api-port', option: 'apiPort', label: 'AsyncOS API HTTPS', serves: 'the AsyncOS API (/esa/api/v2.0/)', key: 'apiPort', fallback: API_PORT },
  { flag: '--ssh-port', option: 'sshPort', label: 'SSH', serves: 'the command line over SSH (ssh admin@127.0.0.1)', key: 'sshPort', fallback: SSH_PORT },
];

const portOf = (lab: LabPorts, row: PortRow): number => lab[row.key] ?? row.fallback;

/** The interface list, with what is served on which port. */
export function renderInterfaces(config: Readonly<ApplianceConfig>, running: { url: string } | null): string {
  return [
    'Currently configured interfaces:',
    `1. ${IF.name} (${IF.address}/${IF.prefixLength} on ${IF.device}: ${config.hostname})`,
    ...PORTS.map((row) => {
      const port = portOf(config.lab, row);
      return `   ${row.label}: port ${port}${port === 0 ? ' (any free port)' : ''}: ${row.serves}`;
    }),
    running ? `   Web interface: ${running.url} (user admin; "passwd" sets the password)` : '   Web interface: not running (it runs with the appliance: "segsim" or "segsim start")',
  ].join('\n');
}

export const interfaceconfigCommand: CommandSpec = {
  name: 'interfaceconfig',
  summary: 'Configure the interface: the ports its services listen on.',
  help: [
    `interfaceconfig ${PORTS.map((row) => `[${row.flag} N]`).join(' ')} [--json]`,
    '',
    'The lab appliance has one interface, Management on 127.0.0.1. Its services listen on ports of',
    'their own:',
    ...PORTS.map((row) => `  ${row.label} (default ${row.fallback}): ${row.serves}`),
    '0 takes any free port. A new port applies when committed, and a port that cannot be bound is',
    'refused at commit: the service moves to it (its logins end). Examples:',
    '  interfaceconfig',
    '  interfaceconfig --https-port 9443',
  ].join('\n'),
  configures: true,
  flags: [...PORTS.map((row) => ({ flags: `${row.flag} <port>`, description: `the port of ${row.serves} (0 = any free port)` })), { flags: '--json', description: 'print the interface as JSON' }],
  async run(ctx, { flags }) {
    const config = ctx.session.config;
    const setPort = (row: PortRow, port: number) => config.edit((c) => void (c.lab[row.key] = port));
    const given = PORTS.filter((row) => flags[row.option] !== undefined);
    if (given.length) {
      // every value checked before any is set: a bad one changes nothing
      const ports = given.map((row) => parseDecimal(String(flags[row.option]), { name: row.flag, min: 0, max: 65535 }));
      given.forEach((row, i) => setPort(row, ports[i]!));
      return;
    }
    if (flags.json) {
      const ports = Object.fromEntries(PORTS.map((row) => [row.option, portOf(config.pending.lab, row)]));
      ctx.io.print(JSON.stringify({ name: IF.name, address: IF.address, ...ports, url: ctx.appliance.web?.url ?? null }, null, 2));
      return;
    }
    ctx.io.print(renderInterfaces(config.pending, ctx.appliance.web));
    if (!ctx.interactive) return;
    const op = await ctx.io.menu([{ keyword: 'EDIT', description: 'Modify a port of the interface.' }]);
    if (op !== 'EDIT') return;
    const chosen =
      PORTS.length === 1
        ? 0
        : await ctx.io.list(
            'Choose the service whose port to change:',
            PORTS.map((r) => `${r.label}: ${r.serves}`),
            { default: 1 },
          );
    if (chosen === null) return;
    const row = PORTS[chosen]!;
    setPort(row, await ctx.io.number(`Which port do you want to use for ${row.label}?`, { default: portOf(config.pending.lab, row), min: 0, max: 65535 }));
  },
};
