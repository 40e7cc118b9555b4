import { CancelledError, describeError, ErrorCodes, UserError } from '../../src/errors.js';

describe('describeError', () => {
  it('shows a UserError by its message with its exit status, a cancellation not at all, anything else as a fault with its stack', () => {
    expect(describeError(new UserError('  Unknown command: "nosuch".\n', ErrorCodes.unknownCommand))).toEqual({ text: 'Unknown command: "nosuch".', exitCode: 2 });
    expect(describeError(new UserError('No such listener.', ErrorCodes.notFound))).toEqual({ text: 'No such listener.', exitCode: 1 });
    expect(describeError(new CancelledError())).toEqual({ text: null, exitCode: 130 });
    const bug = describeError(new TypeError('x is undefined'));
    expect(bug.exitCode).toBe(1);
    expect(bug.text).toMatch(/^An application fault occurred: TypeError: x is undefined\n\s+at /);
    expect(describeError('thrown text')).toEqual({ text: 'An application fault occurred: thrown text', exitCode: 1 });
  });
});
