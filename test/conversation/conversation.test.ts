import { Conversation } from '../../src/conversation/conversation.js';
import { SettingError } from '../../src/engine/operations/setting-error.js';
import { CancelledError, ErrorCodes } from '../../src/errors.js';
import { scriptedIO } from '../helpers/scripted.js';

describe('Conversation (AsyncOS dialogs)', () => {
  it('renders an operation menu and returns the keyword, case-insensitively', async () => {
    const io = scriptedIO(['edit']);
    const choice = await new Conversation(io).menu([
      { keyword: 'NEW', description: 'Create a new policy.' },
      { keyword: 'EDIT', description: 'Modify a policy.' },
    ]);
    expect(choice).toBe('EDIT');
    expect(io.transcript()).toBe('\nChoose the operation you want to perform:\n- NEW - Create a new policy.\n- EDIT - Modify a policy.\n[]> edit\n');
  });

  it('goes one level up on a blank answer at a menu', async () => {
    const io = scriptedIO(['']);
    expect(await new Conversation(io).menu([{ keyword: 'NEW', description: 'x' }])).toBeNull();
  });

  it('asks again after a wrong answer, with a clear message', async () => {
    const io = scriptedIO(['7', 'two', '2']);
    const index = await new Conversation(io).list('Sort results by:', ['Active Recipients', 'Connections Out'], { default: 1 });
    expect(index).toBe(1);
    expect(io.transcript().match(/You must enter a value from 1 to 2\./g)).toHaveLength(2);
  });

  it('takes a list item by name and the default on blank', async () => {
    const c = new Conversation(scriptedIO(['connections out', '']));
    expect(await c.list('Sort', ['Active Recipients', 'Connections Out'], { default: 1 })).toBe(1);
    expect(await c.list('Sort', ['Active Recipients', 'Connections Out'], { default: 1 })).toBe(0);
  });

  it("says a check's problem in its own words, also a SettingError an operation throws", async () => {
    const io = scriptedIO(['nobody@', 'taken', 'fine']);
    const c = new Conversation(io);
    const check = (v: string) => {
      if (v === 'taken') throw new SettingError('policy.name', 'there is already a policy with that name', { code: ErrorCodes.conflict });
      return v.endsWith('@') ? 'the address has no domain' : null;
    };
    expect(await c.text('Enter a name.', { check })).toBe('fine');
    expect(io.transcript()).toContain('That value is not valid: the address has no domain.\n');
    expect(io.transcript()).toContain('That value is not valid: there is already a policy with that name.\n');
  });

  it('validates text and Y/N answers', async () => {
    const io = scriptedIO(['bad value', 'good', 'maybe', 'n']);
    const c = new Conversation(io);
    expect(await c.text('Enter a word.', { validate: (v) => (v.includes(' ') ? 'No spaces.' : null) })).toBe('good');
    expect(await c.yesno('Continue?', true)).toBe(false);
    expect(io.transcript()).toContain('No spaces.');
    expect(io.transcript()).toContain('Please answer Y or N.');
    expect(io.transcript()).toContain('Continue? [Y]> n');
  });

  it('checks number ranges', async () => {
    const io = scriptedIO(['0', '1001', '50']);
    expect(await new Conversation(io).number('Max connections?', { min: 1, max: 1000, default: 500 })).toBe(50);
    expect(io.transcript()).toContain('The value must be a whole number from 1 to 1000.');
  });

  it('ends the dialog at end of input', async () => {
    await expect(new Conversation(scriptedIO([])).text('Name?')).rejects.toBeInstanceOf(CancelledError);
  });
});
