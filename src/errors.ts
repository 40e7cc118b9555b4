/**
 * The error hierarchy. Everything a user can cause is a UserError with a stable code; the
 * shell, one-shot runs and the control socket show it through describeError. Anything else is a
 * bug, reported with its stack.
 */
export const ErrorCodes = {
  usage: 'USAGE',
  unknownCommand: 'UNKNOWN_COMMAND',
  invalidValue: 'INVALID_VALUE',
  unavailable: 'UNAVAILABLE',
  labFailed: 'LAB_FAILED',
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

/**
 * The exit status of a one-shot run for each code, the one place it is decided: 2 when the command
 * line itself is wrong (an unknown command or flag, a value a flag or argument cannot take, a flag
 * missing its companion), 1 when a well-formed command could not be done.
 */
const EXIT_STATUS: Record<ErrorCode, 1 | 2> = {
  USAGE: 2,
  UNKNOWN_COMMAND: 2,
  INVALID_VALUE: 2,
  // valid values that cannot take effect here and now (a port in use, a clock that cannot change speed)
  UNAVAILABLE: 1,
  LAB_FAILED: 1,
  CONFIG_CORRUPT: 1,
  CONFIG_INVALID: 1,
  NOT_FOUND: 1,
  CONFLICT: 1,
  NO_APPLIANCE: 1,
  APPLIANCE_RUNNING: 1,
  SCENARIO_INVALID: 1,
  IO: 1,
};

/** An error the user caused and can fix; shown without a stack. */
export class UserError extends Error {
  constructor(
    message: string,
    readonly code: ErrorCode = ErrorCodes.invalidValue,
  ) {
    super(message);
    this.name = 'UserError';
  }

  /** exit status for one-shot runs (EXIT_STATUS) */
  get exitCode(): 1 | 2 {
    return EXIT_STATUS[this.code];
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

/**
 * A command the appliance does not have, as AsyncOS says it: `Unknown command or missing feature
 * key: WORD` (the appliance's one line, fidelity.md). segsim's suggestion for a typo follows on a
 * line of its own, so that a tool matching the appliance's line still finds it whole.
 */
export function unknownCommand(word: string, suggestion?: string): UserError {
  return new UserError(`Unknown command or missing feature key: ${word}${suggestion ? `\nDid you mean "${suggestion}"?` : ''}`, ErrorCodes.unknownCommand);
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
