import type { MailPolicy } from '../config/model.js';
import { EICAR, GTUBE } from '../test-strings.js';

/** Per engine: null when the policy does not run it, else whether it found something. */
export interface ScanVerdict {
  antivirus: boolean | null;
  antispam: boolean | null;
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
  const antivirus = serviceOn(policy, defaultPolicy, 'antivirus') ? body.includes(EICAR, 0, 'latin1') : null;
  // a virus ends the scan: anti-spam does not run
  const antispam = antivirus !== true && serviceOn(policy, defaultPolicy, 'antispam') ? body.includes(GTUBE, 0, 'latin1') : null;
  return { antivirus, antispam };
}
