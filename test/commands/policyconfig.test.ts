import { policyconfigCommand } from '../../src/commands/policyconfig.js';
import { tdcconfigCommand } from '../../src/commands/tdcconfig.js';
import { Appliance } from '../../src/engine/appliance.js';
import { expectGolden } from '../helpers/golden.js';
import { consoleSession, runScripted, tempHome } from '../helpers/scripted.js';

const GLOBAL = 'b5986efe@beta.cmd.cisco.com';
const CUSTOM = '15e1c36b@beta.cmd.cisco.com';

async function labAppliance(): Promise<Appliance> {
  const appliance = new Appliance({ home: tempHome() });
  await runScripted(tdcconfigCommand, [], { appliance, flags: { enable: true, intakeAddress: GLOBAL } });
  await runScripted(policyconfigCommand, [], { appliance, flags: { new: 'partner', recipient: ['partner.example', '.partner.example'] } });
  await runScripted(policyconfigCommand, [], { appliance, flags: { edit: 'partner', tdc: 'custom', intakeAddress: CUSTOM } });
  await runScripted(policyconfigCommand, [], { appliance, flags: { new: 'executives', recipient: ['ceo@example.com'], sender: ['board@example.com'] } });
  await runScripted(policyconfigCommand, [], { appliance, flags: { edit: 'executives', tdc: 'no', antispam: 'off' } });
  await runScripted(policyconfigCommand, [], { appliance, flags: { new: 'sales', recipient: ['sales.example.com'] } });
  return appliance;
}

describe('policyconfig', () => {
  it('PRINT shows the Threat Defense Connector column (golden transcript)', async () => {
    const appliance = await labAppliance();
    const { transcript } = await runScripted(policyconfigCommand, [], { appliance, flags: { list: true }, interactive: false });
    expectGolden('policyconfig-print.txt', transcript);
  });

  it('a new policy follows DEFAULT in every service; the flags set and refuse use-default, DEFAULT has only its own settings', async () => {
    const appliance = await labAppliance();
    const run = (flags: Record<string, unknown>) => runScripted(policyconfigCommand, [], { appliance, flags, interactive: false });
    const policy = (name: string) => consoleSession(appliance).config.pending.incomingPolicies.find((p) => p.name === name)!;
    expect(policy('sales')).toMatchObject({ antispam: 'use-default', antivirus: 'use-default', tdc: { mode: 'use-default' } });
    // settings given with --new are part of the same edit
    await run({ new: 'legal', recipient: ['legal.example'], tdc: 'global', antispam: 'off', antivirus: 'on' });
    expect(policy('legal')).toMatchObject({ antispam: 'off', antivirus: 'on', tdc: { mode: 'global' } });
    await run({ edit: 'legal', tdc: 'USE-DEFAULT', antispam: 'use-default' });
    expect(policy('legal')).toMatchObject({ antispam: 'use-default', antivirus: 'on', tdc: { mode: 'use-default' } });
    await run({ edit: 'DEFAULT', tdc: 'no' });
    expect(policy('DEFAULT').tdc).toEqual({ mode: 'no' });

    const before = structuredClone(consoleSession(appliance).config.pending);
    await expect(run({ edit: 'DEFAULT', tdc: 'use-default' })).rejects.toThrow(
      'The DEFAULT policy cannot use the default settings of itself for the Threat Defense Connector: choose global, custom or no.',
    );
    await expect(run({ edit: 'DEFAULT', antivirus: 'use-default' })).rejects.toThrow('The DEFAULT policy cannot use the default settings of itself for Anti-Virus: choose on or off.');
    await expect(run({ edit: 'sales', tdc: 'default' })).rejects.toThrow('--tdc takes use-default, global, custom or no, not "default" ("default" is now "global": the global intake address).');
    await expect(run({ edit: 'sales', antispam: 'default' })).rejects.toThrow(`--antispam takes on, off or use-default, not "default" ("default" is now "use-default": the DEFAULT policy's setting).`);
    // a refused setting takes the rest of its action with it: no half-made policy, no half-done edit
    await expect(run({ new: 'half', recipient: ['half.example'], tdc: 'custom' })).rejects.toThrow(/custom intake address is needed/);
    await expect(run({ edit: 'sales', name: 'sold', tdc: 'custom', intakeAddress: 'bad' })).rejects.toThrow(/Invalid Message Intake Address/);
    expect(consoleSession(appliance).config.pending).toEqual(before);
  });

  it('NEW asks what the appliance asks: members entry by entry, each service enabled or following DEFAULT, and says what segsim does not simulate (golden transcript)', async () => {
    const appliance = new Appliance({ home: tempHome() });
    await runScripted(tdcconfigCommand, [], { appliance, flags: { enable: true, intakeAddress: GLOBAL } });
    const { transcript } = await runScripted(
      policyconfigCommand,
      [
        'NEW',
        'partner',
        '1',
        '1',
        '.trusted.example',
        'Y', // senders
        '2',
        '2',
        'partner.example',
        'N', // receivers (LDAP asked for, not simulated)
        'Y', // Anti-Spam enabled
        'N',
        'N', // Anti-Virus: not enabled, not the policy table default: off
        'Y',
        '2',
        CUSTOM, // Threat Defense Connector: a custom intake address
        '',
      ],
      { appliance, flags: { table: 'incoming' } },
    );
    expectGolden('policyconfig-new.txt', transcript);
    expect(consoleSession(appliance).config.pending.incomingPolicies[0]).toEqual({
      name: 'partner',
      senders: ['.trusted.example'],
      recipients: ['partner.example'],
      antispam: 'on',
      antivirus: 'off',
      tdc: { mode: 'custom', intakeAddress: CUSTOM },
    });
  });

  it("EDIT offers the appliance's sub-operations; THREATDEFENSE offers use default to a custom policy only", async () => {
    const appliance = await labAppliance();
    const { transcript } = await runScripted(
      policyconfigCommand,
      ['EDIT', 'sales', 'OUTBREAK', 'THREATDEFENSE', '4', 'ANTISPAM', 'DISABLE', '', 'EDIT', 'DEFAULT', 'THREATDEFENSE', '3', 'ANTIVIRUS', 'DEFAULT', '', '', ''],
      { appliance, flags: { table: 'incoming' } },
    );
    const editMenu = transcript.slice(transcript.indexOf('Policy: sales'), transcript.indexOf('[]> OUTBREAK'));
    expect([...editMenu.matchAll(/^- (\w+) - /gm)].map((m) => m[1])).toEqual([
      'NAME',
      'NEW',
      'DELETE',
      'PRINT',
      'ANTISPAM',
      'ANTIVIRUS',
      'ADVANCEDMALWARE',
      'OUTBREAK',
      'FILTERS',
      'GRAYMAIL',
      'ASSIGN',
      'ADVANCEDPHISHING',
      'THREATDEFENSE',
    ]);
    expect(transcript).toContain('segsim does not simulate Outbreak Filters: there is nothing to modify.');
    expect(transcript).toContain(`Threat Defense Connector for policy sales: (use default) Use Global Settings (${GLOBAL})`);
    expect(transcript).toContain(`1. Use Default Settings (DEFAULT: Use Global Settings (${GLOBAL}))\n2. Use Global Settings (${GLOBAL})\n3. Use custom Message Intake Address\n4. No\n[1]> 4`);
    expect(transcript).toContain('Anti-Spam for policy sales: (use default) (DEFAULT: Enabled)');
    expect(transcript).toContain(`1. Use Global Settings (${GLOBAL})\n2. Use custom Message Intake Address\n3. No\n[1]> 3`);
    expect(transcript).toContain('Unknown option "DEFAULT"'); // DEFAULT's Anti-Virus cannot follow itself
    const pending = consoleSession(appliance).config.pending.incomingPolicies;
    expect(pending.find((p) => p.name === 'sales')).toMatchObject({ antispam: 'off', tdc: { mode: 'no' } });
    expect(pending.at(-1)).toMatchObject({ antivirus: 'on', tdc: { mode: 'no' } });
  });

  it('says when a policy uses the global address while TDC is disabled', async () => {
    const { transcript } = await runScripted(policyconfigCommand, [], { flags: { list: true }, interactive: false });
    expect(transcript).toContain('1.  DEFAULT: Use Global Settings (no intake address set yet), disabled globally');
    expect(transcript).toContain('do not journal while the Threat Defense');
  });

  it('creates, edits and navigates by dialog: blank Enter goes one level up', async () => {
    const { transcript, appliance } = await runScripted(policyconfigCommand, [
      '', // table: Incoming (default)
      'NEW',
      'sales',
      '',
      '',
      'sales.example.com',
      '',
      ...Array(6).fill(''),
      'EDIT',
      'sales',
      'THREATDEFENSE',
      '3',
      'notvalid',
      CUSTOM,
      '', // leave EDIT
      '', // leave policyconfig
    ]);
    expect(transcript).toContain('That value is not valid: the address has no domain.');
    expect(consoleSession(appliance).config.pending.incomingPolicies.map((p) => [p.name, p.tdc])).toEqual([
      ['sales', { mode: 'custom', intakeAddress: CUSTOM }],
      ['DEFAULT', { mode: 'global' }],
    ]);
  });

  it('asks again after a wrong menu answer', async () => {
    const { transcript } = await runScripted(policyconfigCommand, ['1', 'FROB', '']);
    expect(transcript).toContain('Unknown option "FROB". Enter one of: NEW, EDIT, DELETE, PRINT, SEARCH, MOVE.');
  });

  it("says a refusal in the command line's words: the flag that gives a missing setting", async () => {
    const appliance = await labAppliance();
    const run = (flags: Record<string, unknown>) => runScripted(policyconfigCommand, [], { appliance, flags, interactive: false });
    await expect(run({ new: 'empty' })).rejects.toThrow('Policy "empty" needs at least one sender or recipient: give --recipient or --sender.');
    await expect(run({ edit: 'partner', tdc: 'custom' })).rejects.toThrow('A custom intake address is needed: give --intake-address.');
    // a refused value is said as the operation says it: the value is the flag's
    await expect(run({ new: 'odd', recipient: ['ok.example', 'not@@valid'] })).rejects.toThrow(/^Invalid entry "not@@valid": /);
  });

  it("says a refused entry in the dialog's words, naming the entry of the list", async () => {
    const { transcript, appliance } = await runScripted(policyconfigCommand, ['', 'NEW', 'sales', '', '', 'ok.example, not@@valid', 'sales.example.com', '', ...Array(6).fill(''), '']);
    expect(transcript).toMatch(/That value is not valid: entry "not@@valid": [^\n]+\.\n/);
    expect(consoleSession(appliance).config.pending.incomingPolicies.map((p) => p.name)).toEqual(['sales', 'DEFAULT']);
  });

  it('keeps DEFAULT last and undeletable; refuses duplicates and bad members', async () => {
    const appliance = await labAppliance();
    const run = (flags: Record<string, unknown>) => runScripted(policyconfigCommand, [], { appliance, flags, interactive: false });
    await expect(run({ delete: 'DEFAULT' })).rejects.toThrow('The DEFAULT policy cannot be deleted.');
    await expect(run({ move: 'DEFAULT', position: '1' })).rejects.toThrow(/always last/);
    await expect(run({ new: 'partner', recipient: ['x.example'] })).rejects.toThrow('There is already a policy with the new name.');
    await expect(run({ new: 'odd', recipient: ['not a domain'] })).rejects.toThrow(/not a valid/);
    await expect(run({ new: 'empty' })).rejects.toThrow(/needs at least one sender or recipient/);
    await expect(run({ edit: 'partner', tdc: 'custom' })).rejects.toThrow(/custom intake address is needed/);
    await expect(run({ edit: 'partner', tdc: 'custom', intakeAddress: 'bad' })).rejects.toThrow(/Invalid Message Intake Address/);
    await run({ move: 'executives', position: '1' });
    expect(consoleSession(appliance).config.pending.incomingPolicies.map((p) => p.name)).toEqual(['executives', 'partner', 'sales', 'DEFAULT']);
    await run({ delete: 'partner' });
    expect(consoleSession(appliance).config.pending.incomingPolicies.map((p) => p.name)).toEqual(['executives', 'sales', 'DEFAULT']);
  });

  it('SEARCH finds the first matching policy, in order', async () => {
    const appliance = await labAppliance();
    const { transcript } = await runScripted(policyconfigCommand, [], { appliance, flags: { search: 'bob@sales.partner.example' }, interactive: false });
    expect(transcript).toContain(`As a recipient, bob@sales.partner.example matches the incoming policy: partner (Threat Defense Connector: Use custom Message Intake Address (${CUSTOM}))`);
    const ceo = await runScripted(policyconfigCommand, [], { appliance, flags: { search: 'ceo@example.com' }, interactive: false });
    expect(ceo.transcript).toContain('matches the incoming policy: executives (Threat Defense Connector: No)');
    const sales = await runScripted(policyconfigCommand, [], { appliance, flags: { search: 'bob@sales.example.com' }, interactive: false });
    expect(sales.transcript).toContain(`matches the incoming policy: sales (Threat Defense Connector: (use default) Use Global Settings (${GLOBAL}))`);
  });

  it('outgoing policies have no Threat Defense Connector setting, and say so', async () => {
    await expect(runScripted(policyconfigCommand, [], { flags: { table: 'outgoing', edit: 'DEFAULT', tdc: 'global' }, interactive: false })).rejects.toThrow(/incoming mail only/);
    const { transcript } = await runScripted(policyconfigCommand, ['2', 'EDIT', 'DEFAULT', 'THREATDEFENSE', '', '']);
    expect(transcript).toContain('The Threat Defense Connector applies to incoming mail only.');
  });

  it('changes a policy by flags: new name, members added and removed; flags without their action are refused', async () => {
    const appliance = await labAppliance();
    const run = (flags: Record<string, unknown>) => runScripted(policyconfigCommand, [], { appliance, flags, interactive: false });
    await run({ edit: 'partner', name: 'partners', recipient: ['other.example'], sender: ['boss@outside.example'] });
    await run({ edit: 'partners', removeMember: ['.partner.example'] });
    const p = consoleSession(appliance).config.pending.incomingPolicies.find((x) => x.name === 'partners')!;
    expect(p.recipients).toEqual(['partner.example', 'other.example']);
    expect(p.senders).toEqual(['boss@outside.example']);
    expect(p.tdc).toEqual({ mode: 'custom', intakeAddress: CUSTOM }); // the rest of the policy is kept
    await expect(run({ edit: 'partners', name: 'executives' })).rejects.toThrow('There is already a policy with the new name.');
    await expect(run({ edit: 'partners', name: 'bad name' })).rejects.toThrow(/Invalid policy name/);
    await expect(run({ edit: 'partners', recipient: ['other.example'] })).rejects.toThrow('other.example is already a member of this policy.');
    await expect(run({ edit: 'partners', removeMember: ['nobody.example'] })).rejects.toThrow(/is not a member/);
    await expect(run({ edit: 'DEFAULT', name: 'main' })).rejects.toThrow(/has no name or members to change/);
    await expect(run({ edit: 'executives', removeMember: ['ceo@example.com', 'board@example.com'] })).rejects.toThrow(/only one member/);
    await expect(run({ tdc: 'no' })).rejects.toThrow('--tdc needs --new NAME or --edit NAME.');
    await expect(run({ recipient: ['x.example'] })).rejects.toThrow('--recipient needs --new NAME or --edit NAME.');
    await expect(run({ new: 'a', edit: 'partners', recipient: ['a.example'] })).rejects.toThrow('Give --new or --edit, not both.');
    // nothing a refused change tried was kept
    expect(consoleSession(appliance).config.pending.incomingPolicies.map((x) => [x.name, [...x.senders, ...x.recipients]])).toEqual([
      ['partners', ['boss@outside.example', 'partner.example', 'other.example']],
      ['executives', ['board@example.com', 'ceo@example.com']],
      ['sales', ['sales.example.com']],
      ['DEFAULT', []],
    ]);
  });
});
