import { labHome } from '../helpers/scripted.js';
import { runBinary } from '../helpers/run-main.js';

describe('the shell driven from stdin (end to end, real binary)', () => {
  it('reads commands and dialog answers line by line and prints plain text', async () => {
    const home = labHome();
    const script = ['sethostname esa5.example.com', 'commit', 'renamed for the lab', '', 'bogus', 'quit', ''].join('\n');
    const r = await runBinary(['--home', home], script);
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('\u001b['); // no ink, no colour codes
    expect(r.stdout).toMatch(/listener IncomingMail on 127\.0\.0\.1:\d+/);
    expect(r.stdout).toContain('esa1.example.com> sethostname esa5.example.com\n');
    expect(r.stdout).toContain('Please enter some comments describing your changes:\n[]> renamed for the lab\nDo you want to save the current configuration for rollback? [Y]> \n');
    expect(r.stdout).toMatch(/Changes committed: .*\nesa5\.example\.com> bogus\nUnknown command or missing feature key: bogus\n/);
    // the commit survives a restart
    expect((await runBinary(['--home', home, 'sethostname'])).stdout).toBe('esa5.example.com\n');
  });

  it('asks for confirmation before quitting with uncommitted changes, and keeps nothing pending', async () => {
    const home = labHome();
    const r = await runBinary(['--home', home], 'sethostname esa6.example.com\nquit\nn\nquit\ny\n');
    expect(r.stdout.match(/Are you sure you wish to exit\? \[N\]> /g)).toHaveLength(2);
    expect((await runBinary(['--home', home, 'sethostname'])).stdout).toBe('esa1.example.com\n');
  });
});
