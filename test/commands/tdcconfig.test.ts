import { tdcconfigCommand } from '../../src/commands/tdcconfig.js';
import { UserError } from '../../src/errors.js';
import { expectGolden } from '../helpers/golden.js';
import { runBinary } from '../helpers/run-main.js';
import { consoleSession, labHome, runScripted } from '../helpers/scripted.js';

const ADDRESS = 'b5986efe-374c-47a5-aade-b8d98847e1a6@beta.cmd.cisco.com';

describe('tdcconfig', () => {
  it('walks the dialog: a wrong address is asked again, blank Enter leaves (golden transcript)', async () => {
    const { transcript, appliance } = await runScripted(tdcconfigCommand, ['enable', 'not an address', 'nobody@', ADDRESS, '']);
    expectGolden('tdcconfig.txt', transcript);
    expect(consoleSession(appliance).config.pending.tdc).toEqual({ enabled: true, intakeAddress: ADDRESS });
    expect(appliance.configuration.current.tdc.enabled).toBe(false); // pending until commit
  });

  it('disables after confirmation', async () => {
    const { appliance } = await runScripted(tdcconfigCommand, [], { flags: { enable: true, intakeAddress: ADDRESS } });
    await runScripted(tdcconfigCommand, ['disable', 'y', ''], { appliance });
    expect(consoleSession(appliance).config.pending.tdc).toEqual({ enabled: false, intakeAddress: ADDRESS });
  });

  it.each([
    ['', /the address is empty/],
    ['with space@example.com', /must not contain spaces/],
    ['no-domain', /has no domain/],
    ['bad<chars>@example.com', /characters that are not allowed/],
    ['user@nodot', /not a valid domain/],
    [`${'a'.repeat(65)}@example.com`, /longer than 64/],
    [`a@${'b'.repeat(250)}.com`, /longer than 254/],
  ])('refuses the intake address %j and changes nothing', async (address, problem) => {
    const { appliance } = await runScripted(tdcconfigCommand, [], { flags: { json: true } });
    await expect(runScripted(tdcconfigCommand, [], { appliance, flags: { enable: true, intakeAddress: address } })).rejects.toThrow(problem);
    expect(consoleSession(appliance).config.hasChanges()).toBe(false);
  });

  it('refuses to enable without an address', async () => {
    await expect(runScripted(tdcconfigCommand, [], { flags: { enable: true }, interactive: false })).rejects.toThrow(UserError);
  });

  it("names the flag that gives a missing address: the command line's own words", async () => {
    await expect(runScripted(tdcconfigCommand, [], { flags: { enable: true }, interactive: false })).rejects.toThrow(
      'A Message Intake Address is required to enable the Threat Defense Connector: give --intake-address.',
    );
  });

  it("a one-shot run of the real binary says the flag hint, and the rest of the words are the operation's", async () => {
    const home = labHome();
    const missing = await runBinary(['--home', home, 'tdcconfig', '--enable']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toContain('A Message Intake Address is required to enable the Threat Defense Connector: give --intake-address.');
    const bad = await runBinary(['--home', home, 'tdcconfig', '--enable', '--intake-address', 'nobody@']);
    expect(bad.stderr).toContain('Invalid Message Intake Address "nobody@": the address has no domain.');
    expect(bad.stderr).not.toContain('That value is not valid');
  });

  it('prints the settings as JSON', async () => {
    const { transcript } = await runScripted(tdcconfigCommand, [], { flags: { json: true }, interactive: false });
    expect(JSON.parse(transcript)).toEqual({ enabled: false, intakeAddress: null });
  });
});
