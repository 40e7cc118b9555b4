import { ErrorCodes, UserError } from '../../errors.js';
import { DEFAULT_POLICY, type ApplianceConfig, type MailPolicy } from './model.js';

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

export function policyNameProblem(name: string): string | null {
  return /^[A-Za-z0-9_.-]{1,64}$/.test(name) ? null : `Invalid policy name "${name}": use 1-64 letters, digits, '_', '-' or '.'.`;
}

export function assertPolicyName(name: string): string {
  const problem = policyNameProblem(name);
  if (problem) throw new UserError(problem, ErrorCodes.invalidValue);
  return name;
}

/** Semantic checks beyond the JSON schema. Returns a list of problems (empty when valid). */
export function configProblems(config: ApplianceConfig): string[] {
  const problems: string[] = [];
  const check = (ok: boolean, msg: string) => {
    if (!ok) problems.push(msg);
  };
  check(isDomain(config.hostname) || /^[A-Za-z0-9-]+$/.test(config.hostname), `hostname "${config.hostname}" is not valid`);
  check(config.listener.port >= 0 && config.listener.port <= 65535, 'listener port must be 0-65535');
  for (const d of config.listener.acceptDomains) {
    check(memberProblem(d) === null || d === 'ALL', `listener accepts "${d}", which is not a domain`);
  }
  if (config.tdc.enabled) check(config.tdc.intakeAddress !== null, 'TDC is enabled without an intake address');
  if (config.tdc.intakeAddress !== null) {
    const p = mailboxProblem(config.tdc.intakeAddress);
    check(p === null, `TDC intake address: ${p}`);
  }
  for (const table of [config.incomingPolicies, config.outgoingPolicies]) {
    problems.push(...policyTableProblems(table));
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
  }
  return problems;
}
