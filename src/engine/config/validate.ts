import { ErrorCodes, UserError } from '../../errors.js';
import { hatSenderProblem } from '../host-access.js';
import { DEFAULT_DESTINATION, DEFAULT_POLICY, USE_DEFAULT, type ApplianceConfig, type MailPolicy } from './model.js';

const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;

/** A DNS domain name (no trailing dot). */
export function isDomain(value: string): boolean {
  if (value.length === 0 || value.length > 253) return false;
  const labels = value.split('.');
  return labels.length >= 2 && labels.every((l) => LABEL.test(l));
}

/**
 * Checks a mailbox such as an intake address and returns the reason it is not valid, or null.
 * The rules are RFC 5321's for a dot-atom local part and a domain.
 */
export function mailboxProblem(value: string): string | null {
  if (value.trim() === '') return 'the address is empty';
  if (/\s/.test(value)) return 'the address must not contain spaces';
  if (value.length > 254) return 'the address is longer than 254 characters';
  const at = value.lastIndexOf('@');
  if (at <= 0) return at === 0 ? 'the address has no local part' : 'the address has no domain';
  if (at === value.length - 1) return 'the address has no domain';
  const local = value.slice(0, at);
  const domain = value.slice(at + 1);
  if (local.length > 64) return 'the local part is longer than 64 characters';
  if (!LOCAL_PART.test(local)) return 'the local part contains characters that are not allowed';
  if (!isDomain(domain)) return `"${domain}" is not a valid domain`;
  return null;
}

/** Throws a UserError unless value is a valid mailbox. */
export function assertMailbox(value: string, what = 'address'): string {
  const problem = mailboxProblem(value);
  if (problem) throw new UserError(`Invalid ${what} "${value}": ${problem}.`, ErrorCodes.invalidValue);
  return value;
}

/** The global Threat Defense Connector cannot be enabled without an intake address to journal to. */
export const tdcNeedsAddress = (tdc: Readonly<ApplianceConfig['tdc']>): boolean => tdc.enabled && tdc.intakeAddress === null;

/** A policy member: user@domain, domain, .partial.domain or user@ (any domain). */
export function memberProblem(value: string): string | null {
  const v = value.trim();
  if (v === '') return 'the entry is empty';
  if (v.startsWith('.')) return isDomain(v.slice(1)) ? null : `"${v}" is not a valid partial domain`;
  if (v.includes('@')) {
    if (v.endsWith('@')) return LOCAL_PART.test(v.slice(0, -1)) ? null : `"${v}" is not a valid user`;
    return mailboxProblem(v);
  }
  return isDomain(v) ? null : `"${v}" is not a valid address or domain`;
}

/**
 * A rule for one kind of value the operator types, the same for a dialog and a flag: `problem`
 * says how to put a value right (null when it is valid). A dialog's question takes it as its
 * `check` (Conversation.text words the refusal); a flag is refused with `Invalid <what>
 * "<value>": <problem>.` (checkValue). Rules with a pattern also check the stored files (the
 * schemas use the same pattern).
 */
export interface ValueRule {
  readonly what: string;
  problem(value: string): string | null;
}

/** A rule that is a regular expression; `pattern` goes into the JSON schemas too. */
export interface PatternRule extends ValueRule {
  readonly pattern: RegExp;
  /** the problem, for the schema's `description` */
  readonly hint: string;
}

/** The JSON schema of a string that follows a pattern rule. */
export function ruledString(rule: PatternRule) {
  return { type: 'string', pattern: rule.pattern.source, description: rule.hint } as const;
}

function patternRule(what: string, pattern: RegExp, hint: string): PatternRule {
  return { what, pattern, hint, problem: (value) => (pattern.test(value) ? null : hint) };
}

/** Refuses a flag's value that breaks the rule; returns the value. */
export function checkValue(rule: ValueRule, value: string): string {
  const problem = rule.problem(value);
  if (problem) throw new UserError(`Invalid ${rule.what} "${value}": ${problem}.`, ErrorCodes.invalidValue);
  return value;
}

export const POLICY_NAME = patternRule('policy name', /^[A-Za-z0-9_.-]{1,64}$/, "use 1-64 letters, digits, '_', '-' or '.'");
export const LISTENER_NAME = patternRule('listener name', /^[A-Za-z0-9_-]{1,64}$/, "use 1-64 letters, digits, '_' or '-'");
/** a log subscription's name (logconfig): also its directory under logs/ */
export const LOG_NAME = patternRule('log name', /^[A-Za-z0-9_-]{1,64}$/, "use 1-64 letters, digits, '_' or '-'");
/** a header carrying the original sender IP (SETD accounts) */
export const HEADER_NAME = patternRule('header name', /^[A-Za-z0-9-]{1,76}$/, 'use letters, digits and hyphens');
/** the appliance's name: DNS labels, one or more */
export const HOSTNAME = patternRule('hostname', /^(?=.{1,253}$)(?!-)[A-Za-z0-9-]{1,63}(?<!-)(\.(?!-)[A-Za-z0-9-]{1,63}(?<!-))*$/, 'enter a host name such as esa1.example.com');
/** an entry of the listener's Recipient Access Table: a domain or a partial domain */
export const RAT_ENTRY: ValueRule = {
  what: 'RAT entry',
  problem: (value) => (!value.includes('@') && memberProblem(value) === null ? null : 'enter a domain or a partial domain (.example.com)'),
};
/** a row of the listener's Host Access Table: the hosts it stands for */
export const HAT_SENDER: ValueRule = { what: 'HAT sender', problem: hatSenderProblem };
/** A TCP port: the listener's, the lab servers'; 0 picks any free one. */
export const PORT = { min: 0, max: 65535 } as const;

/** The rules between fields, beyond the JSON schema (check.ts runs both). Returns the problems (empty when valid). */
export function crossFieldProblems(config: ApplianceConfig): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, msg: string) => {
    if (!ok) problems.push(msg);
  };
  for (const d of config.listener.acceptDomains) {
    check(RAT_ENTRY.problem(d) === null || d === 'ALL', `listener accepts "${d}", which is not a domain`);
  }
  const senders = new Set<string>();
  for (const e of config.listener.hostAccess?.entries ?? []) {
    const p = HAT_SENDER.problem(e.sender);
    check(p === null, `listener HAT entry "${e.sender}": ${p}`);
    check(!senders.has(e.sender), `listener HAT entry "${e.sender}" appears twice`);
    senders.add(e.sender);
  }
  check(
    config.destinationControls.some((c) => c.domain === DEFAULT_DESTINATION),
    `destination controls have no ${DEFAULT_DESTINATION} entry`,
  );
  check(!tdcNeedsAddress(config.tdc), 'TDC is enabled without an intake address');
  if (config.tdc.intakeAddress !== null) {
    const p = mailboxProblem(config.tdc.intakeAddress);
    check(p === null, `TDC intake address: ${p}`);
  }
  for (const table of [config.incomingPolicies, config.outgoingPolicies]) {
    problems.push(...policyTableProblems(table));
  }
  const logNames = new Set<string>();
  for (const sub of config.logSubscriptions ?? []) {
    // each name is a directory under logs/: two that differ only in case would share it on some file systems
    check(!logNames.has(sub.name.toLowerCase()), `log subscription "${sub.name}" appears twice`);
    logNames.add(sub.name.toLowerCase());
  }
  return problems;
}

function policyTableProblems(policies: MailPolicy[]): string[] {
  const problems: string[] = [];
  const last = policies.at(-1);
  if (!last || last.name !== DEFAULT_POLICY) problems.push('the DEFAULT policy must be last');
  const names = new Set<string>();
  for (const p of policies) {
    if (names.has(p.name.toLowerCase())) problems.push(`policy "${p.name}" appears twice`);
    names.add(p.name.toLowerCase());
    if (p.tdc.mode === 'custom') {
      const problem = p.tdc.intakeAddress ? mailboxProblem(p.tdc.intakeAddress) : 'no address';
      if (problem) problems.push(`policy "${p.name}" custom intake address: ${problem}`);
    }
    if (p.name !== DEFAULT_POLICY && p.senders.length + p.recipients.length === 0) {
      problems.push(`policy "${p.name}" has no members`);
    }
    if (p.name === DEFAULT_POLICY) {
      // the settings other policies fall back on cannot fall back themselves
      for (const [what, value] of [
        ['Anti-Spam', p.antispam],
        ['Anti-Virus', p.antivirus],
        ['Threat Defense Connector', p.tdc.mode],
      ] as const) {
        if (value === USE_DEFAULT) problems.push(`the DEFAULT policy's ${what} setting cannot be "use default"`);
      }
    }
  }
  return problems;
}
