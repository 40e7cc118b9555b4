import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { LineIO } from '../conversation/line-io.js';
import { streamFront } from './stream-front.js';

/**
 * Line I/O for a script on stdin (`segsim < commands.txt`): each prompt is printed, the answer
 * read from the next line and echoed after the prompt, like a transcript of an SSH session. A
 * transcript is never redrawn, but on a terminal it has colour and progress lines.
 */
export function scriptLineIO(input: Readable, output: Writable, env: NodeJS.ProcessEnv = process.env): LineIO & { close(): void } {
  const { styles, progress } = streamFront({ stdout: output, env });
  const rl = createInterface({ input, terminal: false, crlfDelay: Infinity });
  const lines: string[] = [];
  const waiting: ((line: string | null) => void)[] = [];
  let ended = false;
  rl.on('line', (line) => {
    const next = waiting.shift();
    if (next) next(line);
    else lines.push(line);
  });
  rl.on('close', () => {
    ended = true;
    for (const w of waiting.splice(0)) w(null);
  });
  return {
    styles,
    progress,
    write: (text) => void output.write(text),
    async readLine(prompt) {
      output.write(prompt);
      const line = lines.length > 0 ? lines.shift()! : ended ? null : await new Promise<string | null>((resolve) => waiting.push(resolve));
      output.write(line === null ? '\n' : `${line}\n`);
      return line;
    },
    close: () => rl.close(),
  };
}
