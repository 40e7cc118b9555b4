import type { MailPolicy } from '../config/model.js';
import { inherited } from '../policy-match.js';
import { EICAR, GTUBE } from '../test-strings.js';

/** Per engine: null when the policy does not run it, else whether it found something. */
export interface ScanVerdict {
  antivirus: boolean | null;
  antispam: boolean | null;
}

const serviceOn = (policy: MailPolicy, defaultPolicy: MailPolicy, service: 'antispam' | 'antivirus') => inherited(policy, defaultPolicy, service) === 'on';

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
