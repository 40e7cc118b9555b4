import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { versionCommand } from '../../src/commands/version.js';
import { Appliance } from '../../src/engine/appliance.js';
import { expectGolden } from '../helpers/golden.js';
import { runScripted, tempHome } from '../helpers/scripted.js';

const NOW = Date.UTC(2024, 1, 16, 21, 19, 22);
const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

function appliance(): Appliance {
  const home = tempHome();
  homes.push(home);
  return new Appliance({ home, clock: { now: () => NOW, setTimeout: () => ({ cancel() {} }) } });
}

describe('version', () => {
  it("matches the golden block: the appliance's fields only, segsim's own version is segsim -V", async () => {
    const a = appliance();
    mkdirSync(a.paths.state, { recursive: true });
    writeFileSync(join(a.paths.state, 'identity.json'), JSON.stringify({ serial: '4229A1B2C3D4E5F60718-0E0C1F2D3B4A', installedAt: Date.UTC(2024, 0, 20, 9, 30, 5) }));
    const { transcript } = await runScripted(versionCommand, [], { appliance: a });
    expectGolden('version.txt', transcript);
    expect(transcript).not.toMatch(/segsim/i);
    // a virtual appliance's lines: the product first, the machine after BIOS, the rule sets after BMC
    expect(transcript).toMatch(/^Product: Cisco C100V Email Security Virtual Appliance\nModel: C100V$/m);
    expect(transcript).toMatch(/^BIOS: 6\.00\nCPUs: .*\nMemory: .*\nHard disk: .*\nRAID: NA$/m);
    expect(transcript).toMatch(/^BMC: NA\nCisco Trusted Root Certificate Bundle: 2\.0 \(Tue Oct 05 13:36:26 2021\)$/m);
  });

  it('makes a serial number and install date at first use, and keeps them', async () => {
    const a = appliance();
    const first = (await runScripted(versionCommand, [], { appliance: a })).transcript;
    // a virtual appliance's shape, with VMware's 42 first as a real C100V's
    expect(first).toMatch(/^Serial #: 42[0-9A-F]{18}-[0-9A-F]{12}$/m);
    expect(first).toContain('Install Date: 2024-02-16 21:19:22');
    expect((await runScripted(versionCommand, [], { appliance: a })).transcript).toBe(first);
  });

  it('keeps a bad identity file aside, says so, and makes a new one', async () => {
    const a = appliance();
    mkdirSync(a.paths.state, { recursive: true });
    writeFileSync(join(a.paths.state, 'identity.json'), '{"serial": 42}');
    const { transcript } = await runScripted(versionCommand, [], { appliance: a });
    expect(transcript).toMatch(/identity\.json is not valid: .*serial must be text.*; kept as .*identity\.json\.bad-\S+, and a new serial number made\./);
    expect(transcript).toMatch(/^Serial #: [0-9A-F]{20}-[0-9A-F]{12}$/m);
    expect(readdirSync(a.paths.state).filter((f) => f.startsWith('identity.json.bad-'))).toHaveLength(1);
  });
});
