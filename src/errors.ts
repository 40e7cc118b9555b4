/**
 * The error hierarchy. Everything a user can cause is a UserError with a stable code; the
 * shell, one-shot runs and the control socket show it through describeError. Anything else is a
 * bug, reported with its stack.
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

/**
 * Arguments a command cannot take, as the appliance says it: `Invalid arguments when processing:`
 * and what was wrong; AsyncOS names no command before the colon (reference §10.9). segsim adds
 * where the usage is (`help COMMAND`, or `help` when the command is not known).
 */
export function invalidArguments(detail: string, command?: string): UserError {
  return new UserError(`Invalid arguments when processing: ${detail}. Enter "help${command ? ` ${command}` : ''}" for its usage.`, ErrorCodes.usage);
}

/** The user left a dialog (Ctrl-C, end of input); not an error to report. */
export class CancelledError extends Error {
  constructor(message = 'Cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}


/** An error as the user sees it: the same words in the shell, a one-shot run and over the control socket. */
export interface ErrorOutput {
  /** what to show (uncoloured: each front end colours it); null for a cancellation, which is not reported */
  text: string | null;
  /** the exit status of a one-shot run: 130 cancelled, 2 usage, 1 otherwise */
  exitCode: 1 | 2 | 130;
}

/** Describes an error for the user: a UserError by its message, anything else as a fault with its stack. */
export function describeError(error: unknown): ErrorOutput {
  if (error instanceof CancelledError) return { text: null, exitCode: 130 };
  if (error instanceof UserError) return { text: error.message.trim(), exitCode: error.exitCode };
  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  return { text: `An application fault occurred: ${detail}`, exitCode: 1 };
}
