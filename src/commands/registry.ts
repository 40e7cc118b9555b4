import { clearCommand } from './clear.js';
import { commitCommand } from './commit.js';
import { grepCommand } from './grep.js';
import { makeHelpCommand } from './help.js';
import { quitCommand } from './quit.js';
import { sethostnameCommand } from './sethostname.js';
import { showchangesCommand } from './showchanges.js';
import type { CommandSpec } from './types.js';
import { tailCommand } from './tail.js';
import { tophostsCommand } from './tophosts.js';
import { versionCommand } from './version.js';

/** Every AsyncOS command segsim knows, listed explicitly (no discovery from the filesystem). */
const COMMANDS: readonly CommandSpec[] = [
  commitCommand,
  clearCommand,
  showchangesCommand,
  sethostnameCommand,
  versionCommand,
  quitCommand,
  tophostsCommand,
  tailCommand,
  grepCommand,
];

const help = makeHelpCommand(() => ALL);
const ALL: readonly CommandSpec[] = [...COMMANDS, help];

export function commandRegistry(): readonly CommandSpec[] {
  return ALL;
}

export { findCommand } from './help.js';
