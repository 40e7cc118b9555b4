import { Chalk, type ColorSupportLevel } from 'chalk';
import { PLAIN_STYLES, type Styles } from '../conversation/line-io.js';

/** How many colours: 0 none, 1 the basic 16, 2 256, 3 true colour (chalk's levels). */
export type ColourLevel = ColorSupportLevel;

/** What an output stream can tell about itself (a tty.WriteStream can tell its colour depth). */
export interface OutputStream {
  isTTY?: boolean;
  getColorDepth?(env?: NodeJS.ProcessEnv): number;
}

/**
 * How many colours segsim may use on `stream`: FORCE_COLOR decides first (0 or false: none, 1 to
 * 3: that level, even in a pipe), as Node itself does; then NO_COLOR (any non-empty value) turns
 * colour off; otherwise only a terminal gets colour, as deep as the terminal says (TERM=dumb: none).
 */
export function colourLevel(stream: OutputStream, env: NodeJS.ProcessEnv): ColourLevel {
  const force = env.FORCE_COLOR;
  if (force !== undefined) {
    if (force === '0' || force.toLowerCase() === 'false') return 0;
    const n = Number(force);
    return n === 2 || n === 3 ? n : 1;
  }
  if (env.NO_COLOR) return 0;
  if (!stream.isTTY) return 0;
  const depth = stream.getColorDepth?.(env) ?? 4;
  return depth >= 24 ? 3 : depth >= 8 ? 2 : depth >= 4 ? 1 : 0;
}

/** The styles for a colour level: chalk-backed at 1 and above, PLAIN_STYLES at 0. */
export function stylesFor(level: ColourLevel): Styles {
  if (level === 0) return PLAIN_STYLES;
  const chalk = new Chalk({ level });
  return {
    pass: (text) => chalk.green(text),
    fail: (text) => chalk.red.bold(text),
    error: (text) => chalk.red(text),
    warn: (text) => chalk.yellow(text),
    changed: (text) => chalk.bold.yellow(text),
  };
}

/** The styles for what segsim writes to `stream` (stdout or stderr) in this environment. */
export function streamStyles(stream: OutputStream, env: NodeJS.ProcessEnv = process.env): Styles {
  return stylesFor(colourLevel(stream, env));
}
