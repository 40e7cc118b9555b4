import type { Failure } from '../../src/engine/mail/delivery/failure.js';
import { mailLogLines } from '../../src/engine/mail/mail-log-lines.js';
import type { MailEvent } from '../../src/engine/mail/mail-events.js';

const accepted = (subject: string): MailEvent => ({ type: 'accepted', at: 0, mid: 14, icid: 4, from: 'a@outside.example', rcpts: [], messageId: '<m@x>', subject, size: 120 });
const refusal = (code: number, reply: string): Failure => ({ kind: 'smtp', code, stage: 'rcpt', reply });
const bounced = (failure: Failure, queue = 'example.com'): MailEvent => ({ type: 'bounced', at: 0, dcid: 2, mid: 15, queue, rids: [0], failure, bucket: 'fiveXX' });
const deferred = (failure: Failure): MailEvent => ({ type: 'deferred', at: 0, dcid: 7, mid: 8, queue: 'example.com', rids: [0], failure, retryAt: 0 });

describe('mail_logs wording', () => {
  it('writes the Subject in double quotes, as 2023 appliances do and Elastic parses', () => {
    expect(mailLogLines(accepted('Testing'))).toContain('MID 14 Subject "Testing"');
    // a quote inside stays as it is (the appliance's alert lines); Elastic's greedy pattern reads it whole
    expect(mailLogLines(accepted('Your "IronPort" key'))).toContain('MID 14 Subject "Your "IronPort" key"');
    expect(mailLogLines(accepted(''))).toContain('MID 14 Subject ""');
    // a line break left in the header would split the line: written as the appliance writes it
    expect(mailLogLines(accepted('AFRICA\r\n (PTY) LTD'))).toContain('MID 14 Subject "AFRICA\\r\\n (PTY) LTD"');
    expect(mailLogLines(accepted('a\rb')).every((l) => !/[\r\n]/.test(l))).toBe(true);
  });

  it("bounces with AsyncOS's own class whatever enhanced code the reply carried, the reply in full after it", () => {
    expect(mailLogLines(bounced(refusal(550, '550 5.1.1 The email account that you tried to reach does not exist.')))).toEqual([
      "Bounced: DCID 2 MID 15 to RID 0 - 5.1.0 - Unknown address error ('550', ['5.1.1 The email account that you tried to reach does not exist.'])",
    ]);
    expect(mailLogLines(bounced(refusal(554, '554 Too long line.')))).toEqual(["Bounced: DCID 2 MID 15 to RID 0 - 5.1.0 - Unknown address error ('554', ['Too long line.'])"]);
    expect(mailLogLines(bounced(refusal(501, '501 5.5.4 Invalid Address')))).toEqual(["Bounced: DCID 2 MID 15 to RID 0 - 5.1.0 - Unknown address error ('501', ['5.5.4 Invalid Address'])"]);
    expect(mailLogLines(bounced(refusal(550, '550 5.7.1 Message rejected (segsim fault)')))).toEqual([
      "Bounced: DCID 2 MID 15 to RID 0 - 5.1.0 - Unknown address error ('550', ['5.7.1 Message rejected (segsim fault)'])",
    ]);
  });

  it('delays with the 4.1.0 class, whatever the reply said', () => {
    expect(mailLogLines(deferred(refusal(451, '451 4.7.1 Try again later')))).toEqual(["Delayed: DCID 7 MID 8 to RID 0 - 4.1.0 - Unknown address error ('451', ['4.7.1 Try again later'])"]);
    expect(mailLogLines(deferred(refusal(421, '421 Service not available')))).toEqual(["Delayed: DCID 7 MID 8 to RID 0 - 4.1.0 - Unknown address error ('421', ['Service not available'])"]);
  });

  it("keeps the seed's TDC lines as they were", () => {
    const dns: Failure = { kind: 'dns', cause: 'nxdomain', domain: 'outbound.cisco.om' };
    expect(mailLogLines(bounced(dns, 'the.tdc.queue'))).toEqual([
      'DNS Error outbound.cisco.om MX - NXDomain',
      "TDC: Hard bounced - 5.1.2 - Bad destination host ('000', ['DNS Hard Error looking up outbound.cisco.om (MX) : NXDomain'])",
      'TDC: MID 15 delivery failed to Cisco Secure Email Threat Defense: Hard Bounced.',
      "Bounced: DCID 0 MID 15 to RID 0 - Bounced by destination server with response: 5.1.2 - Bad destination host ('000', ['DNS Hard Error looking up outbound.cisco.om (MX) : NXDomain'])",
    ]);
    expect(mailLogLines(bounced({ kind: 'tls', cause: 'untrusted', detail: 'x' }, 'the.tdc.queue'))).toEqual(['TDC: MID 15 delivery failed to Cisco Secure Email Threat Defense:TLS Error.']);
  });
});
