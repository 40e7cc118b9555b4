import { ErrorCodes, UserError } from '../errors.js';

/** What a number given on a command line must be, and how to name it in the error. */
export interface DecimalRule {
  /** the flag or answer, as the user typed it (`--delay`) */
  name: string;
  min: number;
  max: number;
  /** appended to the range in the error, e.g. "milliseconds" */
  unit?: string;
}

/**
 * Reads a whole number typed by a user: decimal digits only (no sign, exponent, fraction, hex or
 * spaces, all of which Number() would take), within [min, max]. The one rule for numeric flags,
 * so that `--delay -5` or `--port 1e3` are refused the same way by every command.
 */
export function parseDecimal(value: unknown, rule: DecimalRule): number {
  const text = String(value);
  const n = decimalValue(text, rule);
  if (n !== null) return n;
  throw new UserError(`Invalid value "${text}" for ${rule.name}: enter ${wholeNumberIn(rule)}.`, ErrorCodes.invalidValue);
}

/** The number `text` stands for under the rule, or null: the check that flags and dialogs share. */
export function decimalValue(text: string, rule: Omit<DecimalRule, 'name'>): number | null {
  const n = /^\d{1,16}$/.test(text) ? Number(text) : NaN;
  return n >= rule.min && n <= rule.max ? n : null;
}

/** `a whole number from 1 to 1000 milliseconds`, as errors and dialogs say it. */
export function wholeNumberIn(rule: Omit<DecimalRule, 'name'>): string {
  return `a whole number from ${rule.min} to ${rule.max}${rule.unit ? ` ${rule.unit}` : ''}`;
}
