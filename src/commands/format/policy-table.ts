import { DEFAULT_POLICY, USE_DEFAULT, type ApplianceConfig, type MailPolicy, type PolicyTdc, type ServiceSetting, type TdcPolicyMode } from '../../engine/config/model.js';
import { mayUseDefault, type PolicyTable } from '../../engine/operations/policies.js';
import { defaultPolicyOf, inherited } from '../../engine/policy-match.js';

export type { PolicyTable };

/** Said wherever a custom intake address is chosen (the seed's note, in our words). */
export const CUSTOM_INTAKE_NOTE = 'Note: make sure this policy matches the domains whose mail belongs to that SETD account.';

/** The cell of a policy that follows DEFAULT, as the Mail Policies page shows it. */
const USE_DEFAULT_CELL = '(use default)';

/** A service's cell on the Mail Policies page: `(use default)`, `Enabled` or `Disabled`. */
export const serviceCell = (v: ServiceSetting) => (v === USE_DEFAULT ? USE_DEFAULT_CELL : v === 'on' ? 'Enabled' : 'Disabled');

/** One choice of "Enable Threat Defense Connector for This Policy". */
export interface TdcChoice {
  mode: TdcPolicyMode;
  label: string;
  /** the choice takes an intake address of its own */
  takesAddress: boolean;
}

/** The names of the TDC choices, as the policy's page and the THREATDEFENSE dialog show them. */
export const TDC_CHOICE_NAMES: Record<TdcPolicyMode, string> = {
  'use-default': 'Use Default Settings',
  global: 'Use Global Settings',
  custom: 'Use custom Message Intake Address',
  no: 'No',
};

const globalLabel = (config: Readonly<ApplianceConfig>) => `${TDC_CHOICE_NAMES.global} (${config.tdc.intakeAddress ?? 'no intake address set yet'})`;
const CUSTOM_LABEL = TDC_CHOICE_NAMES.custom;

/** A TDC choice in the words of the policy's page, the address it uses in brackets. */
function choiceText(tdc: PolicyTdc, config: Readonly<ApplianceConfig>): string {
  if (tdc.mode === 'global') return globalLabel(config);
  if (tdc.mode === 'custom') return `${CUSTOM_LABEL} (${tdc.intakeAddress})`;
  return TDC_CHOICE_NAMES.no;
}

/**
 * The per-policy Threat Defense Connector choices, in the order the policy's page (and
 * policyconfig's THREATDEFENSE dialog) offers them: the one list both front ends follow. A custom
 * policy can also follow DEFAULT's choice (first, as new policies start there); DEFAULT cannot.
 */
export function tdcChoices(config: Readonly<ApplianceConfig>, policy: MailPolicy): TdcChoice[] {
  const own: TdcChoice[] = [
    { mode: 'global', label: globalLabel(config), takesAddress: false },
    { mode: 'custom', label: CUSTOM_LABEL, takesAddress: true },
    { mode: 'no', label: TDC_CHOICE_NAMES.no, takesAddress: false },
  ];
  if (!mayUseDefault(policy.name)) return own;
  const defaultTdc = defaultPolicyOf(config.incomingPolicies).tdc;
  return [{ mode: USE_DEFAULT, label: `${TDC_CHOICE_NAMES[USE_DEFAULT]} (DEFAULT: ${choiceText(defaultTdc, config)})`, takesAddress: false }, ...own];
}

/**
 * The Threat Defense Connector cell of the Incoming Mail Policies page and of PRINT: `(use
 * default)` for a policy that follows DEFAULT, else `Enabled` or `Disabled` (Use Global Settings
 * is disabled while TDC is disabled globally).
 */
export function tdcCell(policy: MailPolicy, config: Readonly<ApplianceConfig>): string {
  if (policy.tdc.mode === USE_DEFAULT) return USE_DEFAULT_CELL;
  if (policy.tdc.mode === 'no') return 'Disabled';
  if (policy.tdc.mode === 'custom') return 'Enabled';
  return config.tdc.enabled ? 'Enabled' : 'Disabled';
}

/** What a policy's Threat Defense Connector does, inheritance resolved: the line of PRINT's detail and of SEARCH. */
export function tdcDetail(policy: MailPolicy, config: Readonly<ApplianceConfig>): string {
  const tdc = inherited(policy, defaultPolicyOf(config.incomingPolicies), 'tdc');
  const text = choiceText(tdc, config) + (tdc.mode === 'global' && !config.tdc.enabled ? ', disabled globally' : '');
  return policy.tdc.mode === USE_DEFAULT ? `${USE_DEFAULT_CELL} ${text}` : text;
}

export function members(p: MailPolicy): string {
  if (p.name === DEFAULT_POLICY) return 'all senders and recipients not matched above';
  const parts = [p.senders.length ? `senders: ${p.senders.join(', ')}` : '', p.recipients.length ? `recipients: ${p.recipients.join(', ')}` : ''];
  return parts.filter(Boolean).join('; ');
}

/** PRINT: the policy table with a Threat Defense Connector column, then each policy's members and (incoming) what its TDC does. */
export function renderPolicyTable(config: Readonly<ApplianceConfig>, table: PolicyTable): string {
  const incoming = table === 'incoming';
  const policies = incoming ? config.incomingPolicies : config.outgoingPolicies;
  const width = Math.max(11, ...policies.map((p) => p.name.length)) + 2;
  const row = (n: string, name: string, as: string, av: string, tdc: string) => `${n.padEnd(4)}${name.padEnd(width)}${as.padEnd(15)}${av.padEnd(15)}${tdc}`;
  const numbered = (line: (p: MailPolicy) => string) => policies.map((p, i) => `${`${i + 1}.`.padEnd(4)}${p.name}: ${line(p)}`);
  const notes: string[] = [];
  if (incoming && !config.tdc.enabled && policies.some((p) => inherited(p, defaultPolicyOf(policies), 'tdc').mode === 'global')) {
    notes.push('Note: policies set to use the global Message Intake Address do not journal while the Threat Defense', 'Connector is disabled globally (see tdcconfig).');
  }
  if (!incoming) notes.push('The Threat Defense Connector applies to incoming mail only.');
  return [
    `${incoming ? 'Incoming' : 'Outgoing'} Mail Policy Configuration`,
    '',
    row('#', 'Policy Name', 'Anti-Spam', 'Anti-Virus', 'Threat Defense Connector'),
    ...policies.map((p, i) => row(`${i + 1}.`, p.name, serviceCell(p.antispam), serviceCell(p.antivirus), incoming ? tdcCell(p, config) : 'Not Applicable')),
    '',
    'Members:',
    ...numbered(members),
    ...(incoming ? ['', 'Threat Defense Connector:', ...numbered((p) => tdcDetail(p, config))] : []),
    ...(notes.length ? ['', ...notes] : []),
  ].join('\n');
}
