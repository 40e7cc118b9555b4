import { decodeInput, type KeyEvent } from './keys.js';

/** The footer of a live view in a terminal: what it shows, then the keys that end it (the same everywhere). */
export function liveFooter(footer: string): string {
  return `${footer} Press q, Esc, Enter or Ctrl-C to stop.`;
}

/**
 * Whether a key ends a live view: q, Esc, Enter or Ctrl-C. Other keys belong to the view too, and
 * are dropped. Keys typed fast arrive as one run of text: a q anywhere in it counts.
 */
export function endsLiveView(event: KeyEvent): boolean {
  return 'key' in event ? event.key === 'enter' || event.key === 'escape' || event.key === 'ctrl-c' : /q/i.test(event.text);
}

/** The same for raw terminal input (a front end that reads the keyboard itself). */
export function isLiveViewStopKey(input: string): boolean {
  return decodeInput(input).some(endsLiveView);
}
