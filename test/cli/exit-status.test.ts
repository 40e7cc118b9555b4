import { runBinary } from '../helpers/run-main.js';
import { tempHome } from '../helpers/scripted.js';

describe('the exit status of a one-shot run (the real binary)', () => {
  it('is 2 for a bad value or a missing companion flag in every command, 1 for a well-formed command that fails', async () => {
    const home = tempHome();
    const segsim = (...args: string[]) => runBinary(['--home', home, ...args]);
    expect((await segsim('policyconfig', '--new', 'partner', '--recipient', 'ceo@example.com')).code).toBe(0);
    const cases: [string[], 1 | 2, string][] = [
      // bad values, checked as the line is parsed
      [['listenerconfig', '--port', 'abc'], 2, 'Invalid value "abc" for --port'],
      [['setd', 'fault', 'slow', '--delay', '-5'], 2, 'Invalid value "-5" for --delay'],
      [['inject', '--count', '0x10'], 2, 'Invalid value "0x10" for --count'],
      [['destconfig', '--domain', 'example.com', '--max-connections', '1e2'], 2, 'Invalid value "1e2" for --max-connections'],
      [['policyconfig', '--edit', 'partner', '--tdc', 'maybe'], 2, '"maybe"'],
      // bad values, checked by the command
      [['sethostname', 'not_a_host!'], 2, 'Invalid hostname "not_a_host!"'],
      [['tdcconfig', '--intake-address', 'nodomain'], 2, 'Invalid Message Intake Address "nodomain"'],
      [['grep', '-e', '(', 'mail_logs'], 2, 'Invalid regular expression "("'],
      // missing companions
      [['policyconfig', '--edit', 'partner', '--tdc', 'custom'], 2, 'give --intake-address'],
      [['tdcconfig', '--enable'], 2, 'give --intake-address'],
      [['policyconfig', '--intake-address', 'x@example.com'], 2, '--intake-address needs --tdc'],
      // well-formed commands that cannot be done
      [['policyconfig', '--edit', 'nosuch', '--tdc', 'no'], 1, 'There is no incoming policy named "nosuch"'],
      [['listenerconfig', '--bind', '192.0.2.1'], 1, 'cannot listen on 192.0.2.1:2525'],
    ];
    for (const [args, code, words] of cases) {
      const r = await segsim(...args);
      expect({ args, code: r.code }).toEqual({ args, code });
      expect(r.stderr).toContain(words);
    }
    // nothing was stored by any of them
    expect(JSON.parse((await segsim('tdcconfig', '--json')).stdout)).toEqual({ enabled: false, intakeAddress: null });
    expect((await segsim('sethostname')).stdout).toBe('esa1.example.com\n');
  }, 60_000);
});
