import { labCommand } from '../../src/commands/lab.js';
import { policyconfigCommand } from '../../src/commands/policyconfig.js';
import { tdcconfigCommand } from '../../src/commands/tdcconfig.js';
import { Appliance } from '../../src/engine/appliance.js';
import { commandRegistry } from '../../src/commands/registry.js';
import { startAppliance } from '../../src/cli/run-appliance.js';
import { logFiles, lineTime } from '../../src/engine/logs/log-files.js';
import { readFileSync } from 'node:fs';
import { SetdStore } from '../../src/setd/store.js';
import { injectTraffic } from '../../src/lab/traffic.js';
import { waitFor } from '../helpers/engine.js';
import { consoleSession, labHome, runScripted } from '../helpers/scripted.js';

async function runningLab() {
  const appliance = new Appliance({ home: labHome() });
  const running = await startAppliance(appliance, commandRegistry());
  return { appliance, stop: () => running.stop() };
}

describe('lab', () => {
  it('lists the shipped scenarios', async () => {
    const { transcript } = await runScripted(labCommand, [], { args: ['list'], interactive: false });
    for (const name of ['default-intake', 'custom-intake', 'policy-no', 'default-no', 'setd-timeout', 'tls-error', 'nxdomain', 'retry-4xx-once', 'retry-5xx', 'positives-not-journaled', 'burst']) {
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
      await consoleSession(appliance).config.commit('trainee');
      const { transcript } = await runScripted(labCommand, [], { appliance, args: ['check'] });
      expect(transcript).toMatch(/FAIL {2}the\.tdc\.queue delivered: 20 \(expected exactly 10\)/);
      expect(transcript).toContain("hint: Only the 10 messages outside the executives policy should reach SETD; set the policy's TDC to No.");
      expect(transcript).toMatch(/\d+ passed, [1-9]\d* failed/);
      expect(transcript).toContain('Judged: the lab traffic this check sent; mail sent beside it is not counted.');
      await expect(runScripted(labCommand, [], { appliance, args: ['check'], interactive: false })).rejects.toThrow(/expectation\(s\) failed/);
      // nothing changed: the same traffic is judged again, and the check says when it was sent
      const same = await runScripted(labCommand, [], { appliance, args: ['check'] });
      expect(same.transcript).toMatch(/Judged: the lab traffic sent at \w{3} \w{3} [ \d]\d \d\d:\d\d:\d\d \d{4} \w+ \(no configuration committed since\)/);
      expect(same.transcript).toMatch(/FAIL {2}the\.tdc\.queue delivered: 20/);
      // the fix: the traffic before it showed the old configuration, so the check sends it again
      await runScripted(policyconfigCommand, [], { appliance, flags: { edit: 'executives', tdc: 'no' } });
      await consoleSession(appliance).config.commit('the fix');
      const fixed = await runScripted(labCommand, [], { appliance, args: ['check'] });
      expect(fixed.transcript).toContain('The configuration changed since the lab traffic was sent: sending it again, then checking');
      expect(fixed.transcript).toContain('Judged: the lab traffic this check sent again, after the last configuration change; mail sent beside it is not counted.');
      expect(fixed.transcript).toContain('PASS  the.tdc.queue delivered: 10 (expected exactly 10)');
      expect(fixed.transcript).toMatch(/\d+ passed, 0 failed/);
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
      await consoleSession(appliance).config.commit('trainee');
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

  it('lab start refuses while the session has uncommitted changes, and says what it resets', async () => {
    const { appliance, stop } = await runningLab();
    try {
      await runScripted(tdcconfigCommand, [], { appliance, flags: { enable: true, intakeAddress: 'x@beta.cmd.cisco.com' } });
      await expect(runScripted(labCommand, [], { appliance, args: ['start', 'policy-no'] })).rejects.toThrow(/uncommitted changes/);
      // an unknown lab is told first, whatever is pending
      await expect(runScripted(labCommand, [], { appliance, args: ['start', 'nosuch'] })).rejects.toThrow(/No lab named "nosuch"\. Labs: .*default-intake/);
      await consoleSession(appliance).config.commit('trainee');
      const { transcript } = await runScripted(labCommand, [], { appliance, args: ['start', 'setd-timeout'] });
      expect(transcript).toContain('Reset for the lab:');
      expect(transcript).toContain('Threat Defense Connector: enabled: yes -> no');
      expect(transcript).toContain('SETD faults: all cleared');
      expect(transcript).toContain('Time: runs 20 times faster in this lab');
      expect(appliance.clock.factor).toBe(20);
      const stopped = await runScripted(labCommand, [], { appliance, args: ['stop'] });
      expect(stopped.transcript).toMatch(/Lab setd-timeout stopped: SETD faults cleared; time back to normal/);
      expect(appliance.clock.factor).toBeLessThan(2);
      expect(new SetdStore(appliance.paths.setd).faults()).toEqual([]);
      await expect(runScripted(labCommand, [], { appliance, args: ['check'] })).rejects.toThrow(/No lab has been started/);
    } finally {
      await stop();
    }
  });

  it('one lab after another in one shell, with a restart between: each passes, mail_logs never goes back in time', async () => {
    const home = labHome();
    const play = async (name: string) => {
      const appliance = new Appliance({ home });
      const running = await startAppliance(appliance, commandRegistry());
      try {
        await runScripted(labCommand, [], { appliance, args: ['start', name] });
        const { transcript } = await runScripted(labCommand, [], { appliance, args: ['check'] });
        expect(transcript).toMatch(/ 0 failed/);
      } finally {
        await running.stop();
      }
    };
    await play('setd-timeout'); // x20: the appliance clock ends minutes ahead of real time
    await play('tls-error'); // a restarted appliance: its clock starts where the logs end
    const times = logFiles(`${home}/logs`, 'mail_logs')
      .flatMap((f) => readFileSync(f, 'utf8').split('\n'))
      .map(lineTime)
      .filter((t) => t !== null);
    expect(times.length).toBeGreaterThan(20);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  }, 120_000);

  it('lab run default-no: DEFAULT set to No stops a policy left at (use default), one on Use Global Settings is journaled', async () => {
    const { transcript } = await runScripted(labCommand, [], { args: ['run', 'default-no'], interactive: false });
    expect(transcript).toMatch(/Lab default-no: [^\n]*\n(?:.*\n)*?\s*\d+ passed, 0 failed/);
    expect(transcript).toContain('Labs: 1 of 1 scenarios passed.');
  }, 60_000);

  it('lab run positives-not-journaled: a virus or spam in an attachment is found and not journaled', async () => {
    const { transcript } = await runScripted(labCommand, [], { args: ['run', 'positives-not-journaled'], interactive: false });
    expect(transcript).toContain('PASS  the.tdc.queue delivered: 14 (expected exactly 14)');
    expect(transcript).toContain('Labs: 1 of 1 scenarios passed.');
  }, 60_000);

  it('lab run plays a scenario end to end without a person', async () => {
    const { transcript } = await runScripted(labCommand, [], { args: ['run', 'retry-5xx'], interactive: false });
    expect(transcript).toContain('5 passed, 0 failed');
    expect(transcript).toContain('Labs: 1 of 1 scenarios passed.');
  });
});
