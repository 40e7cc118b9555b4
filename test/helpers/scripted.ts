import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Conversation } from '../../src/conversation/conversation.js';
import type { LineIO } from '../../src/conversation/line-io.js';
import type { CommandContext, CommandSpec } from '../../src/commands/types.js';
import { Appliance } from '../../src/engine/appliance.js';
import type { ApplianceConfig } from '../../src/engine/config/model.js';
import { ConfigStore } from '../../src/engine/config/store.js';
import { homePaths } from '../../src/engine/home.js';
import type { Session } from '../../src/engine/sessions.js';
import { commandHost } from '../../src/cli/command-host.js';
import { refuseOrphans } from '../../src/cli/command-parser.js';
import { runCommand } from '../../src/cli/run-command.js';
import { flagsOf } from '../../src/commands/command-flags.js';
import { commandRegistry } from '../../src/commands/registry.js';
import { removeAfterFile } from './cleanup.js';

/** The CLI's command host, for contexts built by hand in tests. */
export const testHost = commandHost(commandRegistry);

/** A temporary home, removed when the test file ends (test/setup.ts). */
export function tempHome(): string {
  return removeAfterFile(mkdtempSync(join(tmpdir(), 'segsim-test-')));
}

/** A temporary home whose servers take free ports (port 0), so tests can run side by side. */
export function labHome(edit: (c: ApplianceConfig) => void = () => undefined): string {
  const home = tempHome();
  const store = new ConfigStore(homePaths(home));
  const config = store.load();
  config.listener.port = 0;
  config.lab.mailServerPort = 0;
  config.lab.setdPort = 0;
  config.lab.webPort = 0;
  config.lab.sshPort = 0;
  config.lab.apiPort = 0;
  edit(config);
  store.save(config);
  return home;
}

/** Commits an edit at once in a session of its own, as a one-shot command would. */
export async function commitEdit(appliance: Appliance, edit: (c: ApplianceConfig) => void, comment = 'test'): Promise<void> {
  const session = appliance.sessions.open('script', 'test');
  try {
    session.config.edit(edit);
    await session.config.commit(comment);
  } finally {
    session.close();
  }
}

const consoleSessions = new WeakMap<Appliance, Session>();

/** The session runScripted uses on an appliance, kept across calls as a shell keeps its own. */
export function consoleSession(appliance: Appliance): Session {
  let session = consoleSessions.get(appliance);
  if (!session) consoleSessions.set(appliance, (session = appliance.sessions.open('shell', 'console')));
  return session;
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
    session: consoleSession(appliance),
    io: new Conversation(io),
    interactive: options.interactive ?? true,
    signal: new AbortController().signal,
    host: testHost,
  };
  // flags as the parser hands them over, checked as it checks them, run as the shell runs them
  const sub = spec.subcommands?.find((s) => s.name === options.args?.[0]);
  refuseOrphans(flagsOf(sub ?? spec), options.flags ?? {});
  await runCommand(spec, ctx, { args: options.args ?? [], flags: options.flags ?? {} });
  return { transcript: io.transcript(), appliance };
}
