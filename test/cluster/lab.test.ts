import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { labCommand } from '../../src/commands/lab.js';
import { LABS_DIR } from '../../src/lab/catalog.js';
import { runMain } from '../helpers/run-main.js';
import { runScripted, tempHome } from '../helpers/scripted.js';
import { cleanUp, startMember, type Member } from './helpers.js';

const LAB = 'cluster-machine-policy';

describe('the two-appliance cluster lab', () => {
  let a: Member | undefined;
  afterEach(async () => {
    await cleanUp([a]);
    a = undefined;
  });

  it('lab run passes: TDC at Cluster level journals on both machines, the Machine-level policy only on esa2', async () => {
    const { transcript } = await runScripted(labCommand, [], { args: ['run', LAB], interactive: false });
    expect(transcript).toContain('PASS  esa1.example.com: the.tdc.queue delivered: 20 (expected exactly 20)');
    expect(transcript).toContain('PASS  esa2.example.com: mail_logs lines matching /matched all recipients for per-recipient policy partner in the inbound table/: 10 (expected exactly 10)');
    expect(transcript).toContain('PASS  SETD account primary messages: 30 (expected exactly 30)');
    expect(transcript).toContain('8 passed, 0 failed');
  }, 90_000);

  it('fails, per machine and with the hints, when the policy is put at Cluster level', async () => {
    const dir = tempHome();
    try {
      const file = join(dir, `${LAB}.yaml`);
      writeFileSync(file, readFileSync(join(LABS_DIR, `${LAB}.yaml`), 'utf8').replaceAll(' --mode machine:esa2.example.com', ''));
      const { code, stdout: transcript, stderr } = await runMain(['--home', dir, 'lab', 'run', file]);
      expect({ code, stderr }).toEqual({ code: 1, stderr: `Labs failed: ${LAB}.\n` });
      expect(transcript).toContain('FAIL  esa1.example.com: mail_logs lines matching /per-recipient policy partner/: 10 (expected exactly 0)');
      expect(transcript).toContain("hint: The partner policy belongs to esa2's Machine level only; at Cluster or Group level it reaches esa1 too.");
      expect(transcript).toContain('FAIL  SETD account primary messages: 20 (expected exactly 30)');
      expect(transcript).toContain('PASS  esa2.example.com: the.tdc.queue delivered: 20');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);

  it('lab start refuses it on one appliance, pointing at lab run', async () => {
    a = await startMember('esa1.example.com');
    await expect(runScripted(labCommand, [], { appliance: a.appliance, args: ['start', LAB] })).rejects.toThrow(
      `Lab ${LAB} needs 2 appliances in a cluster: play it with "lab run ${LAB}" (lab start prepares labs of one appliance).`,
    );
  });
});
