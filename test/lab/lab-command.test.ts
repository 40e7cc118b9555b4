import { labCommand } from '../../src/commands/lab.js';
import { policyconfigCommand } from '../../src/commands/policyconfig.js';
import { tdcconfigCommand } from '../../src/commands/tdcconfig.js';
import { Appliance } from '../../src/engine/appliance.js';
import { commandRegistry } from '../../src/commands/registry.js';
import { startAppliance } from '../../src/cli/run-appliance.js';
import { SetdStore } from '../../src/setd/store.js';
import { injectTraffic } from '../../src/lab/traffic.js';
import { waitFor } from '../helpers/engine.js';
import { labHome, runScripted } from '../helpers/scripted.js';

async function runningLab() {
  const appliance = new Appliance({ home: labHome() });
  const running = await startAppliance(appliance, commandRegistry());
  return { appliance, stop: () => running.stop() };
}

describe('lab', () => {
  it('lists the shipped scenarios', async () => {
    const { transcript } = await runScripted(labCommand, [], { args: ['list'], interactive: false });
    for (const name of ['default-intake', 'custom-intake', 'policy-no', 'setd-timeout', 'tls-error', 'nxdomain', 'retry-4xx-once', 'retry-5xx', 'positives-not-journaled', 'burst']) {
      expect(transcript).toContain(name);
    }
  });

  it('lab check fails, with hints, when the trainee leaves the configuration wrong', async () => {
    const { appliance, stop } = await runningLab();
    try {
      const started = await runScripted(labCommand, [], { appliance, args: ['start', 'policy-no'] });
      const intake = new SetdStore(appliance.paths.setd).accounts()[0]!.intakeAddress;
      expect(started.transcript).toContain(intake); // the task names the account's address
      // the trainee creates the policy but leaves its Threat Defense Connector on the global address
      await runScripted(policyconfigCommand, [], { appliance, flags: { new: 'executives', recipient: ['ceo@example.com'] } });
      appliance.config.commit('trainee');
      const { transcript } = await runScripted(labCommand, [], { appliance, args: ['check'] });
      expect(transcript).toMatch(/FAIL {2}the\.tdc\.queue delivered: 20 \(expected exactly 10\)/);
      expect(transcript).toContain("hint: Only the 10 messages outside the executives policy should reach SETD; set the policy's TDC to No.");
      expect(transcript).toMatch(/\d+ passed, [1-9]\d* failed/);
      await expect(runScripted(labCommand, [], { appliance, args: ['check'], interactive: false })).rejects.toThrow(/expectation\(s\) failed/);
    } finally {
      await stop();
    }
  });

  it('lab check passes once the trainee does it right, counting only the lab traffic (not mail sent by hand beside it)', async () => {
    const { appliance, stop } = await runningLab();
    try {
      await runScripted(labCommand, [], { appliance, args: ['start', 'default-intake'] });
      const intake = new SetdStore(appliance.paths.setd).accounts()[0]!.intakeAddress;
      await runScripted(tdcconfigCommand, [], { appliance, flags: { enable: true, intakeAddress: intake } });
      appliance.config.commit('trainee');
      // the trainee tries it out by hand first: 3 more journaled messages, before the lab's 20
      await injectTraffic(appliance.live!.listenerAddress(), { count: 3, to: ['example.com'] });
      await waitFor(() => appliance.live!.hosts().find((h) => h.host === 'the.tdc.queue')?.deliveredRecipients === 3);
      const { transcript } = await runScripted(labCommand, [], { appliance, args: ['check'] });
      expect(transcript).toContain('PASS  the.tdc.queue delivered: 20 (expected exactly 20)');
      expect(transcript).toContain('8 passed, 0 failed');
    } finally {
      await stop();
    }
  });

  it('lab run plays a scenario end to end without a person', async () => {
    const { transcript } = await runScripted(labCommand, [], { args: ['run', 'retry-5xx'], interactive: false });
    expect(transcript).toContain('5 passed, 0 failed');
    expect(transcript).toContain('Labs: 1 of 1 scenarios passed.');
  });
});
