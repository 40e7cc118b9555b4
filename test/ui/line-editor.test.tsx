import { rmSync } from 'node:fs';
import { commandRegistry } from '../../src/commands/registry.js';
import { Appliance } from '../../src/engine/appliance.js';
import { complete, registryCompletions } from '../../src/ui/completion.js';
import { decodeInput } from '../../src/conversation/keys.js';
import { edit, lineOf, type EditLine } from '../../src/conversation/line-editor.js';
import { openInkShell, waitForFrame } from '../helpers/ink.js';
import { tempHome } from '../helpers/scripted.js';

/** Raw bytes an xterm sends for the keys. */
const KEY = {
  left: '\u001b[D',
  right: '\u001b[C',
  home: '\u001b[H',
  end: '\u001b[F',
  delete: '\u001b[3~',
  backspace: '\u007f',
  enter: '\r',
  tab: '\t',
  esc: '\u001b',
  ctrlA: '\u0001',
  ctrlC: '\u0003',
  ctrlE: '\u0005',
  ctrlG: '\u0007',
  ctrlK: '\u000b',
  ctrlL: '\u000c',
  ctrlR: '\u0012',
  ctrlU: '\u0015',
  ctrlW: '\u0017',
};

describe('line editing keys', () => {
  const at = (text: string, cursor: number): EditLine => ({ text, cursor });
  it('move, delete and kill as bash does', () => {
    expect(edit(at('abc', 1), 'left')).toEqual(at('abc', 0));
    expect(edit(at('abc', 0), 'left')).toEqual(at('abc', 0));
    expect(edit(at('abc', 3), 'right')).toEqual(at('abc', 3));
    expect(edit(at('abc', 1), 'backspace')).toEqual(at('bc', 0));
    expect(edit(at('abc', 0), 'backspace')).toEqual(at('abc', 0));
    expect(edit(at('abc', 1), 'delete')).toEqual(at('ac', 1));
    expect(edit(at('abc', 3), 'delete')).toEqual(at('abc', 3));
    expect(edit(at('help tail', 5), 'kill-to-start')).toEqual(at('tail', 0));
    expect(edit(at('help tail', 4), 'kill-to-end')).toEqual(at('help', 4));
    expect(edit(at('tophosts --sort  active', 23), 'kill-word-back')).toEqual(at('tophosts --sort  ', 17));
    expect(edit(at('tophosts --sort  x', 17), 'kill-word-back')).toEqual(at('tophosts x', 9));
    expect(edit(at('   ', 3), 'kill-word-back')).toEqual(at('', 0));
  });

  it('decodes raw terminal input: Backspace (DEL) and Delete apart, pasted lines, unknown sequences dropped', () => {
    expect(decodeInput('\u007f')).toEqual([{ key: 'backspace' }]);
    expect(decodeInput('\u001b[3~')).toEqual([{ key: 'delete' }]);
    expect(decodeInput('\u001bOH')).toEqual([{ key: 'home' }]);
    expect(decodeInput('status\r\nversion\r')).toEqual([{ text: 'status' }, { key: 'enter' }, { text: 'version' }, { key: 'enter' }]);
    expect(decodeInput('a\u0015b')).toEqual([{ text: 'a' }, { key: 'ctrl-u' }, { text: 'b' }]);
    expect(decodeInput('\u001b[15~')).toEqual([]); // F5
    expect(decodeInput('\u0000')).toEqual([]);
  });
});

describe('Tab completion', () => {
  const source = registryCompletions(commandRegistry());
  const tab = (text: string, cursor = text.length) => complete({ text, cursor }, source);

  it('completes command names, subcommands, help topics and flags', () => {
    expect(tab('tai').line).toEqual(lineOf('tail '));
    expect(tab('  tai').line).toEqual(lineOf('  tail '));
    expect(tab('setd m').line).toEqual(lineOf('setd messages '));
    expect(tab('lab ch').line).toEqual(lineOf('lab check '));
    expect(tab('workqueue r').line).toEqual(lineOf('workqueue r')); // rate and resume
    expect(tab('workqueue r').candidates).toEqual(['rate', 'resume']);
    expect(tab('help tophos').line).toEqual(lineOf('help tophosts '));
    expect(tab('tophosts --so').line).toEqual(lineOf('tophosts --sort '));
    expect(tab('tail --no').line).toEqual(lineOf('tail --no-follow '));
    expect(tab('setd messages --wa').line).toEqual(lineOf('setd messages --watch '));
  });

  it('extends to what the candidates share, lists them when it cannot, and leaves unknown words alone', () => {
    expect(tab('se').line).toEqual(lineOf('set'));
    expect(tab('set').candidates).toEqual(['setd', 'sethostname']);
    expect(tab('zz')).toEqual({ line: lineOf('zz'), candidates: [] });
    expect(tab('setd messages x')).toEqual({ line: lineOf('setd messages x'), candidates: [] });
    // in the middle of a line: only the word before the cursor is completed
    expect(tab('tai -n 5', 3).line).toEqual({ text: 'tail -n 5', cursor: 4 });
  });
});

describe('the line editor in the ink shell', () => {
  let home: string;
  beforeEach(() => (home = tempHome()));
  afterEach(() => rmSync(home, { recursive: true, force: true }));

  it('moves the cursor and inserts there; Home, End, Delete, Ctrl-U, Ctrl-W, Ctrl-K edit the line', async () => {
    const { ui, done, live, model } = await openInkShell(new Appliance({ home }));
    const line = () => ({ text: model.getSnapshot().buffer, cursor: model.getSnapshot().cursor });
    const keys = (...data: string[]) => data.forEach((d) => ui.stdin.write(d));

    keys('hlp', KEY.home, KEY.right, 'e', KEY.end, ' taxl', KEY.left, KEY.backspace, 'i', KEY.end);
    await waitForFrame(ui, () => live().endsWith('esa1.example.com> help tail'));
    keys(KEY.enter);
    await waitForFrame(ui, (f) => f.includes('tail: Continuously display the end of a log file.'));

    keys('garbage words', KEY.ctrlU);
    await waitForFrame(ui, () => live().endsWith('esa1.example.com>'));
    keys('help grep tail', KEY.ctrlW);
    await waitForFrame(ui, () => live().endsWith('esa1.example.com> help grep'));
    expect(line()).toEqual({ text: 'help grep ', cursor: 10 });
    keys('XXversion', KEY.ctrlA, KEY.right, KEY.right, KEY.right, KEY.right, KEY.right, KEY.delete, KEY.delete);
    await waitForFrame(ui, () => live().endsWith('esa1.example.com> help ep XXversion'));
    expect(line()).toEqual({ text: 'help ep XXversion', cursor: 5 });
    keys(KEY.ctrlE, KEY.ctrlW, KEY.ctrlW);
    await waitForFrame(ui, () => live().endsWith('esa1.example.com> help'));
    keys('sethostname tail', KEY.left, KEY.left, KEY.left, KEY.left, KEY.ctrlK);
    await waitForFrame(ui, () => live().endsWith('esa1.example.com> help sethostname'));
    keys(KEY.enter);
    await waitForFrame(ui, (f) => f.includes('sethostname: '));

    ui.stdin.write('quit\r');
    await done;
    ui.unmount();
  });

  it('Ctrl-R searches the history backwards as you type; Ctrl-R again finds an older match; Enter runs it', async () => {
    const { ui, done, live, model, screenLines } = await openInkShell(new Appliance({ home }));
    const entered = (line: string) => screenLines().filter((l) => l === `esa1.example.com> ${line}`).length;
    for (const line of ['help tail', 'version', 'help grep', 'showchanges']) {
      ui.stdin.write(`${line}\r`);
      await waitForFrame(ui, () => live().endsWith('esa1.example.com>') && entered(line) === 1);
    }
    ui.stdin.write('draft');
    ui.stdin.write(KEY.ctrlR);
    await waitForFrame(ui, () => live().endsWith("(reverse-i-search)`': draft"));
    ui.stdin.write('help');
    await waitForFrame(ui, () => live().endsWith("(reverse-i-search)`help': help grep"));
    ui.stdin.write(KEY.ctrlR);
    await waitForFrame(ui, () => live().endsWith("(reverse-i-search)`help': help tail"));
    ui.stdin.write('x'); // nothing matches "helpx": the line stays
    await waitForFrame(ui, () => live().endsWith("(failed reverse-i-search)`helpx': help tail"));
    ui.stdin.write(KEY.backspace);
    ui.stdin.write(KEY.ctrlG); // gives the line back as it was before Ctrl-R
    await waitForFrame(ui, () => live().endsWith('esa1.example.com> draft'));
    ui.stdin.write(KEY.ctrlU);
    ui.stdin.write(KEY.ctrlR);
    ui.stdin.write('ver');
    await waitForFrame(ui, () => live().endsWith("(reverse-i-search)`ver': version"));
    ui.stdin.write(KEY.enter);
    await waitForFrame(ui, () => entered('version') === 2 && live().endsWith('esa1.example.com>'));
    expect(screenLines().filter((l) => l === 'Current Version')).toHaveLength(2);

    // Esc keeps the match on the line for editing, the cursor where the match is
    ui.stdin.write(KEY.ctrlR);
    ui.stdin.write('grep');
    ui.stdin.write(KEY.esc);
    await waitForFrame(ui, () => live().endsWith('esa1.example.com> help grep'));
    expect(model.getSnapshot().cursor).toBe(5);
    ui.stdin.write(KEY.ctrlE);
    ui.stdin.write(KEY.ctrlU);
    ui.stdin.write('quit\r');
    await done;
    ui.unmount();
  });

  it('Tab completes command and subcommand names and lists the choices; Ctrl-L clears the screen', async () => {
    const { ui, done, live } = await openInkShell(new Appliance({ home }));
    ui.stdin.write('ver');
    ui.stdin.write(KEY.tab);
    await waitForFrame(ui, () => live().endsWith('esa1.example.com> version'));
    ui.stdin.write(KEY.ctrlU);
    ui.stdin.write('setd acc');
    ui.stdin.write(KEY.tab);
    await waitForFrame(ui, () => live().endsWith('esa1.example.com> setd accounts'));
    ui.stdin.write(KEY.ctrlU);
    ui.stdin.write('set');
    ui.stdin.write(KEY.tab);
    await waitForFrame(ui, (f) => f.includes('esa1.example.com> set\nsetd  sethostname') && live().endsWith('esa1.example.com> set'));
    ui.stdin.write('h');
    ui.stdin.write(KEY.tab);
    await waitForFrame(ui, () => live().endsWith('esa1.example.com> sethostname'));
    ui.stdin.write(KEY.ctrlU);
    ui.stdin.write(KEY.ctrlL);
    await waitForFrame(ui, () => ui.frames.some((f) => f.startsWith('\u001b[2J\u001b[3J\u001b[H')));
    ui.stdin.write('quit\r');
    await done;
    ui.unmount();
  });
});
