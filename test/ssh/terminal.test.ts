import { ChannelTerminal, MAX_LINE } from '../../src/ssh/terminal.js';

/** A terminal without a PTY, as an exec-less `ssh -T` session has, fed as the channel would. */
function plainTerminal(): ChannelTerminal {
  return new ChannelTerminal({ write: () => undefined }, null, () => undefined);
}

describe('input without a PTY', () => {
  it('cuts a line longer than MAX_LINE however it arrives: its first MAX_LINE characters are the line, the rest until its end is dropped', async () => {
    const terminal = plainTerminal();
    // the line arrives in pieces, the last of them with its end and the next lines
    terminal.feed('x'.repeat(10_000));
    terminal.feed('x'.repeat(30_000));
    terminal.feed(`${'x'.repeat(30_000)}\nwho\n`);
    terminal.feed(`${'y'.repeat(MAX_LINE + 5)}\nquit\n`);
    terminal.end();
    const lines: (string | null)[] = [];
    for (let line = await terminal.readLine('> '); line !== null; line = await terminal.readLine('> ')) lines.push(line);
    expect(lines).toEqual(['x'.repeat(MAX_LINE), 'who', 'y'.repeat(MAX_LINE), 'quit']);
  });
});
