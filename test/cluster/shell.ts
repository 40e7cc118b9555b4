import { Shell } from '../../src/cli/execute.js';
import { commandRegistry } from '../../src/commands/registry.js';
import type { Appliance } from '../../src/engine/appliance.js';
import { scriptedIO } from '../helpers/scripted.js';

/** A shell session on an appliance, driven line by line with scripted answers; returns the screen. */
export function shellOn(appliance: Appliance) {
  const io = scriptedIO([]);
  const answers: string[] = [];
  const shell = new Shell({
    appliance,
    session: appliance.sessions.open('shell', 'console'),
    registry: commandRegistry(),
    interactive: true,
    io: {
      ...io,
      readLine: async (prompt) => {
        const line = answers.shift();
        io.write(`${prompt}${line ?? ''}\n`);
        return line ?? null;
      },
    },
  });
  return {
    shell,
    async type(line: string, ...replies: string[]) {
      io.write(`${shell.prompt}${line}\n`);
      answers.push(...replies);
      await shell.execute(line);
      expect(answers).toEqual([]);
    },
    /** the screen so far, with what changes from run to run (ports, secrets, dates) made constant */
    screen: () =>
      io
        .transcript()
        .replace(/port \d+/g, 'port PORT')
        .replace(/> \d{4,5}$/gm, '> PORT')
        .replace(/[0-9a-f]{64}/g, 'SECRET')
        .replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT')
        .replace(/committed: .*/g, 'committed: DATE')
        .replace(/Status as of: .*/g, 'Status as of: DATE'),
  };
}
