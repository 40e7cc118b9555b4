import { sharedSetdOf, type SharedSetd } from '../engine/cluster/shared-setd.js';
import { type ApplianceConfig } from '../engine/config/model.js';
import { MANAGEMENT_INTERFACE as IF } from '../engine/ip-interfaces.js';
import { labPortOf, setLabPort, type LabPort } from '../engine/operations/lab-ports.js';
import { SettingError } from '../engine/operations/setting-error.js';
import { notValid } from '../conversation/conversation.js';
import { parseDecimal } from './numbers.js';
import type { CommandContext, CommandSpec } from './types.js';

/** Each port's flag, and its dialog operation and question. */
const PORTS: { part: LabPort; flag: string; key: string; keyword: string; description: string; question: string }[] = [
  { part: 'webPort', flag: '--https-port', key: 'httpsPort', keyword: 'EDIT', description: 'Modify the HTTPS port of the interface.', question: 'Which port do you want to use for HTTPS?' },
  {
    part: 'apiPort',
    flag: '--api-port',
    key: 'apiPort',
    keyword: 'API',
    description: 'Modify the HTTPS port of the AsyncOS API.',
    question: 'Which port do you want to use for the AsyncOS API (HTTPS)?',
  },
  { part: 'sshPort', flag: '--ssh-port', key: 'sshPort', keyword: 'SSH', description: 'Modify the SSH port of the interface.', question: 'Which port do you want to use for SSH?' },
  {
    part: 'mailServerPort',
    flag: '--mail-server-port',
    key: 'mailServerPort',
    keyword: 'MAILSERVER',
    description: 'Modify the port of the lab mail server (exchange.lab).',
    question: 'Which port do you want the lab mail server to listen on?',
  },
  { part: 'setdPort', flag: '--setd-port', key: 'setdPort', keyword: 'SETD', description: 'Modify the port of the SETD emulator.', question: 'Which port do you want the SETD emulator to listen on?' },
];

const anyFree = (port: number) => (port === 0 ? ' (any free port)' : '');

/** The interface list, with where the web interface and the SETD portal are served, and the lab's own servers. */
export function renderInterfaces(config: Readonly<ApplianceConfig>, running: { url: string } | null, shared: SharedSetd | null = null): string {
  const [port, api, ssh] = [labPortOf(config, 'webPort'), labPortOf(config, 'apiPort'), labPortOf(config, 'sshPort')];
  return [
    'Currently configured interfaces:',
    `1. ${IF.name} (${IF.address}/${IF.prefixLength} on ${IF.device}: ${config.hostname})`,
    `   HTTPS: port ${port}${anyFree(port)}: the web interface and the SETD portal (/setd/)`,
    `   AsyncOS API HTTPS: port ${api}${anyFree(api)}: the AsyncOS API (/esa/api/v2.0/)`,
    `   SSH: port ${ssh}${anyFree(ssh)}: the command line over SSH (ssh -p ${ssh || 'PORT'} admin@127.0.0.1)`,
    running ? `   Web interface: ${running.url} (user admin; "passwd" sets the password)` : '   Web interface: not running (it runs with the appliance: "segsim" or "segsim start")',
    '',
    'Lab servers:',
    `   Lab mail server exchange.lab: port ${config.lab.mailServerPort}${anyFree(config.lab.mailServerPort)}`,
    shared ? `   SETD emulator: the lab cluster's, port ${shared.port} (${shared.lab})` : `   SETD emulator: port ${config.lab.setdPort}${anyFree(config.lab.setdPort)}`,
  ].join('\n');
}

export const interfaceconfigCommand: CommandSpec = {
  name: 'interfaceconfig',
  summary: 'Configure the interface and the lab servers: where the web interface, the AsyncOS API, SSH, the lab mail server and the SETD emulator listen.',
  help: [
    'interfaceconfig [--https-port N] [--api-port N] [--ssh-port N] [--mail-server-port N] [--setd-port N] [--json]',
    '',
    'The lab appliance has one interface, Management on 127.0.0.1: its HTTPS port serves the web',
    'interface (log in as admin) and the SETD portal (/setd/), default 8443; the AsyncOS API has its',
    "own HTTPS port (default 6443) and SSH its port (default 2022, the appliance's 22). Beside it",
    'run the lab mail server exchange.lab (default 2526) and the SETD emulator (default 2465). 0',
    'takes any free port. A new port applies when committed, and a port that cannot be bound is',
    'refused then: the part moves to it (its logins end). A member of a lab cluster journals',
    "to the cluster's one SETD emulator and has none of its own. Examples:",
    '  interfaceconfig',
    '  interfaceconfig --https-port 9443',
    '  interfaceconfig --mail-server-port 2536 --setd-port 2475',
  ].join('\n'),
  configures: true,
  flags: [
    { flags: '--https-port <port>', description: 'the HTTPS port of the web interface (0 = any free port)' },
    { flags: '--api-port <port>', description: 'the HTTPS port of the AsyncOS API (0 = any free port)' },
    { flags: '--ssh-port <port>', description: 'the SSH port (0 = any free port)' },
    { flags: '--mail-server-port <port>', description: 'the port of the lab mail server exchange.lab (0 = any free port)' },
    { flags: '--setd-port <port>', description: 'the port of the SETD emulator (0 = any free port)' },
    { flags: '--json', description: 'print the interface and the lab servers as JSON' },
  ],
  async run(ctx, { flags }) {
    const config = ctx.session.config;
    const shared = sharedSetdOf(ctx.appliance.paths);
    const given = PORTS.filter((p) => flags[p.key] !== undefined);
    if (given.length > 0) {
      for (const p of given) setLabPort(ctx, p.part, parseDecimal(flags[p.key], { name: p.flag, min: 0, max: 65535 }), shared);
      return;
    }
    const c = config.pending;
    if (flags.json) {
      const json = {
        name: IF.name,
        address: IF.address,
        httpsPort: labPortOf(c, 'webPort'),
        apiPort: labPortOf(c, 'apiPort'),
        sshPort: labPortOf(c, 'sshPort'),
        url: ctx.appliance.web?.url ?? null,
        mailServerPort: c.lab.mailServerPort,
        setdPort: shared ? shared.port : c.lab.setdPort,
        sharedSetd: shared?.lab ?? null,
      };
      ctx.io.print(JSON.stringify(json, null, 2));
      return;
    }
    ctx.io.print(renderInterfaces(c, ctx.appliance.web, shared));
    if (!ctx.interactive) return;
    const offered = PORTS.filter((p) => !(p.part === 'setdPort' && shared));
    const op = await ctx.io.menu(offered.map((p) => ({ keyword: p.keyword, description: p.description })));
    const chosen = offered.find((p) => p.keyword === op);
    if (chosen) await askPort(ctx, chosen.part, chosen.question, shared);
  },
};

/** Asks for a port until the operation takes one. */
async function askPort(ctx: CommandContext, part: LabPort, question: string, shared: SharedSetd | null): Promise<void> {
  for (;;) {
    const port = await ctx.io.number(question, { default: labPortOf(ctx.session.config.pending, part), min: 0, max: 65535 });
    try {
      setLabPort(ctx, part, port, shared);
      return;
    } catch (error) {
      if (!(error instanceof SettingError)) throw error;
      ctx.io.print(notValid(error.problem));
    }
  }
}
