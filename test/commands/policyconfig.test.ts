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

  it('says when a policy uses the global address while TDC is disabled', async () => {
    const { transcript } = await runScripted(policyconfigCommand, [], { flags: { list: true }, interactive: false });
    expect(transcript).toContain('1.  DEFAULT: Use Global Settings (no intake address set yet), disabled globally');
    expect(transcript).toContain('do not journal while the Threat Defense');
  });

  it('creates, edits and navigates by dialog: blank Enter goes one level up', async () => {
    const { transcript, appliance } = await runScripted(policyconfigCommand, [
      '', // table: Incoming (default)
      'NEW', 'sales', '', '', 'sales.example.com', '', ...Array(6).fill(''),
      'EDIT', 'sales', 'THREATDEFENSE', '3', 'notvalid', CUSTOM,
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
