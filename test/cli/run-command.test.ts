import { parseCommandLine } from '../../src/cli/command-parser.js';
import { runCommand } from '../../src/cli/run-command.js';
import { Conversation } from '../../src/conversation/conversation.js';
import { commandHelp } from '../../src/commands/help.js';
import { commandRegistry } from '../../src/commands/registry.js';
import type { CommandContext, CommandInput, CommandSpec } from '../../src/commands/types.js';
import { Appliance } from '../../src/engine/appliance.js';
import { UserError } from '../../src/errors.js';
import { consoleSession, scriptedIO, tempHome, testHost } from '../helpers/scripted.js';

function context(): { ctx: Omit<CommandContext, 'json'>; transcript: () => string } {
  const appliance = new Appliance({ home: tempHome() });
  const io = scriptedIO([]);
  return { ctx: { appliance, session: consoleSession(appliance), io: new Conversation(io), interactive: false, signal: new AbortController().signal, host: testHost }, transcript: io.transcript };
}

describe('the runner handles --json once', () => {
  const seen: { input: CommandInput; json: boolean | undefined }[] = [];
  const spec: CommandSpec = {
    name: 'probe',
    summary: 'returns data',
    help: 'probe',
    json: 'the probe',
    async run(ctx, input) {
      seen.push({ input, json: ctx.json });
      return { data: { a: [1, 'x'] }, render: (io) => io.print('a screen'), error: input.args[0] === 'fail' ? new UserError('it failed') : undefined };
    },
  };

  it('prints the data as indented JSON for --json, the screen otherwise; the command never sees the flag', async () => {
    const json = context();
    await runCommand(spec, json.ctx, { args: [], flags: { json: true, other: 'v' } });
    expect(json.transcript()).toBe(`${JSON.stringify({ a: [1, 'x'] }, null, 2)}\n`);
    const text = context();
    await runCommand(spec, text.ctx, { args: [], flags: {} });
    expect(text.transcript()).toBe('a screen\n');
    expect(seen.map((s) => [s.input.flags, s.json])).toEqual([
      [{ other: 'v' }, true],
      [{}, false],
    ]);
  });

  it('throws a failure the command returns only after its output is shown', async () => {
    const { ctx, transcript } = context();
    await expect(runCommand(spec, ctx, { args: ['fail'], flags: { json: true } })).rejects.toThrow('it failed');
    expect(JSON.parse(transcript())).toEqual({ a: [1, 'x'] });
  });

  it('gives --json to each command and subcommand that declares it, in the parser and in help, and to no other', () => {
    const registry = commandRegistry();
    const declared = registry.flatMap((c) => [...(c.json ? [[c.name]] : []), ...(c.subcommands ?? []).filter((s) => s.json).map((s) => [c.name, s.name])]);
    expect(declared.map((w) => w.join(' ')).sort()).toEqual(
      [
        'destconfig',
        'findevent',
        'hoststatus',
        'inject',
        'lab check',
        'lab run',
        'listenerconfig',
        'listenerconfig edit',
        'logconfig',
        'policyconfig',
        'setd accounts',
        'setd messages',
        'setd setup',
        'showchanges',
        'showrecipients',
        'smtproutes',
        'sshconfig',
        'status',
        'tdcconfig',
        'tophosts',
        'who',
      ].sort(),
    );
    for (const words of declared) {
      const line = parseCommandLine(registry, [...words, '--json'], { oneShot: false, write: () => undefined });
      expect(line.kind === 'command' && line.input.flags.json).toBe(true);
      expect(commandHelp(registry.find((c) => c.name === words[0])!)).toMatch(/--json\s+print .+ as JSON/);
    }
    expect(() => parseCommandLine(registry, ['sethostname', '--json'], { oneShot: false, write: () => undefined })).toThrow(/unknown option '--json'/);
  });
});
