import { DEFAULT_POLICY, USE_DEFAULT, type ApplianceConfig, type MailPolicy, type ServiceSetting, type TdcPolicyMode } from '../config/model.js';
import { mailboxProblem, memberProblem, POLICY_NAME } from '../config/validate.js';
import { ErrorCodes } from '../../errors.js';
import type { ConfigEditor } from './config-editor.js';
import { checkSetting, SettingError } from './setting-error.js';

/*
 * The Mail Policies' operations: every change the CLI's policyconfig and the web's Mail Policies
 * pages make, with their rules, once.
 */

export type PolicyTable = 'incoming' | 'outgoing';
export type MemberKind = 'senders' | 'recipients';

const listOf = (c: ApplianceConfig, table: PolicyTable) => (table === 'incoming' ? c.incomingPolicies : c.outgoingPolicies);

/** A policy by name (any case). */
export function findPolicy(c: Readonly<ApplianceConfig>, table: PolicyTable, name: string): MailPolicy {
  const p = listOf(c as ApplianceConfig, table).find((x) => x.name.toLowerCase() === name.toLowerCase());
  if (!p) throw new SettingError('policy', `there is no ${table} policy named "${name}"`, { code: ErrorCodes.notFound });
  return p;
}

/** Members typed as one text: separated by commas, spaces or lines. */
export const splitMembers = (text: string): string[] => text.split(/[\s,]+/).filter(Boolean);

/** Refuses the first member that is not one: user@domain, domain, .partial.domain or user@. */
export function checkMembers(kind: MemberKind, list: readonly string[]): void {
  for (const m of list) checkSetting(`policy.${kind}`, m, memberProblem);
}

/** Whether a policy may follow DEFAULT's settings: DEFAULT's are its own. */
export const mayUseDefault = (policyName: string): boolean => policyName.toLowerCase() !== DEFAULT_POLICY.toLowerCase();

/** A policy's own Message Intake Address (a custom choice): a mailbox. */
export const policyIntakeProblem = (value: string): string | null => (value.trim() === '' ? 'enter the Message Intake Address for this policy' : mailboxProblem(value));

function assertNameFree(c: ApplianceConfig, table: PolicyTable, name: string, except?: string): void {
  const taken = listOf(c, table).some((x) => x.name.toLowerCase() === name.toLowerCase() && x.name.toLowerCase() !== except?.toLowerCase());
  if (taken) throw new SettingError('policy.name', 'there is already a policy with the new name', { code: ErrorCodes.conflict });
}

/** A new policy, before DEFAULT; it follows DEFAULT in every service (outgoing policies have no Threat Defense Connector). */
export function createPolicy(editor: ConfigEditor, table: PolicyTable, name: string, senders: string[], recipients: string[]): void {
  checkSetting('policy.name', name, (v) => POLICY_NAME.problem(v));
  checkMembers('senders', senders);
  checkMembers('recipients', recipients);
  assertHasMembers(name, senders, recipients);
  editor.session.config.edit((c) => {
    assertNameFree(c, table, name);
    const list = listOf(c, table);
    list.splice(list.length - 1, 0, { name, senders, recipients, antispam: USE_DEFAULT, antivirus: USE_DEFAULT, tdc: { mode: table === 'incoming' ? USE_DEFAULT : 'no' } });
  });
}

function assertHasMembers(name: string, senders: readonly string[], recipients: readonly string[]): void {
  if (senders.length + recipients.length === 0) throw new SettingError('policy.recipients', `policy "${name}" needs at least one sender or recipient`, { missing: true });
}

/** DEFAULT has no name or members of its own to change. */
function assertCustom(table: PolicyTable, name: string): void {
  if (!mayUseDefault(name)) throw new SettingError('policy', `the ${DEFAULT_POLICY} ${table} policy has no name or members to change`);
}

export function renamePolicy(editor: ConfigEditor, table: PolicyTable, name: string, newName: string): void {
  assertCustom(table, name);
  checkSetting('policy.name', newName, (v) => POLICY_NAME.problem(v));
  editor.session.config.edit((c) => {
    assertNameFree(c, table, newName, name);
    findPolicy(c, table, name).name = newName;
  });
}

export function addMembers(editor: ConfigEditor, table: PolicyTable, name: string, kind: MemberKind, added: string[]): void {
  assertCustom(table, name);
  checkMembers(kind, added);
  editor.session.config.edit((c) => {
    const target = findPolicy(c, table, name)[kind];
    for (const m of added) {
      if (target.includes(m)) throw new SettingError(`policy.${kind}`, `${m} is already a member of this policy`, { code: ErrorCodes.conflict, startsWithName: true });
      target.push(m);
    }
  });
}

/** Removes members (senders or recipients, by their text), all or none; a policy keeps at least one. */
export function removeMembers(editor: ConfigEditor, table: PolicyTable, name: string, removed: string[]): void {
  assertCustom(table, name);
  editor.session.config.edit((c) => {
    const p = findPolicy(c, table, name);
    for (const member of removed) {
      const kind = p.senders.includes(member) ? 'senders' : p.recipients.includes(member) ? 'recipients' : null;
      if (!kind) throw new SettingError('policy.members', `${member} is not a member of policy "${p.name}"`, { code: ErrorCodes.notFound, startsWithName: true });
      if (p.senders.length + p.recipients.length <= 1) throw new SettingError('policy.members', 'there is only one member in the policy: it cannot be removed');
      p[kind].splice(p[kind].indexOf(member), 1);
    }
  });
}

/**
 * Makes a policy's members these lists: the new ones added first, so that the policy keeps a
 * member while the others are removed.
 */
export function replaceMembers(editor: ConfigEditor, table: PolicyTable, name: string, senders: string[], recipients: string[]): void {
  const p = findPolicy(editor.session.config.pending, table, name);
  assertCustom(table, p.name);
  checkMembers('senders', senders);
  checkMembers('recipients', recipients);
  assertHasMembers(p.name, senders, recipients);
  const addedSenders = senders.filter((m) => !p.senders.includes(m));
  const addedRecipients = recipients.filter((m) => !p.recipients.includes(m));
  if (addedSenders.length > 0) addMembers(editor, table, name, 'senders', addedSenders);
  if (addedRecipients.length > 0) addMembers(editor, table, name, 'recipients', addedRecipients);
  const removed = [...p.senders.filter((m) => !senders.includes(m)), ...p.recipients.filter((m) => !recipients.includes(m))];
  if (removed.length > 0) removeMembers(editor, table, name, removed);
}

/** The settings DEFAULT has are its own: the ones the other policies fall back on cannot fall back. */
function assertMayUseDefault(p: MailPolicy, setting: 'policy.tdc' | 'policy.antispam' | 'policy.antivirus', what: string): void {
  if (!mayUseDefault(p.name)) throw new SettingError(setting, `the ${DEFAULT_POLICY} policy cannot use the default settings of itself for ${what}`);
}

/** A policy's Threat Defense Connector choice; custom takes an intake address of the policy's own. */
export function setPolicyTdc(editor: ConfigEditor, table: PolicyTable, name: string, mode: TdcPolicyMode, address?: string): void {
  if (table === 'outgoing') throw new SettingError('policy', 'the Threat Defense Connector applies to incoming mail only: outgoing policies have no such setting');
  if (mode === 'custom') {
    if (address === undefined) throw new SettingError('policy.tdc.intakeAddress', 'a custom intake address is needed', { missing: true });
    checkSetting('policy.tdc.intakeAddress', address, policyIntakeProblem);
  }
  editor.session.config.edit((c) => {
    const p = findPolicy(c, table, name);
    if (mode === USE_DEFAULT) assertMayUseDefault(p, 'policy.tdc', 'the Threat Defense Connector');
    p.tdc = mode === 'custom' ? { mode, intakeAddress: address } : { mode };
  });
}

export const SERVICE_LABELS = { antispam: 'Anti-Spam', antivirus: 'Anti-Virus' } as const;

export function setService(editor: ConfigEditor, table: PolicyTable, name: string, service: 'antispam' | 'antivirus', value: ServiceSetting): void {
  editor.session.config.edit((c) => {
    const p = findPolicy(c, table, name);
    if (value === USE_DEFAULT) assertMayUseDefault(p, `policy.${service}`, SERVICE_LABELS[service]);
    p[service] = value;
  });
}

export function deletePolicy(editor: ConfigEditor, table: PolicyTable, name: string): void {
  if (!mayUseDefault(name)) throw new SettingError('policy', 'the DEFAULT policy cannot be deleted');
  editor.session.config.edit((c) => {
    const list = listOf(c, table);
    list.splice(list.indexOf(findPolicy(c, table, name)), 1);
  });
}

/** Moves a policy to a 1-based position; DEFAULT stays last. */
export function movePolicy(editor: ConfigEditor, table: PolicyTable, name: string, position: number): void {
  if (!mayUseDefault(name)) throw new SettingError('policy', 'the DEFAULT policy is always last and cannot be moved');
  editor.session.config.edit((c) => {
    const list = listOf(c, table);
    const last = list.length - 1;
    if (!Number.isInteger(position) || position < 1 || position > last) throw new SettingError('policy.position', `the position must be from 1 to ${last} (DEFAULT stays last)`);
    const p = findPolicy(c, table, name);
    list.splice(list.indexOf(p), 1);
    list.splice(position - 1, 0, p);
  });
}
