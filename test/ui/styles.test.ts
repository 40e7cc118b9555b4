import { Conversation } from '../../src/conversation/conversation.js';
import { colourLevel, streamStyles } from '../../src/ui/styles.js';

const ESC = '\u001b[';
const terminal = { isTTY: true, getColorDepth: () => 8 };
const pipe = { isTTY: false };

/** What a Conversation on a front end with these styles prints for a lab verdict and an error. */
function printed(styles: ReturnType<typeof streamStyles>): string {
  let out = '';
  const io = new Conversation({ write: (t) => void (out += t), readLine: async () => null, styles });
  io.print(`  ${io.style.pass('PASS')}  journal copies`);
  io.print(`  ${io.style.fail('FAIL')}  tracking`);
  io.print(io.style.error('Unknown command: "tophost".'));
  return out;
}

describe("colour for segsim's own words", () => {
  it('a colour terminal gets coloured PASS, FAIL and error text', () => {
    const out = printed(streamStyles(terminal, {}));
    expect(out).toContain(`${ESC}32mPASS${ESC}39m`); // green
    expect(out).toContain(`${ESC}31m${ESC}1mFAIL`); // red, bold
    expect(out).toContain(`${ESC}31mUnknown command`);
  });

  it('NO_COLOR, a pipe, TERM=dumb and FORCE_COLOR=0 give no escape codes', () => {
    for (const [stream, env] of [
      [terminal, { NO_COLOR: '1' }],
      [pipe, {}],
      [{ isTTY: true, getColorDepth: () => 1 }, { TERM: 'dumb' }],
      [terminal, { FORCE_COLOR: '0' }],
    ] as const) {
      const out = printed(streamStyles(stream, env));
      expect(out).not.toContain('\u001b');
      expect(out).toContain('  PASS  journal copies\n');
    }
  });

  it('FORCE_COLOR turns colour on even in a pipe, and wins over NO_COLOR as in Node', () => {
    expect(colourLevel(pipe, { FORCE_COLOR: '1' })).toBe(1);
    expect(colourLevel(pipe, { FORCE_COLOR: '' })).toBe(1);
    expect(colourLevel(pipe, { FORCE_COLOR: '3', NO_COLOR: '1' })).toBe(3);
    expect(colourLevel(terminal, { NO_COLOR: '' })).toBe(2); // an empty NO_COLOR is not set
    expect(printed(streamStyles(pipe, { FORCE_COLOR: '1' }))).toContain(ESC);
  });

  it('a front end without styles prints plain text', () => {
    let out = '';
    const io = new Conversation({ write: (t) => void (out += t), readLine: async () => null });
    io.print(io.style.fail('FAIL'));
    expect(out).toBe('FAIL\n');
  });
});
