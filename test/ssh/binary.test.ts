import { setAdminPassword } from '../../src/engine/admin-account.js';
import { homePaths } from '../../src/engine/home.js';
import { startHeadless } from '../helpers/headless.js';
import { labHome } from '../helpers/scripted.js';
import { sshExec, TEST_PASSWORD } from '../helpers/ssh.js';

describe('the real binary serves SSH', () => {
  it('segsim start says where SSH listens, and ssh runs a batch there', async () => {
    const home = labHome();
    await setAdminPassword(homePaths(home), TEST_PASSWORD);
    const appliance = await startHeadless(home);
    try {
      const [, port] = /^ {2}SSH on 127\.0\.0\.1:(\d+) \(ssh -p \1 admin@127\.0\.0\.1\)$/m.exec(appliance.output()) ?? [];
      expect(port, appliance.output()).toBeDefined();
      const r = await sshExec(Number(port), 'sethostname binary.example.com; commit "from the binary"; version');
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toContain('Version: 15.5.1-055');
      expect((await sshExec(Number(port), 'commit')).stdout.trim()).toBe('There is no data to commit.');
    } finally {
      await appliance.stop();
    }
  }, 60_000);
});
