import { SettingError, type SettingKey } from '../engine/operations/setting-error.js';
import { ErrorCodes, UserError } from '../errors.js';

/** What the command line adds to a refusal of each setting its flags change: the flag that gives it, the values it takes. */
export type FlagHints = Partial<Record<SettingKey, string>>;

/**
 * Runs a command's flags' operations, saying a refusal that names no value in the command line's
 * words: the operation's sentence and what to type (`...: give --intake-address.`, `...: choose
 * on or off.`). A refused value, a clash or a thing not found is said as the operation says it.
 */
export function withFlagHints<T>(hints: FlagHints, work: () => T): T {
  try {
    return work();
  } catch (error) {
    const hint = error instanceof SettingError && error.value === undefined && error.code === ErrorCodes.invalidValue ? hints[error.setting] : undefined;
    if (!hint) throw error;
    const refused = error as SettingError;
    throw new UserError(`${refused.message.replace(/\.$/, '')}: ${hint}.`, refused.code, refused.exitCode);
  }
}
