/** The keys the terminal acts on, named as the keyboard names them. */
export type Key =
  | 'enter'
  | 'tab'
  | 'escape'
  | 'backspace'
  | 'delete'
  | 'left'
  | 'right'
  | 'up'
  | 'down'
  | 'home'
  | 'end'
  | 'ctrl-a'
  | 'ctrl-b'
  | 'ctrl-c'
  | 'ctrl-d'
  | 'ctrl-e'
  | 'ctrl-f'
  | 'ctrl-g'
  | 'ctrl-k'
  | 'ctrl-l'
  | 'ctrl-n'
  | 'ctrl-p'
  | 'ctrl-r'
  | 'ctrl-u'
  | 'ctrl-w';

export type KeyEvent = { key: Key } | { text: string };

/** Escape sequences of xterm-like terminals (CSI and SS3 forms, as both are sent). */
const SEQUENCES: Readonly<Record<string, Key>> = {
  '\u001b': 'escape',
  '\u001b[A': 'up',
  '\u001b[B': 'down',
  '\u001b[C': 'right',
  '\u001b[D': 'left',
  '\u001bOA': 'up',
  '\u001bOB': 'down',
  '\u001bOC': 'right',
  '\u001bOD': 'left',
  '\u001b[H': 'home',
  '\u001b[F': 'end',
  '\u001bOH': 'home',
  '\u001bOF': 'end',
  '\u001b[1~': 'home',
  '\u001b[4~': 'end',
  '\u001b[7~': 'home',
  '\u001b[8~': 'end',
  '\u001b[3~': 'delete',
};

/** Single control characters: Backspace arrives as DEL (0x7f) or ^H. */
const CONTROLS: Readonly<Record<string, Key>> = {
  '\r': 'enter',
  '\n': 'enter',
  '\t': 'tab',
  '\u007f': 'backspace',
  '\b': 'backspace',
  '\u0001': 'ctrl-a',
  '\u0002': 'ctrl-b',
  '\u0003': 'ctrl-c',
  '\u0004': 'ctrl-d',
  '\u0005': 'ctrl-e',
  '\u0006': 'ctrl-f',
  '\u0007': 'ctrl-g',
  '\u000b': 'ctrl-k',
  '\u000c': 'ctrl-l',
  '\u000e': 'ctrl-n',
  '\u0010': 'ctrl-p',
  '\u0012': 'ctrl-r',
  '\u0015': 'ctrl-u',
  '\u0017': 'ctrl-w',
};

/**
 * Splits one chunk of terminal input (a key, an escape sequence, or pasted text) into keys and
 * runs of text. Unknown escape sequences and control characters are dropped, never typed.
 */
export function decodeInput(input: string): KeyEvent[] {
  if (input.startsWith('\u001b')) {
    const key = SEQUENCES[input] ?? (input.length === 2 && input[1]! in CONTROLS ? CONTROLS[input[1]!] : undefined);
    return key ? [{ key }] : [];
  }
  const events: KeyEvent[] = [];
  let text = '';
  // \r\n from a paste is one line break
  for (const ch of input.replace(/\r\n/g, '\r')) {
    const key = CONTROLS[ch];
    if (key === undefined && ch >= ' ') {
      text += ch;
      continue;
    }
    if (text) events.push({ text });
    text = '';
    if (key) events.push({ key });
  }
  if (text) events.push({ text });
  return events;
}
