import type { CommandContext, CommandInput, CommandSpec } from '../commands/types.js';

/**
 * Runs a parsed command: the one place where --json is handled, for the shell, one-shot runs and
 * the control socket. The command gets its flags without `json` and `ctx.json` instead; what it
 * returns is printed as JSON for --json, else rendered as its AsyncOS screen.
 */
export async function runCommand(spec: CommandSpec, ctx: Omit<CommandContext, 'json'>, input: CommandInput): Promise<void> {
  const { json, ...flags } = input.flags;
  const wantsJson = json === true;
  const output = await spec.run({ ...ctx, json: wantsJson }, { args: input.args, flags });
  if (!output) return;
  if (wantsJson) ctx.io.print(JSON.stringify(output.data, null, 2));
  else await output.render(ctx.io);
  if (output.error) throw output.error;
}
