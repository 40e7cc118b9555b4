import { rmSync } from 'node:fs';
import { Appliance } from '../../src/engine/appliance.js';
import { ConfigSession } from '../../src/engine/config/session.js';
import { deleteDestinationControl, setDestinationControl } from '../../src/engine/operations/destination-controls.js';
import { SettingError } from '../../src/engine/operations/setting-error.js';
import { addHatEntry, changeListener, hatBehavior, removeHatEntry } from '../../src/engine/operations/listener.js';
import { deleteRoute, setRoute } from '../../src/engine/operations/routes.js';
import { createPolicy, deletePolicy, replaceMembers, setPolicyTdc, setService } from '../../src/engine/operations/policies.js';
import { changeTdcSettings } from '../../src/engine/operations/tdc.js';
import { tempHome } from '../helpers/scripted.js';

/** What an operation throws: the setting's key and the problem in words no front end owns. */
function refusal(work: () => void): { setting: string; problem: string; value?: string; missing: boolean } {
  try {
    work();
  } catch (error) {
    expect(error).toBeInstanceOf(SettingError);
    const { setting, problem, value, missing } = error as SettingError;
    expect(problem).not.toMatch(/--|That value is not valid|^Invalid/);
    return { setting, problem, value, missing };
  }
  throw new Error('the operation did not refuse');
}

describe('configuration operations: one rule, neutral words, the setting named', () => {
  let appliance: Appliance;
  let editor: { session: { config: ConfigSession } };
  beforeEach(() => {
    appliance = new Appliance({ home: tempHome() });
    editor = { session: { config: new ConfigSession(appliance.configuration, 'test') } };
  });
  afterEach(() => rmSync(appliance.paths.root, { recursive: true, force: true }));

  it('TDC: enabling needs an address, an address must be a mailbox; a refusal changes nothing', () => {
    expect(refusal(() => changeTdcSettings(editor, { enabled: true }))).toEqual({
      setting: 'tdc.intakeAddress',
      problem: 'a Message Intake Address is required to enable the Threat Defense Connector',
      value: undefined,
      missing: true,
    });
    expect(refusal(() => changeTdcSettings(editor, { enabled: true, intakeAddress: 'nobody@' }))).toMatchObject({
      setting: 'tdc.intakeAddress',
      value: 'nobody@',
      problem: 'the address has no domain',
    });
    expect(editor.session.config.hasChanges()).toBe(false);
    changeTdcSettings(editor, { enabled: true, intakeAddress: 'a@beta.cmd.cisco.com' });
    // clearing the address of an enabled connector is the same rule
    expect(refusal(() => changeTdcSettings(editor, { intakeAddress: null }))).toMatchObject({ setting: 'tdc.intakeAddress', missing: true });
    changeTdcSettings(editor, { enabled: false, intakeAddress: null });
    expect(editor.session.config.pending.tdc).toEqual({ enabled: false, intakeAddress: null });
  });

  it("policies: names, members and DEFAULT's own settings, each refusal naming its setting", () => {
    createPolicy(editor, 'incoming', 'partner', [], ['partner.example']);
    expect(refusal(() => createPolicy(editor, 'incoming', 'PARTNER', [], ['x.example']))).toMatchObject({ setting: 'policy.name', problem: 'there is already a policy with the new name' });
    expect(refusal(() => createPolicy(editor, 'incoming', 'bad name', [], ['x.example']))).toMatchObject({ setting: 'policy.name', value: 'bad name' });
    expect(refusal(() => createPolicy(editor, 'incoming', 'odd', ['ok.example', 'not@@valid'], []))).toMatchObject({ setting: 'policy.senders', value: 'not@@valid' });
    expect(refusal(() => createPolicy(editor, 'incoming', 'empty', [], []))).toMatchObject({ setting: 'policy.recipients', missing: true });
    expect(refusal(() => replaceMembers(editor, 'incoming', 'partner', [], []))).toMatchObject({ setting: 'policy.recipients', missing: true });
    expect(refusal(() => setPolicyTdc(editor, 'incoming', 'partner', 'custom'))).toMatchObject({ setting: 'policy.tdc.intakeAddress', missing: true });
    expect(refusal(() => setPolicyTdc(editor, 'incoming', 'DEFAULT', 'use-default'))).toMatchObject({
      setting: 'policy.tdc',
      problem: 'the DEFAULT policy cannot use the default settings of itself for the Threat Defense Connector',
    });
    expect(refusal(() => setService(editor, 'incoming', 'DEFAULT', 'antivirus', 'use-default'))).toMatchObject({ setting: 'policy.antivirus' });
    expect(refusal(() => deletePolicy(editor, 'incoming', 'default'))).toMatchObject({ setting: 'policy' });
    replaceMembers(editor, 'incoming', 'partner', ['boss@outside.example'], []);
    expect(editor.session.config.pending.incomingPolicies[0]).toMatchObject({ senders: ['boss@outside.example'], recipients: [] });
  });

  it("listener: the HAT, the RAT and the listener's own settings, each refusal naming its setting", () => {
    addHatEntry(editor, '127.0.0.2', 'REJECT');
    expect(refusal(() => addHatEntry(editor, '127.0.0.2', 'ACCEPT'))).toMatchObject({ setting: 'listener.hat.sender', value: '127.0.0.2', problem: '127.0.0.2 is already in the table' });
    expect(refusal(() => removeHatEntry(editor, '127.0.0.9'))).toMatchObject({ setting: 'listener.hat.sender', problem: 'the HAT has no entry for 127.0.0.9' });
    expect(refusal(() => hatBehavior('block'))).toMatchObject({ setting: 'listener.hat.behavior', value: 'block' });
    expect(refusal(() => changeListener(editor, { bindAddress: '10.0.0.x' }))).toMatchObject({ setting: 'listener.bindAddress', value: '10.0.0.x' });
    expect(refusal(() => changeListener(editor, { removeDomains: ['nowhere.example'] }))).toMatchObject({ setting: 'listener.rat.domain', problem: 'the listener does not accept nowhere.example' });
    expect(refusal(() => changeListener(editor, { name: 'in bound' }))).toMatchObject({ setting: 'listener.name', value: 'in bound' });
    changeListener(editor, { name: 'Inbound', acceptDomains: ['Partner.Example'] });
    expect(editor.session.config.pending.listener).toMatchObject({ name: 'Inbound', hostAccess: { entries: [{ sender: '127.0.0.2', behavior: 'REJECT' }] } });
    expect(editor.session.config.pending.listener.acceptDomains).toContain('partner.example');
  });

  it('routes: domains and destinations, each refusal naming its setting', () => {
    setRoute(editor, 'Partner.Example', ['exchange.lab:25'], false);
    expect(refusal(() => setRoute(editor, 'partner.example', ['exchange.lab'], false))).toMatchObject({ setting: 'route.domain', problem: 'there is already a route for partner.example' });
    expect(refusal(() => setRoute(editor, 'x.example', [], true))).toMatchObject({ setting: 'route.destinations', missing: true });
    expect(refusal(() => setRoute(editor, 'x.example', ['bad host'], true))).toMatchObject({ setting: 'route.destinations', value: 'bad host' });
    expect(refusal(() => setRoute(editor, 'not a domain', ['/dev/null'], true))).toMatchObject({ setting: 'route.domain', value: 'not a domain' });
    expect(refusal(() => deleteRoute(editor, 'nowhere.example'))).toMatchObject({ setting: 'route.domain', problem: 'there is no route for nowhere.example' });
    expect(editor.session.config.pending.smtpRoutes.at(-1)).toEqual({ domain: 'partner.example', destinations: ['exchange.lab:25'] });
  });

  it('destination controls: domains and limits, Default kept, one entry per domain, each refusal naming its setting', () => {
    setDestinationControl(editor, 'Partner.Example', { maxConnections: 5 });
    setDestinationControl(editor, 'partner.EXAMPLE', { maxMessagesPerConnection: 7 });
    setDestinationControl(editor, 'default', { maxConnections: 100 });
    expect(editor.session.config.pending.destinationControls).toEqual([
      { domain: 'Default', maxConnections: 100, maxMessagesPerConnection: 50 },
      { domain: 'partner.example', maxConnections: 5, maxMessagesPerConnection: 7 },
    ]);
    expect(refusal(() => setDestinationControl(editor, 'not a domain', {}))).toMatchObject({ setting: 'destination.domain', value: 'not a domain', problem: 'enter a domain' });
    expect(refusal(() => setDestinationControl(editor, 'x.example', { maxConnections: 0 }))).toMatchObject({
      setting: 'destination.maxConnections',
      value: '0',
      problem: 'enter a whole number from 1 to 1000',
    });
    expect(refusal(() => setDestinationControl(editor, 'x.example', { maxMessagesPerConnection: 1001 }))).toMatchObject({ setting: 'destination.maxMessagesPerConnection', value: '1001' });
    expect(refusal(() => deleteDestinationControl(editor, 'DEFAULT'))).toEqual({ setting: 'destination.domain', problem: 'the Default entry cannot be deleted', value: undefined, missing: false });
    expect(refusal(() => deleteDestinationControl(editor, 'nowhere.example'))).toMatchObject({
      setting: 'destination.domain',
      problem: 'nowhere.example was not found in the destination control table',
    });
    deleteDestinationControl(editor, 'PARTNER.example');
    expect(editor.session.config.pending.destinationControls.map((c) => c.domain)).toEqual(['Default']);
  });
});
