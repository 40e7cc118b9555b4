/**
 * The error hierarchy. Everything a user can cause is a UserError with a stable code; the
 * top-level handler (and the shell) prints its message. Anything else is a bug, reported with its
 * stack (main.ts, reportError).
 */
export const ErrorCodes = {
  usage: 'USAGE',
  unknownCommand: 'UNKNOWN_COMMAND',
  invalidValue: 'INVALID_VALUE',
  configCorrupt: 'CONFIG_CORRUPT',
  configInvalid: 'CONFIG_INVALID',
  notFound: 'NOT_FOUND',
  conflict: 'CONFLICT',
  noAppliance: 'NO_APPLIANCE',
  applianceRunning: 'APPLIANCE_RUNNING',
  scenarioInvalid: 'SCENARIO_INVALID',
  io: 'IO',
} as const;

export type ErrorCode = (typeof ErrorCodes)[keyof typeof ErrorCodes];

/** An error the user caused and can fix; shown without a stack. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly code: ErrorCode = ErrorCodes.invalidValue,
    /** exit status for one-shot runs: 2 for usage errors, 1 otherwise */
    readonly exitCode: 1 | 2 = code === ErrorCodes.usage || code === ErrorCodes.unknownCommand ? 2 : 1,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

/** The user left a dialog (Ctrl-C, end of input); not an error to report. */
export class CancelledError extends Error {
  constructor(message = 'Cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

