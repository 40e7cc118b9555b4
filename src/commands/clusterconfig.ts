import { CCS_PORT, clusterNameProblem } from '../engine/cluster/levels.js';
import { screenDate } from '../engine/time-format.js';
import { ErrorCodes, UserError } from '../errors.js';
import { renderClusterList, renderConnections } from './cluster-screens.js';
import { requireLive } from './live.js';
import type { CommandContext, CommandSpec } from './types.js';

const PORT = { min: 0, max: 65535 };

/** `127.0.0.1:2222` (or a port alone, on loopback): members talk over loopback only. */
export function parseMemberAddress(text: string): { host: string; port: number } {
  const m = /^(?:(127\.0\.0\.1|localhost):)?(\d{1,5})$/.exec(text.trim());
  const port = m ? Number(m[2]) : NaN;
  if (!m || port < 1 || port > 65535) throw new UserError(`Invalid cluster address "${text}": give 127.0.0.1:PORT (members talk over loopback only).`, ErrorCodes.invalidValue);
  return { host: '127.0.0.1', port };
}

const nameProblem = (name: string): string | null => clusterNameProblem(name);

async function create(ctx: CommandContext, name: string, port: number): Promise<void> {
  const problem = nameProblem(name);
  if (problem) throw new UserError(`Invalid cluster name "${name}": ${problem}.`, ErrorCodes.invalidValue);
  const secret = await ctx.appliance.cluster.create(name, port);
  const self = ctx.appliance.cluster.doc!.self;
  ctx.session.mode = { level: 'cluster' };
  ctx.io.print(
    [
      '',
      `Other machines will communicate with Machine ${self} using IP address 127.0.0.1 port ${ctx.appliance.cluster.port}. Give them this join secret:`,
      `  ${secret}`,
      `  (clusterconfig join --address 127.0.0.1:${ctx.appliance.cluster.port} --secret ${secret})`,
      '',
      `New cluster committed: ${screenDate(ctx.appliance.clock.now())}`,
      'Creating a cluster takes effect immediately, there is no need to commit.',
    ].join('\n'),
  );
}

async function join(ctx: CommandContext, address: { host: string; port: number }, secret: string, port: number): Promise<void> {
  const doc = await ctx.appliance.cluster.join(address, secret.trim().toLowerCase(), port);
  ctx.session.mode = { level: 'cluster' };
  ctx.io.print(
    `\nJoined cluster ${doc.name} as Machine ${doc.self} (group ${doc.shared.members.find((m) => m.name === doc.self)!.group}).\nJoining a cluster takes effect immediately, there is no need to commit.`,
  );
}

/** The standalone dialog: `Do you want to join or create a cluster?` */
async function standaloneDialog(ctx: CommandContext): Promise<void> {
  const choice = await ctx.io.list('Do you want to join or create a cluster?', ['No, configure as standalone.', 'Create a new cluster.', 'Join an existing cluster over CCS.'], { default: 1 });
  if (choice === 0 || choice === null) return;
  const port = await ctx.io.number(`Enter the port to use for the Cluster Communication Service on ${ctx.appliance.configuration.current.hostname}.`, { default: CCS_PORT, ...PORT });
  if (choice === 1) {
    const name = await ctx.io.text('\nEnter the name of the new cluster.', { check: nameProblem });
    return create(ctx, name, port);
  }
  ctx.io.print('\nWARNING: All non-network settings will be lost. System will inherit the values set at the group or cluster mode for the non-network settings.');
  const remote = await ctx.io.number('Enter the Cluster Communication Service port of a machine in the cluster (on 127.0.0.1).', { default: CCS_PORT, min: 1, max: 65535 });
  const secret = await ctx.io.text('Enter the join secret the cluster printed when it was created.', {
    check: (s) => (/^[0-9a-fA-F]{64}$/.test(s.trim()) ? null : 'the join secret is 64 hexadecimal digits'),
  });
  return join(ctx, { host: '127.0.0.1', port: remote }, secret, port);
}

/** The clustered dialog: operations on the cluster. */
async function clusterDialog(ctx: CommandContext): Promise<void> {
  for (;;) {
    const doc = ctx.appliance.cluster.doc;
    if (!doc) return;
    ctx.io.print(`\nCluster ${doc.name}`);
    const op = await ctx.io.menu([
      { keyword: 'ADDGROUP', description: 'Add a cluster group.' },
      { keyword: 'SETGROUP', description: 'Set the group that machines are a member of.' },
      { keyword: 'REMOVEMACHINE', description: 'Remove a machine from the cluster.' },
      { keyword: 'LIST', description: 'List the machines in the cluster.' },
      { keyword: 'CONNSTATUS', description: 'Show the status of connections between machines in the cluster.' },
      { keyword: 'DISCONNECT', description: 'Temporarily detach machines from the cluster.' },
      { keyword: 'RECONNECT', description: 'Restore connections with machines that were previously detached.' },
    ]);
    if (op === null) return;
    if (op === 'LIST') ctx.io.print(renderClusterList(doc, ctx.appliance.cluster.members()));
    else if (op === 'CONNSTATUS') ctx.io.print(renderConnections(doc, ctx.appliance.cluster.members()));
    else if (op === 'ADDGROUP') {
      const name = await ctx.io.text('Enter the name of the new cluster group to create.', { check: groupProblem, allowBlank: true });
      if (name) await addGroup(ctx, name);
    } else if (op === 'SETGROUP') {
      const names = doc.shared.members.map((m) => `${m.name} (group ${m.group})`);
      const index = await ctx.io.list('Choose the machine to move to another group.', names, { allowBlank: true });
      if (index === null) continue;
      const machine = doc.shared.members[index]!;
      const groups = doc.shared.groups.filter((g) => g !== machine.group);
      if (groups.length === 0) {
        ctx.io.print(`Cluster ${doc.name} has no other group: add one first (ADDGROUP).`);
        continue;
      }
      const to = await ctx.io.list(`Choose the group to move ${machine.name} into.`, groups, { allowBlank: true });
      if (to !== null) await setGroup(ctx, machine.name, groups[to]!);
    } else if (op === 'DISCONNECT' || op === 'RECONNECT') {
      const away = op === 'RECONNECT';
      const names = doc.shared.members.filter((m) => (m.disconnected === true) === away).map((m) => m.name);
      if (names.length === 0) {
        ctx.io.print(away ? 'No machine is disconnected.' : 'Every machine is disconnected.');
        continue;
      }
      const index = await ctx.io.list(`Choose the machine to ${away ? 'reconnect to' : 'disconnect from'} the cluster.`, names, { allowBlank: true });
      if (index !== null) await (away ? reconnect(ctx, names[index]!) : disconnect(ctx, names[index]!));
    } else {
      const names = doc.shared.members.map((m) => m.name);
      const index = await ctx.io.list('Choose the machine to remove from the cluster.', names, { allowBlank: true });
      if (index === null) continue;
      await remove(ctx, names[index]!);
    }
  }
}

const groupProblem = (name: string): string | null => clusterNameProblem(name, 'group');

async function addGroup(ctx: CommandContext, name: string): Promise<void> {
  await ctx.appliance.cluster.addGroup(name, ctx.session.config.owner);
  ctx.io.print(
    `Group ${name} added to cluster ${ctx.appliance.cluster.doc!.name}. It holds no settings until you configure it in Group mode (clustermode group ${name}). The change takes effect immediately, there is no need to commit.`,
  );
}

async function setGroup(ctx: CommandContext, machine: string, group: string): Promise<void> {
  await ctx.appliance.cluster.setGroup(machine, group, ctx.session.config.owner);
  ctx.io.print(`Machine ${machine} is now in group ${group}: it runs on that group's settings where it has no Machine-level ones. The change takes effect immediately, there is no need to commit.`);
}

async function remove(ctx: CommandContext, name: string): Promise<void> {
  await ctx.appliance.cluster.removeMember(name, ctx.session.config.owner);
  ctx.io.print(`Machine ${name} removed from the cluster. The change takes effect immediately, there is no need to commit.`);
}

async function disconnect(ctx: CommandContext, machine: string): Promise<void> {
  const name = await ctx.appliance.cluster.disconnect(machine, ctx.session.config.owner);
  ctx.io.print(
    `Machine ${name} is disconnected from the cluster: no changes go to it or come from it until "clusterconfig reconnect ${name}". The change takes effect immediately, there is no need to commit.`,
  );
}

async function reconnect(ctx: CommandContext, machine: string): Promise<void> {
  const name = await ctx.appliance.cluster.reconnect(machine, ctx.session.config.owner);
  ctx.io.print(`Machine ${name} is reconnected to the cluster and has its changes. The change takes effect immediately, there is no need to commit.`);
}

function requireCluster(ctx: CommandContext) {
  const doc = ctx.appliance.cluster.doc;
  if (!doc) throw new UserError('This command is only available on cluster system: create or join a cluster first ("clusterconfig create", "clusterconfig join").', ErrorCodes.conflict);
  return doc;
}

export const clusterconfigCommand: CommandSpec = {
  name: 'clusterconfig',
  summary: 'Configure cluster related settings.',
  help: [
    'clusterconfig [create|join|list|connstatus|addgroup|setgroup|removemachine|disconnect|reconnect]',
    '',
    'Without a subcommand: on a standalone appliance, asks whether to create or join a cluster; on a',
    'clustered one, offers ADDGROUP, SETGROUP, REMOVEMACHINE, LIST, CONNSTATUS, DISCONNECT and RECONNECT.',
    'Members talk over 127.0.0.1 only, on the Cluster Communication Service port (AsyncOS default 2222),',
    'and prove they know the join secret that "create" prints. Creating, joining, removing, group changes,',
    'disconnecting and reconnecting take effect at once (no commit). A disconnected machine gets no',
    'changes until it is reconnected; then it gets those made meanwhile.',
    "A machine runs on its own group's Group-level settings. Examples:",
    '  clusterconfig create --name Hosted_Cluster --port 2222',
    '  clusterconfig join --address 127.0.0.1:2222 --secret 3f9a... --port 2223',
    '  clusterconfig list',
    '  clusterconfig addgroup Partners',
    '  clusterconfig setgroup esa2.example.com Partners',
    '  clusterconfig removemachine esa2.example.com',
    '  clusterconfig disconnect esa2.example.com',
    '  clusterconfig reconnect esa2.example.com',
  ].join('\n'),
  subcommands: [
    {
      name: 'create',
      summary: 'Create a new cluster of this machine.',
      flags: [
        { flags: '--name <name>', description: 'the cluster name, e.g. Hosted_Cluster' },
        { flags: '--port <port>', description: 'Cluster Communication Service port of this machine (0: any free port)', number: PORT },
      ],
    },
    {
      name: 'join',
      summary: 'Join an existing cluster over CCS.',
      flags: [
        { flags: '--address <host:port>', description: "a member's Cluster Communication Service, 127.0.0.1:PORT" },
        { flags: '--secret <hex>', description: 'the join secret "clusterconfig create" printed' },
        { flags: '--port <port>', description: 'Cluster Communication Service port of this machine (0: any free port)', number: PORT },
      ],
    },
    { name: 'list', summary: 'List the machines in the cluster.' },
    { name: 'connstatus', summary: 'Show the status of connections between machines in the cluster.' },
    { name: 'addgroup', summary: 'Add a cluster group.', args: '<group>' },
    { name: 'setgroup', summary: 'Set the group that a machine is a member of.', args: '<machine> <group>' },
    { name: 'removemachine', summary: 'Remove a machine from the cluster.', args: '<machine>' },
    { name: 'disconnect', summary: 'Temporarily detach a machine from the cluster.', args: '<machine>' },
    { name: 'reconnect', summary: 'Restore the connection with a machine that was detached.', args: '<machine>' },
  ],
  runsWithoutSubcommand: true,
  async run(ctx, { args, flags }) {
    const sub = args[0];
    if (sub === 'list' || sub === 'connstatus') {
      const doc = requireCluster(ctx);
      const members = ctx.appliance.cluster.members();
      ctx.io.print(sub === 'list' ? renderClusterList(doc, members) : renderConnections(doc, members));
      return;
    }
    if (sub === 'removemachine' || sub === 'addgroup' || sub === 'setgroup' || sub === 'disconnect' || sub === 'reconnect') {
      requireCluster(ctx);
      requireLive(ctx, `clusterconfig ${sub}`);
      if (sub === 'addgroup') return addGroup(ctx, args[1]!);
      if (sub === 'setgroup') return setGroup(ctx, args[1]!, args[2]!);
      if (sub === 'disconnect') return disconnect(ctx, args[1]!);
      if (sub === 'reconnect') return reconnect(ctx, args[1]!);
      return remove(ctx, args[1]!);
    }
    requireLive(ctx, 'clusterconfig');
    const port = typeof flags.port === 'number' ? flags.port : CCS_PORT;
    if (sub === 'create') {
      if (typeof flags.name !== 'string') throw new UserError('clusterconfig create needs --name NAME.', ErrorCodes.usage);
      return create(ctx, flags.name, port);
    }
    if (sub === 'join') {
      if (typeof flags.address !== 'string' || typeof flags.secret !== 'string') throw new UserError('clusterconfig join needs --address 127.0.0.1:PORT and --secret HEX.', ErrorCodes.usage);
      return join(ctx, parseMemberAddress(flags.address), flags.secret, port);
    }
    if (!ctx.interactive) throw new UserError('clusterconfig needs a subcommand here: create, join, list, connstatus or removemachine. Enter "segsim help clusterconfig".', ErrorCodes.usage);
    return ctx.appliance.cluster.doc ? clusterDialog(ctx) : standaloneDialog(ctx);
  },
};
