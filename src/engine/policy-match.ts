import { DEFAULT_POLICY, type MailPolicy } from './config/model.js';

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
  return policies.find((p) => p.name === DEFAULT_POLICY)!;
}
