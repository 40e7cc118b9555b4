import { DEFAULT_POLICY, type ApplianceConfig, type MailPolicy, type ServiceSetting, type TdcPolicyMode } from '../../engine/config/model.js';

export type PolicyTable = 'incoming' | 'outgoing';

/** A service's cell on the Mail Policies page: `(use default)`, `Enabled` or `Disabled`. */
export const serviceCell = (v: ServiceSetting) => (v === 'default' ? '(use default)' : v === 'on' ? 'Enabled' : 'Disabled');
const service = serviceCell;

/** One choice of "Enable Threat Defense Connector for This Policy". */
export interface TdcChoice {
  mode: TdcPolicyMode;
  label: string;
  /** the choice takes an intake address of its own */
  takesAddress: boolean;
}

/**
 * The per-policy Threat Defense Connector choices, in the order the policy's page (and
 * policyconfig's THREATDEFENSE dialog) offers them: the one list both front ends follow.
 */
export function tdcChoices(config: Readonly<ApplianceConfig>, _policy: MailPolicy): TdcChoice[] {
  return [
    { mode: 'default', label: `Use Global Settings (${config.tdc.intakeAddress ?? 'no intake address set yet'})`, takesAddress: false },
    { mode: 'custom', label: 'Use custom Message Intake Address', takesAddress: true },
    { mode: 'no', label: 'No', takesAddress: false },
  ];
}

/** The Threat Defense Connector cell of the Incoming Mail Policies page (the link text). */
export function tdcCell(policy: MailPolicy, config: Readonly<ApplianceConfig>): string {
  if (policy.tdc.mode === 'no') return 'Disabled';
  if (policy.tdc.mode === 'custom') return 'Enabled';
  return config.tdc.enabled ? 'Enabled' : 'Disabled';
}

/** The Threat Defense Connector column, as the Incoming Mail Policies page words it. */
export function tdcColumn(policy: MailPolicy, config: Readonly<ApplianceConfig>, table: PolicyTable): string {
  if (table === 'outgoing') return 'Not Applicable';
  if (policy.tdc.mode === 'no') return 'Disabled';
  if (policy.tdc.mode === 'custom') return `Enabled (custom: ${policy.tdc.intakeAddress})`;
  if (!config.tdc.enabled) return 'Disabled (global TDC off)';
  return `Enabled (global: ${config.tdc.intakeAddress})`;
}

export function members(p: MailPolicy): string {
  if (p.name === DEFAULT_POLICY) return 'all senders and recipients not matched above';
  const parts = [p.senders.length ? `senders: ${p.senders.join(', ')}` : '', p.recipients.length ? `recipients: ${p.recipients.join(', ')}` : ''];
  return parts.filter(Boolean).join('; ');
}

/** PRINT: the policy table with a Threat Defense Connector column. */
export function renderPolicyTable(config: Readonly<ApplianceConfig>, table: PolicyTable): string {
  const policies = table === 'incoming' ? config.incomingPolicies : config.outgoingPolicies;
  const width = Math.max(11, ...policies.map((p) => p.name.length)) + 2;
  const row = (n: string, name: string, as: string, av: string, tdc: string) => `${n.padEnd(4)}${name.padEnd(width)}${as.padEnd(15)}${av.padEnd(15)}${tdc}`;
  const notes: string[] = [];
  if (table === 'incoming' && !config.tdc.enabled && policies.some((p) => p.tdc.mode === 'default')) {
    notes.push('Note: policies set to use the global Message Intake Address do not journal while the Threat Defense', 'Connector is disabled globally (see tdcconfig).');
  }
  if (table === 'outgoing') notes.push('The Threat Defense Connector applies to incoming mail only.');
  return [
    `${table === 'incoming' ? 'Incoming' : 'Outgoing'} Mail Policy Configuration`,
    '',
    row('#', 'Policy Name', 'Anti-Spam', 'Anti-Virus', 'Threat Defense Connector'),
    ...policies.map((p, i) => row(`${i + 1}.`, p.name, service(p.antispam), service(p.antivirus), tdcColumn(p, config, table))),
    '',
    'Members:',
    ...policies.map((p, i) => `${`${i + 1}.`.padEnd(4)}${p.name}: ${members(p)}`),
    ...(notes.length ? ['', ...notes] : []),
  ].join('\n');
}
