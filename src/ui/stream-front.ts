import type { Writable } from 'node:stream';
import { PLAIN_STYLES, type LineIO } from '../conversation/line-io.js';
import { markChanges } from './changed-cells.js';
import { isLiveViewStopKey, liveFooter } from '../conversation/live-keys.js';
import { streamStyles, type OutputStream } from './styles.js';

/** What a front end adds to plain writes: redraws, progress, live views, colour. */
export type OutputHooks = Pick<LineIO, 'frame' | 'progress' | 'live' | 'styles'>;

/**
 * Whether this is a CI run, read as ink reads it (CI or CONTINUOUS_INTEGRATION set, or any CI_*
 * variable, unless CI is 0 or false): a CI log is not a terminal to redraw in.
 */
export function isCi(env: NodeJS.ProcessEnv): boolean {
  if (env.CI === '0' || env.CI === 'false') return false;
  return 'CI' in env || 'CONTINUOUS_INTEGRATION' in env || Object.keys(env).some((k) => k.startsWith('CI_'));
}

const CLEAR_SCREEN = '\u001b[H\u001b[2J';
const CLEAR_LINE = '\r\u001b[2K';

export interface StreamFrontOptions {
  stdout: Writable & OutputStream;
  /** where FORCE_COLOR, NO_COLOR and CI are read (process.env by default) */
  env?: NodeJS.ProcessEnv;
  /** the keyboard: with `stop`, the keys that end a live view (q, Esc, Enter, Ctrl-C) call it */
  stdin?: NodeJS.ReadStream;
  /** ends the running command (aborts its signal) */
  stop?: () => void;
}

/**
 * The hooks of a plain output stream (one-shot runs, scripts). On a terminal a refreshing view
 * redraws the screen, progress redraws one line and live views say which keys end them; in a pipe
 * or a CI log nothing is redrawn (each refresh is printed, progress not at all, only the summary).
 */
export function streamFront({ stdout, env = process.env, stdin, stop }: StreamFrontOptions): OutputHooks {
  const styles = streamStyles(stdout, env);
  if (!stdout.isTTY || isCi(env)) return { styles, live: () => undefined };
  const keys = stdin?.isTTY && typeof stdin.setRawMode === 'function' && stop ? stdin : null;
  let footer: string | null = null;
  let lastFrame: string | null = null;
  let progressShown = false;
  let releaseKeys = () => undefined as void;
  return {
    styles,
    frame(text) {
      const shown = styles === PLAIN_STYLES ? text : markChanges(lastFrame, text, styles.changed);
      lastFrame = text;
      stdout.write(`${CLEAR_SCREEN}${shown}\n${footer === null ? '' : `\n${footer}\n`}`);
    },
    progress(text) {
      if (text === null) {
        if (progressShown) stdout.write('\n');
        progressShown = false;
        return;
      }
      stdout.write(`${CLEAR_LINE}${text}`);
      progressShown = true;
    },
    live(text) {
      releaseKeys();
      releaseKeys = () => undefined;
      lastFrame = null;
      if (text === null) {
        footer = null;
        return;
      }
      footer = keys ? liveFooter(text) : `${text} Press Ctrl-C to stop.`;
      stdout.write(`${footer}\n`);
      if (keys) releaseKeys = watchStopKeys(keys, stop!);
    },
  };
}

/** Raw mode for the length of a live view: its keys end it (Ctrl-C too, as raw mode sends no SIGINT). */
function watchStopKeys(stdin: NodeJS.ReadStream, stop: () => void): () => void {
  stdin.setRawMode(true);
  stdin.resume();
  const onData = (data: Buffer) => {
    if (isLiveViewStopKey(data.toString('utf8'))) stop();
  };
  stdin.on('data', onData);
  return () => {
    stdin.off('data', onData);
    stdin.setRawMode(false);
    stdin.pause();
  };
}
