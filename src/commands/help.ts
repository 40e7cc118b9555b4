import { ErrorCodes, UserError } from '../errors.js';
import type { CommandSpec } from './types.js';

/** `help` over a registry; built by the registry itself, which it lists. */
export function makeHelpCommand(commands: () => readonly CommandSpec[]): CommandSpec {
  return {
    name: 'help',
    aliases: ['h', '?'],
    summary: 'Help for commands.',
    help: 'help [COMMAND]\n\nWithout a command, lists all commands; with one, shows its batch usage and flags.',
    args: '[command]',
    async run(ctx, { args }) {
      const all = commands();
      const wanted = args[0];
      if (!wanted) {
        const width = Math.max(...all.map((c) => c.name.length)) + 2;
        ctx.io.print(
          [
            'Enter "help <command>" for the usage of a command.',
            '',
            ...[...all].sort((a, b) => a.name.localeCompare(b.name)).map((c) => `${c.name.padEnd(width)}${c.summary}`),
          ].join('\n'),
        );
        return;
      }
      const spec = findCommand(all, wanted);
      if (!spec) throw new UserError(`Unknown command: "${wanted}".`, ErrorCodes.unknownCommand);
      const flags = (spec.flags ?? []).map((f) => `  ${f.flags.padEnd(30)} ${f.description}`);
      ctx.io.print(
        [
          `${spec.name}: ${spec.summary}`,
          spec.aliases?.length ? `Aliases: ${spec.aliases.join(', ')}` : '',
          '',
          spec.help,
          ...(flags.length ? ['', 'Flags:', ...flags] : []),
          ...(spec.configures ? ['', 'Configuration command: changes need "commit"; one-shot runs with flags commit at once (--comment, --dry-run).'] : []),
        ]
          .filter((l, i) => l !== '' || i > 1)
          .join('\n'),
      );
    },
  };
}

export function findCommand(all: readonly CommandSpec[], name: string): CommandSpec | undefined {
  const n = name.toLowerCase();
  return all.find((c) => c.name === n || c.aliases?.includes(n));
}
