import { modeName, type ClusterMode } from '../engine/cluster/levels.js';
import { ErrorCodes, UserError } from '../errors.js';
import { renderConnections } from './cluster-screens.js';
import { resolveMode, sessionMode, switchMode } from '../engine/operations/cluster-mode.js';
import type { CommandContext, CommandSpec } from './types.js';

function requireCluster(ctx: CommandContext) {
  const doc = ctx.appliance.cluster.doc;
  if (!doc) throw new UserError('This command is only available on cluster system.', ErrorCodes.conflict);
  return doc;
}

export const clustermodeCommand: CommandSpec = {
  name: 'clustermode',
  summary: 'Set which level of the cluster configuration commands edit.',
  help: [
    'clustermode [cluster | group [NAME] | machine [NAME]]',
    '',
    'Settings live at Cluster, Group or Machine level; a machine runs on the most specific level that',
    "holds a setting (Machine over Group over Cluster). The mode is this session's own and shows in",
    'the prompt: (Cluster Hosted_Cluster)>, (Group Main_Group)>, (Machine esa1.example.com)>.',
    'Without a name, machine is the machine you are logged in to and group its group. Switch with no',
    'uncommitted changes (commit or clear first). One-shot runs take --mode instead. Examples:',
    '  clustermode machine esa1.example.com',
    '  clustermode cluster',
  ].join('\n'),
  args: '[level] [name]',
  async run(ctx, { args }) {
    const doc = requireCluster(ctx);
    if (args[0]) {
      switchMode(ctx.appliance, ctx.session, resolveMode(doc, args[0], args[1]));
      return;
    }
    if (!ctx.interactive) {
      const mode = sessionMode(ctx.appliance, ctx.session);
      ctx.io.print(mode ? modeName(mode, doc.name) : '');
      return;
    }
    const current = sessionMode(ctx.appliance, ctx.session)!;
    const levels = ['Cluster', 'Group', 'Machine'];
    ctx.io.print(`\nYou are currently in ${modeName(current, doc.name)} mode.\n`);
    const level = await ctx.io.list('Choose the configuration mode.', levels, {
      default: levels.indexOf(current.level === 'cluster' ? 'Cluster' : current.level === 'group' ? 'Group' : 'Machine') + 1,
    });
    let mode: ClusterMode = { level: 'cluster' };
    if (level === 1) {
      const groups = doc.shared.groups;
      const i = await ctx.io.list('\nChoose the group to configure.', groups, { default: 1 });
      mode = { level: 'group', name: groups[i ?? 0]! };
    } else if (level === 2) {
      const machines = doc.shared.members.map((m) => m.name);
      const i = await ctx.io.list('\nChoose a machine.', machines, { default: machines.indexOf(doc.self) + 1 });
      mode = { level: 'machine', name: machines[i ?? 0]! };
    }
    switchMode(ctx.appliance, ctx.session, mode);
  },
};

export const clustercheckCommand: CommandSpec = {
  name: 'clustercheck',
  summary: 'Check the connections and the configuration of the machines in the cluster.',
  help: 'clustercheck\n\nShows which machines are connected. A disconnected machine gets the changes made meanwhile when it\ncomes back (see docs/cluster.md: the conflict rule).',
  async run(ctx) {
    const doc = requireCluster(ctx);
    await ctx.appliance.cluster.syncAll();
    const members = ctx.appliance.cluster.members();
    ctx.io.print(renderConnections(doc, members));
    const away = members.filter((m) => !m.self && !m.connected);
    ctx.io.print(
      away.length === 0
        ? 'No inconsistencies found on available machines.'
        : `Disconnected: ${away.map((m) => m.name).join(', ')}. ${away.length === 1 ? 'It gets' : 'They get'} the changes committed meanwhile when ${away.length === 1 ? 'it comes' : 'they come'} back.`,
    );
  },
};
