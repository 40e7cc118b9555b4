import { startHeadless } from '../helpers/headless.js';
import { runBinary } from '../helpers/run-main.js';
import { labHome } from '../helpers/scripted.js';

describe('a shell that attaches to a running appliance (the real binary, three processes)', () => {
  it('commits a policy from the attached shell; a third process sees it and the running engine journals by it', async () => {
    const home = labHome();
    const appliance = await startHeadless(home);
    const segsim = (...args: string[]) => runBinary(['--home', home, ...args]);
    try {
      const primary = JSON.parse((await segsim('setd', 'setup', '--yes', '--region', 'beta', '--name', 'primary', '--json')).stdout);
      const partner = JSON.parse((await segsim('setd', 'setup', '--yes', '--region', 'beta', '--name', 'partner', '--json')).stdout);
      expect((await segsim('tdcconfig', '--enable', '--intake-address', primary.intakeAddress)).code).toBe(0);

      const shell = await runBinary(
        ['--home', home],
        [
          'policyconfig --new partner --recipient ceo@example.com',
          `policyconfig --edit partner --tdc custom --intake-address ${partner.intakeAddress}`,
          'commit',
          'partner policy journals to its own SETD account',
          '',
          'quit',
          '',
        ].join('\n'),
      );
      expect(shell.code).toBe(0);
      expect(shell.stdout).toContain('Attached to the running appliance');
      expect(shell.stdout).not.toContain('already running');
      expect(shell.stdout).toMatch(/Changes committed: /);

      const listed = JSON.parse((await segsim('policyconfig', '--list', '--json')).stdout) as { name: string; tdc: { mode: string; intakeAddress?: string } }[];
      expect(listed.find((p) => p.name === 'partner')?.tdc).toEqual({ mode: 'custom', intakeAddress: partner.intakeAddress });

      expect((await segsim('inject', '--count', '2', '--to', 'ceo@example.com')).stdout).toContain('Accepted: 2');
      expect((await segsim('inject', '--count', '1', '--to', 'someone@example.com')).stdout).toContain('Accepted: 1');
      const received = async (account: string) => JSON.parse((await segsim('setd', 'messages', '--account', account, '--json')).stdout).length as number;
      let counts = [0, 0];
      for (let i = 0; i < 100 && (counts[0]! < 1 || counts[1]! < 2); i++) {
        counts = [await received(primary.id), await received(partner.id)];
        if (counts[0]! < 1 || counts[1]! < 2) await new Promise((r) => setTimeout(r, 200));
      }
      expect(counts).toEqual([1, 2]);
    } finally {
      await appliance.stop();
    }
    expect(appliance.output()).toContain('Appliance stopped.');
  }, 60_000);
});
