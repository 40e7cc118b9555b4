import type { CommandSpec, FlagSpec, SubcommandSpec } from './types.js';

/**
 * A command's flags as the parser and `help` know them: its own, and --json where it returns its
 * output as data (declared once, by the `json` marker of CommandSpec or SubcommandSpec).
 */
export function flagsOf(spec: CommandSpec | SubcommandSpec): FlagSpec[] {
  const own = spec.flags ?? [];
  return spec.json === undefined ? own : [...own, { flags: '--json', description: `print ${spec.json} as JSON` }];
}
