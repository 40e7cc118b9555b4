import { SettingError, type SettingKey } from '../engine/operations/setting-error.js';
import { ErrorCodes, UserError } from '../errors.js';

/**
 * What the command line adds to a refusal of each setting its flags change: the flag that gives
 * it or the values it takes; or, as a function, the command line's own sentence for a refusal
 * (undefined: the operation's).
 */
export type FlagHints = Partial<Record<SettingKey, string | ((error: SettingError) => string | undefined)>>;

/**
 * Runs a command's flags' operations, saying a refusal that names no value in the command line's
 * words: the operation's sentence and what to type (`...: give --intake-address.`, `...: choose
 * on or off.`). A refused value, a clash or a thing not found is said as the operation says it.
 */
export function withFlagHints<T>(hints: FlagHints, work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (!(error instanceof SettingError)) throw error;
    const hint = hints[error.setting];
    const words =
      typeof hint === 'function'
        ? hint(error)
        : hint !== undefined && error.value === undefined && error.code === ErrorCodes.invalidValue
          ? `${error.message.replace(/\.$/, '')}: ${hint}.`
          : undefined;
    if (words === undefined) throw error;
    throw new UserError(words, error.code);
  }
}
