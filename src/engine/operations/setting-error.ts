import { ErrorCodes, UserError, type ErrorCode } from '../../errors.js';

/**
 * The settings an operation can refuse, by a stable key, with the name the appliance gives the
 * setting. Front ends map a key to their own place for it: a flag, a dialog question, a form field.
 */
export const SETTING_LABELS = {
  'tdc.intakeAddress': 'Message Intake Address',
  policy: 'policy',
  'policy.name': 'policy name',
  'policy.senders': 'entry',
  'policy.recipients': 'entry',
  'policy.members': 'member',
  'policy.position': 'position',
  'policy.tdc': 'Threat Defense Connector',
  'policy.tdc.intakeAddress': 'Message Intake Address',
  'policy.antispam': 'Anti-Spam',
  'policy.antivirus': 'Anti-Virus',
  'listener.name': 'listener name',
  'listener.bindAddress': 'bind address',
  'listener.hat.sender': 'HAT sender',
  'listener.hat.behavior': 'HAT behavior',
  'listener.rat.domain': 'RAT entry',
  'cluster.mode': 'cluster mode',
  'route.domain': 'route domain',
  'route.destinations': 'destination',
  'destination.domain': 'domain',
  'destination.maxConnections': 'max concurrency limit',
  'destination.maxMessagesPerConnection': 'max messages per connection',
  'sshkey.user': 'user',
  'sshkey.key': 'public SSH key',
  'sshkey.number': 'key number',
} as const;

export type SettingKey = keyof typeof SETTING_LABELS;

/**
 * What was wrong beside the problem: the value refused, or that the setting had none; neither
 * when a rule refuses the change as such (DEFAULT cannot be deleted). `code` for a clash or a
 * thing not found.
 */
export interface SettingFault {
  value?: string;
  missing?: boolean;
  code?: ErrorCode;
  /** the problem begins with a name as the user typed it (`other.example is already a member`): its case is kept */
  startsWithName?: boolean;
}

/**
 * A configuration operation refused a change: which setting, and the problem in neutral words (a
 * clause: `the address has no domain`). The message is the neutral sentence, for front ends that
 * add nothing; each front end words it its own way from the parts (a flag hint, the dialog's
 * "That value is not valid", the error beside a form field).
 */
export class SettingError extends UserError {
  readonly label: string;
  /** the value refused, if the problem is with a value given */
  readonly value?: string;
  /** the setting needed a value and had none */
  readonly missing: boolean;

  constructor(
    readonly setting: SettingKey,
    readonly problem: string,
    fault: SettingFault = {},
  ) {
    const label = SETTING_LABELS[setting];
    const { value, code = ErrorCodes.invalidValue } = fault;
    const sentence = fault.startsWithName ? problem : `${problem.charAt(0).toUpperCase()}${problem.slice(1)}`;
    super(value === undefined ? `${sentence}.` : `Invalid ${label} "${value}": ${problem}.`, code);
    this.name = 'SettingError';
    this.label = label;
    this.value = value;
    this.missing = fault.missing === true;
  }
}

/** Refuses a value its rule finds a problem with; returns the value. */
export function checkSetting(setting: SettingKey, value: string, problemOf: (value: string) => string | null): string {
  const problem = problemOf(value);
  if (problem) throw new SettingError(setting, problem, { value });
  return value;
}
