import { enterCommandMode, modePrompt } from '../commands/cluster-gate.js';
import { Conversation } from '../conversation/conversation.js';
import type { LineIO } from '../conversation/line-io.js';
import type { CommandContext, CommandSpec, ShellSession } from '../commands/types.js';
import type { Appliance } from '../engine/appliance.js';
import type { Session } from '../engine/sessions.js';
import { CancelledError, describeError } from '../errors.js';
import { parseCommandLine } from './command-parser.js';
import { commandHost } from './command-host.js';
import { runCommand } from './run-command.js';
import { tokenize } from './tokenize.js';

export interface ShellOptions {
  appliance: Appliance;
  /** the session this shell is: its pending changes, its `who` line */
  session: Session;
  registry: readonly CommandSpec[];
  io: LineIO;
  /** a terminal or a script that can answer questions */
  interactive: boolean;
  /** printed once when the shell opens */
  banner?: string;
  /** end of input (Ctrl-D in a terminal) is the user leaving: it asks as `quit` does */
  endOfInputQuits?: boolean;
  /** where the text of a failed command goes (an SSH exec channel's stderr); the shell's output by default */
  reportError?: (text: string) => void;
}

/**
 * The command loop shared by the ink shell and the stdin-driven shell: prompt with the hostname,
 * run the command, print errors AsyncOS-style, go on until quit or end of input.
 */
export class Shell implements ShellSession {
  #exiting = false;
  #running: AbortController | null = null;
  readonly conversation: Conversation;

  constructor(private readonly options: ShellOptions) {
    this.conversation = new Conversation(options.io);
  }

  exit(): void {
    this.#exiting = true;
  }

  /** Ctrl-C: ends the running command (live views included); the front end cancels the pending read. */
  interrupt(): void {
    this.#running?.abort();
  }

  get prompt(): string {
    const factor = this.options.appliance.clock.factor ?? 1;
    // a lab's compressed time shows; the slow catch-up after it does not
    const compressed = factor > 1 ? `(time x${factor}) ` : '';
    return `${compressed}${modePrompt(this.options.appliance, this.options.session) ?? this.options.appliance.configuration.current.hostname}> `;
  }

  async run(): Promise<void> {
    if (this.options.banner) this.conversation.print(this.options.banner);
    while (!this.#exiting) {
      let line: string | null;
      try {
        line = await this.options.io.readLine(this.prompt);
      } catch (error) {
        if (error instanceof CancelledError) continue;
        throw error;
      }
      if (line === null) {
        if (!this.options.endOfInputQuits || !this.options.session.config.hasChanges()) break;
        this.conversation.print('quit');
        await this.execute('quit');
        continue;
      }
      await this.execute(line);
    }
  }

  /**
   * Runs one command line; never throws for errors a user can cause. Resolves the line's exit
   * status as a one-shot run would have it: 0 done, 1 refused, 2 a usage error, 130 cancelled.
   */
  async execute(line: string): Promise<number> {
    const controller = new AbortController();
    this.#running = controller;
    const { session } = this.options;
    try {
      const words = tokenize(line.trim());
      if (words.length === 0) return 0;
      session.running(line.trim());
      const parsed = parseCommandLine(this.options.registry, words, { oneShot: false, write: (text) => this.conversation.print(text.trimEnd()) });
      if (parsed.kind !== 'command') return 0;
      const { spec, input } = parsed;
      const ctx: CommandContext = {
        appliance: this.options.appliance,
        io: this.conversation,
        interactive: this.options.interactive,
        signal: controller.signal,
        session,
        shell: this,
        host: commandHost(() => this.options.registry),
      };
      if (await enterCommandMode(ctx, spec)) await runCommand(spec, ctx, input);
      return 0;
    } catch (error) {
      const { text, exitCode } = describeError(error);
      if (this.options.reportError && text !== null) this.options.reportError(text);
      else this.conversation.print(text === null ? '' : this.conversation.style.error(text));
      return exitCode;
    } finally {
      this.#running = null;
      session.running(null);
    }
  }
}
