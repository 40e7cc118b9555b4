import { DEFAULT_POLICY, USE_DEFAULT, type MailPolicy, type PolicyTdc, type ServiceSetting } from './config/model.js';

/** Whether an address matches a policy member: user@domain, domain, .partial.domain or user@. */
export function memberMatches(member: string, address: string): boolean {
  const m = member.trim().toLowerCase();
  const a = address.trim().toLowerCase();
  const at = a.lastIndexOf('@');
  const domain = at >= 0 ? a.slice(at + 1) : a;
  if (m.startsWith('.')) return domain.endsWith(m);
  if (m.endsWith('@')) return a.startsWith(m);
  if (m.includes('@')) return a === m;
  return domain === m;
}

/** The DEFAULT policy of a table: always its last entry (validate.ts holds that). */
export const defaultPolicyOf = (policies: readonly MailPolicy[]): MailPolicy => policies.at(-1)!;

/**
 * The Incoming Mail Policy for one recipient of a message from `sender`: the first policy in
 * order whose senders (if any) match the sender and whose recipients (if any) match the
 * recipient; DEFAULT when none does.
 */
export function matchPolicy(policies: readonly MailPolicy[], who: { sender: string; recipient: string }): MailPolicy {
  for (const p of policies) {
    if (p.name === DEFAULT_POLICY) continue;
    const senderOk = p.senders.length === 0 || p.senders.some((m) => memberMatches(m, who.sender));
    const recipientOk = p.recipients.length === 0 || p.recipients.some((m) => memberMatches(m, who.recipient));
    if (senderOk && recipientOk) return p;
  }
  return defaultPolicyOf(policies);
}

/** The settings a custom policy can leave at "(use default)". */
export type InheritedSetting = 'antispam' | 'antivirus' | 'tdc';

/**
 * A policy's setting with "(use default)" resolved: DEFAULT's setting when the policy says
 * use-default, else its own. The one place the engine (scanning, the journal decision) and the
 * screens resolve it, at the moment they need it, so that a change of DEFAULT reaches every
 * policy that follows it. Runs per message: a comparison, no allocation.
 */
export function inherited<K extends InheritedSetting>(policy: MailPolicy, defaultPolicy: MailPolicy, key: K): MailPolicy[K] {
  const own: ServiceSetting | PolicyTdc = policy[key];
  const follows = typeof own === 'string' ? own === USE_DEFAULT : own.mode === USE_DEFAULT;
  return follows ? defaultPolicy[key] : policy[key];
}
