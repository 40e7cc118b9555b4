/** The line being edited at a prompt: its text and where the cursor stands (0..text.length). */
export interface EditLine {
  readonly text: string;
  readonly cursor: number;
}

export const EMPTY_LINE: EditLine = { text: '', cursor: 0 };

/** A line with the cursor at its end (history recall, completion). */
export function lineOf(text: string): EditLine {
  return { text, cursor: text.length };
}

/** The editing keys of the line editor, named as readline/bash name their actions. */
export type EditKey = 'left' | 'right' | 'home' | 'end' | 'backspace' | 'delete' | 'kill-to-start' | 'kill-to-end' | 'kill-word-back';

/** Inserts typed text at the cursor. */
export function insert(line: EditLine, typed: string): EditLine {
  return { text: line.text.slice(0, line.cursor) + typed + line.text.slice(line.cursor), cursor: line.cursor + typed.length };
}

/**
 * One editing key, as bash's emacs mode does it: Ctrl-U kills from the start to the cursor, Ctrl-K
 * from the cursor to the end, Ctrl-W the word before the cursor (up to whitespace, as
 * unix-word-rubout does).
 */
export function edit(line: EditLine, key: EditKey): EditLine {
  const { text, cursor } = line;
  switch (key) {
    case 'left':
      return { text, cursor: Math.max(0, cursor - 1) };
    case 'right':
      return { text, cursor: Math.min(text.length, cursor + 1) };
    case 'home':
      return { text, cursor: 0 };
    case 'end':
      return { text, cursor: text.length };
    case 'backspace':
      return cursor === 0 ? line : { text: text.slice(0, cursor - 1) + text.slice(cursor), cursor: cursor - 1 };
    case 'delete':
      return { text: text.slice(0, cursor) + text.slice(cursor + 1), cursor };
    case 'kill-to-start':
      return { text: text.slice(cursor), cursor: 0 };
    case 'kill-to-end':
      return { text: text.slice(0, cursor), cursor };
    case 'kill-word-back': {
      const start = text.slice(0, cursor).search(/\S+\s*$/);
      const from = start === -1 ? 0 : start;
      return { text: text.slice(0, from) + text.slice(cursor), cursor: from };
    }
  }
}
