import type { MailPolicy } from '../config/model.js';
import { EICAR, GTUBE } from '../test-strings.js';

export interface ScanVerdict {
  spam: boolean;
  virus: boolean;
  /** mail_logs lines (without "MID N ") in the order the engines ran */
  lines: string[];
}

/** The policy's setting for a service, DEFAULT's when it says 'default'. */
function serviceOn(policy: MailPolicy, fallback: MailPolicy, service: 'antispam' | 'antivirus'): boolean {
  const v = policy[service] === 'default' ? fallback[service] : policy[service];
  return v === 'on';
}

/**
 * The simulated scanning engines: deterministic, anti-spam positive for the GTUBE string and
 * anti-virus positive for the EICAR string, nothing else.
 */
export function scan(body: Buffer, policy: MailPolicy, defaultPolicy: MailPolicy): ScanVerdict {
  const lines: string[] = [];
  let virus = false;
  let spam = false;
  if (serviceOn(policy, defaultPolicy, 'antivirus')) {
    virus = body.includes(EICAR, 0, 'latin1');
    lines.push(`interim AV verdict using Sophos ${virus ? 'VIRAL' : 'CLEAN'}`, `antivirus ${virus ? 'positive \'EICAR-AV-Test\'' : 'negative'}`);
  }
  if (!virus && serviceOn(policy, defaultPolicy, 'antispam')) {
    spam = body.includes(GTUBE, 0, 'latin1');
    lines.push(`interim verdict using engine: CASE spam ${spam ? 'positive' : 'negative'}`, `using engine: CASE spam ${spam ? 'positive' : 'negative'}`);
  }
  if (!virus) lines.push('Outbreak Filters: verdict negative');
  return { spam, virus, lines };
}
