/*
 * What every front end hands a command: a line-oriented input and output, and how segsim's own
 * words are styled on it. The ink shell, the plain and stream front ends and the control socket
 * implement LineIO; commands reach it through a Conversation.
 */

/**
 * How segsim's own words are shown: colour on a colour terminal, unchanged elsewhere. Only what
 * segsim itself says goes through these (lab verdicts, errors, warnings, what moved in a live
 * view); AsyncOS screens and dialogs are printed exactly as the appliance prints them.
 */
export interface Styles {
  pass(text: string): string;
  fail(text: string): string;
  error(text: string): string;
  warn(text: string): string;
  /** a cell of a refreshing view that changed since the last refresh */
  changed(text: string): string;
}

const same = (text: string) => text;

/** Styles that change nothing: pipes, scripts, NO_COLOR, and every front end that sets none. */
export const PLAIN_STYLES: Styles = { pass: same, fail: same, error: same, warn: same, changed: same };

/** A line-oriented front end. readLine resolves null at end of input; Ctrl-C rejects with CancelledError. */
export interface LineIO {
  write(text: string): void;
  readLine(prompt: string): Promise<string | null>;
  /** replaces the live region (refreshing views such as tophosts --watch); plain front ends print it */
  frame?(text: string): void;
  /**
   * A live view starts (`footer`: what it shows, to which the front end adds the keys that end it)
   * or ends (null). Keys typed while it runs belong to the view: they end it or are dropped, and
   * never reach the next prompt. Front ends without keys (pipes, scripts) leave this out.
   */
  live?(footer: string | null): void;
  /**
   * A progress line redrawn in place, or null to end it with its last text left on screen. Front
   * ends that cannot redraw (pipes, CI) leave this out: only the summary after it shows.
   */
  progress?(text: string | null): void;
  /** how this front end styles segsim's own words; plain when absent */
  styles?: Styles;
  /** turns the front end's pager (`-Press Any Key For More-`) on or off; front ends without one leave this out */
  paging?(on: boolean): void;
}
