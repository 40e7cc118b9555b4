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
  const n = /^\d{1,16}$/.test(text) ? Number(text) : NaN;
  if (n >= rule.min && n <= rule.max) return n;
  const range = `from ${rule.min} to ${rule.max}${rule.unit ? ` ${rule.unit}` : ''}`;
  throw new UserError(`Invalid value "${text}" for ${rule.name}: enter a whole number ${range}.`, ErrorCodes.invalidValue);
}
