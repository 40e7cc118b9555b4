import { Writable } from 'node:stream';
import type { Conversation } from '../conversation/conversation.js';
import type { CommandHost, CommandSpec } from '../commands/types.js';
import type { Appliance } from '../engine/appliance.js';
import { tokenize } from './tokenize.js';

/** The CommandHost of the CLI: command lines run as one-shot runs; appliances start in-process. */
export function commandHost(registry: () => readonly CommandSpec[]): CommandHost {
  return {
    async runLine(appliance: Appliance, line: string, io: Conversation) {
      const { runOneShot } = await import('./one-shot.js');
      const out = new Writable({
        write(chunk, _enc, done) {
          io.print(String(chunk).replace(/\n$/, ''));
          done();
        },
      });
      await runOneShot({ appliance, registry: registry(), words: tokenize(line), out, signal: new AbortController().signal });
    },
    async startAppliance(appliance: Appliance) {
      const { startAppliance } = await import('./run-appliance.js');
      return startAppliance(appliance, registry());
    },
  };
}
