import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Conversation, type LineIO } from '../../src/commands/dialog.js';
import type { CommandContext, CommandSpec } from '../../src/commands/types.js';
import { Appliance } from '../../src/engine/appliance.js';
import { commandHost } from '../../src/cli/command-host.js';
import { refuseOrphans } from '../../src/cli/command-parser.js';
import { commandRegistry } from '../../src/commands/registry.js';

/** The CLI's command host, for contexts built by hand in tests. */
export const testHost = commandHost(commandRegistry);

export function tempHome(): string {
  return mkdtempSync(join(tmpdir(), 'segsim-test-'));
}

/** A temporary home whose servers take free ports (port 0), so tests can run side by side. */
export function labHome(edit: (c: Appliance['config']['pending']) => void = () => undefined): string {
  const home = tempHome();
  const appliance = new Appliance({ home });
  appliance.config.edit((c) => {
    c.listener.port = 0;
    c.lab.mailServerPort = 0;
    c.lab.setdPort = 0;
    edit(c);
  });
  appliance.config.commit('test lab on free ports');
  return home;
}

/** A LineIO that answers from a list and records everything shown, prompts and answers included. */
export function scriptedIO(answers: string[]): LineIO & { transcript(): string; remaining(): number } {
  const out: string[] = [];
  return {
    write: (text) => void out.push(text),
    readLine: async (prompt) => {
      out.push(prompt);
      const answer = answers.shift();
      out.push(answer === undefined ? '\n' : `${answer}\n`);
      return answer ?? null;
    },
    transcript: () => out.join(''),
    remaining: () => answers.length,
  };
}

/** Runs a command in a scripted dialog over an appliance; returns what the screen showed. */
export async function runScripted(
  spec: CommandSpec,
  answers: string[],
  options: { appliance?: Appliance; args?: string[]; flags?: Record<string, unknown>; interactive?: boolean } = {},
): Promise<{ transcript: string; appliance: Appliance }> {
  const appliance = options.appliance ?? new Appliance({ home: tempHome() });
  const io = scriptedIO(answers);
  const ctx: CommandContext = {
    appliance,
    io: new Conversation(io),
    interactive: options.interactive ?? true,
    signal: new AbortController().signal,
    host: testHost,
  };
  // flags as the parser hands them over, checked as it checks them
  refuseOrphans(spec, options.flags ?? {});
  await spec.run(ctx, { args: options.args ?? [], flags: options.flags ?? {} });
  return { transcript: io.transcript(), appliance };
}
