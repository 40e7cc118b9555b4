import type { MailPolicy } from '../config/model.js';
import { inherited } from '../policy-match.js';
import { EICAR, GTUBE } from '../test-strings.js';

/** Per engine: null when the policy does not run it, else whether it found something. */
export interface ScanVerdict {
  antivirus: boolean | null;
  antispam: boolean | null;
  /** whether the message has an attachment for AMP's file reputation to look at */
  attachment: boolean;
}

const serviceOn = (policy: MailPolicy, defaultPolicy: MailPolicy, service: 'antispam' | 'antivirus') => inherited(policy, defaultPolicy, service) === 'on';

/**
 * The simulated scanning engines: deterministic, anti-spam positive for the GTUBE string and
 * anti-virus positive for the EICAR string, nothing else. They run in the appliance's order,
 * anti-spam before anti-virus (reference §10.7), so a virus also has its spam verdict. AMP and
 * graymail find nothing; AMP only needs to know whether there is an attachment (a MIME part
 * declared as one: a byte search, no parsing on the work queue's path).
 */
export function scan(body: Buffer, policy: MailPolicy, defaultPolicy: MailPolicy): ScanVerdict {
  const antispam = serviceOn(policy, defaultPolicy, 'antispam') ? body.includes(GTUBE, 0, 'latin1') : null;
  const antivirus = serviceOn(policy, defaultPolicy, 'antivirus') ? body.includes(EICAR, 0, 'latin1') : null;
  // one pass over the body, in the spelling mail programs write (RFC 2183's case)
  const attachment = body.includes('Content-Disposition: attachment', 0, 'latin1');
  return { antivirus, antispam, attachment };
}
