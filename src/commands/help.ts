import { ErrorCodes, UserError } from '../errors.js';
import { flagsOf } from './command-flags.js';
import type { CommandSpec, FlagSpec } from './types.js';

/** The groups `help` and `segsim --help` list the commands in, as the README does. */
export const COMMAND_GROUPS: readonly { title: string; names: readonly string[] }[] = [
  { title: 'Configuration', names: ['tdcconfig', 'policyconfig', 'listenerconfig', 'smtproutes', 'destconfig', 'sethostname', 'commit', 'clear', 'showchanges'] },
  {
    title: 'Watching and troubleshooting',
    names: [
      'tophosts',
      'hoststatus',
      'status',
      'resetcounters',
      'workqueue',
      'showrecipients',
      'deleterecipients',
      'delivernow',
      'suspenddel',
      'resumedel',
      'redirectrecipients',
      'tail',
      'grep',
      'findevent',
      'version',
    ],
  },
  { title: 'SETD and labs', names: ['setd', 'inject', 'lab'] },
  { title: 'Centralized management', names: ['clusterconfig', 'clustermode', 'clustercheck'] },
  { title: 'Sessions and the appliance', names: ['start', 'stop', 'who', 'sshconfig', 'help', 'quit'] },
];

const flagLines = (flags: readonly FlagSpec[], indent = '  ') => flags.map((f) => `${indent}${f.flags.padEnd(30)} ${f.description}`);

/** `help <command>` and `<command> --help`: the batch usage, the flags (per subcommand), aliases. */
export function commandHelp(spec: CommandSpec): string {
  const subs = (spec.subcommands ?? []).flatMap((s) => (flagsOf(s).length ? ['', `Flags of ${spec.name} ${s.name}:`, ...flagLines(flagsOf(s))] : []));
  return [
    `${spec.name}: ${spec.summary}`,
    ...(spec.aliases?.length ? [`Aliases: ${spec.aliases.join(', ')}`] : []),
    '',
    spec.help,
    ...(flagsOf(spec).length ? ['', 'Flags:', ...flagLines(flagsOf(spec))] : []),
    ...subs,
    ...(spec.configures ? ['', 'Configuration command: changes need "commit"; one-shot runs with flags commit at once (--comment, --dry-run; --mode: the cluster level).'] : []),
    '',
  ].join('\n');
}

/** The command list by group, one line each. */
function commandList(everything: readonly CommandSpec[]): string[] {
  const all = everything.filter((c) => !c.hidden);
  const width = Math.max(...all.map((c) => c.name.length)) + 2;
  const listed = new Set(COMMAND_GROUPS.flatMap((g) => g.names));
  const groups = [
    ...COMMAND_GROUPS.map((g) => ({ title: g.title, specs: g.names.map((n) => all.find((c) => c.name === n)).filter((c) => c !== undefined) })),
    { title: 'Other', specs: all.filter((c) => !listed.has(c.name)) },
  ];
  return groups.filter((g) => g.specs.length > 0).flatMap((g) => ['', `${g.title}:`, ...g.specs.map((c) => `  ${c.name.padEnd(width)}${c.summary}`)]);
}

/** `segsim --help`. */
export function programHelp(all: readonly CommandSpec[]): string {
  return [
    'Usage: segsim [--home DIR] [COMMAND [ARGS] [FLAGS]]',
    '',
    'With no command, opens the AsyncOS command line on the lab appliance of the home directory:',
    'attached to it when it runs already, else started here (a script on stdin is read line by line).',
    '"segsim start" runs the appliance headless; other segsim commands then talk to it.',
    '',
    'Options:',
    '  --home <dir>     the home directory (else SEGSIM_HOME, else the per-user default)',
    '  -V, --version    print the segsim version',
    '  -h, --help       show this help; "segsim COMMAND --help" shows a command\'s',
    ...commandList(all),
    '',
  ].join('\n');
}

/** `help` over a registry; built by the registry itself, which it lists. */
export function makeHelpCommand(commands: () => readonly CommandSpec[]): CommandSpec {
  return {
    name: 'help',
    aliases: ['h', '?'],
    summary: 'Help for commands.',
    help: 'help [COMMAND]\n\nWithout a command, lists all commands; with one, shows its batch usage and flags\n(the same text as "COMMAND --help").',
    args: '[command]',
    async run(ctx, { args }) {
      const all = commands();
      const wanted = args[0];
      if (!wanted) {
        ctx.io.print(['Enter "help <command>" for the usage of a command.', ...commandList(all)].join('\n'));
        return;
      }
      const spec = findCommand(all, wanted);
      if (!spec) throw new UserError(`Unknown command: "${wanted}".`, ErrorCodes.unknownCommand);
      ctx.io.print(commandHelp(spec).trimEnd());
    },
  };
}

export function findCommand(all: readonly CommandSpec[], name: string): CommandSpec | undefined {
  const n = name.toLowerCase();
  return all.find((c) => c.name === n || c.aliases?.includes(n));
}
