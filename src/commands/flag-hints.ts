import { SettingError, type SettingKey } from '../engine/operations/setting-error.js';
import { UserError } from '../errors.js';

/** Which flag gives each setting a command's flags can change. */
export type FlagHints = Partial<Record<SettingKey, string>>;

/**
 * Runs a command's flags' operations, saying a missing setting in the command line's words: the
 * operation's sentence and the flag that gives it (`...: give --intake-address.`).
 */
export function withFlagHints<T>(hints: FlagHints, work: () => T): T {
  try {
    return work();
  } catch (error) {
    const flag = error instanceof SettingError && error.missing ? hints[error.setting] : undefined;
    if (!flag) throw error;
    const refused = error as SettingError;
    throw new UserError(`${refused.message.replace(/\.$/, '')}: give ${flag}.`, refused.code, refused.exitCode);
  }
}
