import { mkdirSync, writeFileSync } from 'node:fs';
import { findeventCommand } from '../../src/commands/findevent.js';
import { Appliance } from '../../src/engine/appliance.js';
import { runScripted, tempHome } from '../helpers/scripted.js';

// A delivered original (MID 10), its journal copy (MID 11) delivered to SETD, and a copy that
// failed with a TLS error (MID 13) — line shapes as in the seed.
const LOG = `Fri Feb 16 21:19:20 2024 Info: New SMTP ICID 5 interface Management (127.0.0.1) address 127.0.0.1 reverse dns host localhost verified yes
Fri Feb 16 21:19:20 2024 Info: Start MID 10 ICID 5
Fri Feb 16 21:19:20 2024 Info: MID 10 ICID 5 From: <alice@outside.example>
Fri Feb 16 21:19:20 2024 Info: MID 10 ICID 5 RID 0 To: <bob@example.com>
Fri Feb 16 21:19:20 2024 Info: MID 10 Message-ID '<abc@outside.example>'
Fri Feb 16 21:19:20 2024 Info: MID 10 Subject 'quarterly report'
Fri Feb 16 21:19:22 2024 Info: TDC: MID 11 with Message-ID '<abc@outside.example>' enqueued for forwarding to Cisco Secure Email Threat Defense to the message intake address x@beta.cmd.cisco.com
Fri Feb 16 21:19:23 2024 Info: TDC: New SMTP DCID 7 interface 127.0.0.1 address 127.0.0.1 port 2465
Fri Feb 16 21:19:23 2024 Info: DCID 7 TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES128-GCM-SHA256
Fri Feb 16 21:19:23 2024 Info: TDC: Delivery start DCID 7 MID 11
Fri Feb 16 21:19:24 2024 Info: TDC: MID 11 successfully delivered for scanning with Cisco Secure Email Threat Defense.
Fri Feb 16 21:19:24 2024 Info: Message finished MID 11 done
Fri Feb 16 21:20:00 2024 Info: Start MID 12 ICID 6
Fri Feb 16 21:20:00 2024 Info: MID 12 ICID 6 From: <carol@outside.example>
Fri Feb 16 21:20:01 2024 Info: TDC: MID 13 with Message-ID '<def@outside.example>' enqueued for forwarding to Cisco Secure Email Threat Defense to the message intake address x@beta.cmd.cisco.com
Fri Feb 16 21:20:02 2024 Info: TDC: MID 13 delivery failed to Cisco Secure Email Threat Defense:TLS Error.
`;

function appliance(): Appliance {
  const a = new Appliance({ home: tempHome() });
  mkdirSync(a.paths.logs, { recursive: true });
  writeFileSync(a.paths.mailLog, LOG);
  return a;
}

describe('findevent', () => {
  it('shows a delivered message with its connection lines', async () => {
    const { transcript } = await runScripted(findeventCommand, [], { appliance: appliance(), flags: { mid: '10' }, interactive: false });
    expect(transcript).toContain('New SMTP ICID 5 interface');
    expect(transcript).toContain("MID 10 Subject 'quarterly report'");
    expect(transcript).not.toContain('MID 12');
  });

  it('shows the TDC tracking line of a journaled copy in the tracking timestamp form', async () => {
    const { transcript } = await runScripted(findeventCommand, [], { appliance: appliance(), flags: { mid: '11' }, interactive: false });
    expect(transcript).toContain('DCID 7 TLS success protocol TLSv1.2');
    expect(transcript).toContain('16 Feb 2024 21:19:24 (GMT +00:00)  TDC: Message 11 was successfully delivered for scanning with Cisco Secure Email Threat Defense.');
  });

  it('shows the TDC reason of a failed copy', async () => {
    const { transcript } = await runScripted(findeventCommand, [], { appliance: appliance(), flags: { messageId: 'def@' }, interactive: false });
    expect(transcript).toContain('TDC: Message 13 could not be delivered to Cisco Secure Email Threat Defense: TLS Error.');
  });

  it('finds by Message-ID through the dialog, listing the original and its copy', async () => {
    const { transcript } = await runScripted(findeventCommand, ['3', 'quarterly', ''], { appliance: appliance() });
    expect(transcript).toContain("MID 10 Subject 'quarterly report'");
    const byId = await runScripted(findeventCommand, [], { appliance: appliance(), flags: { messageId: 'abc@outside', json: true }, interactive: false });
    expect(JSON.parse(byId.transcript).map((m: { mid: number }) => m.mid)).toEqual([10, 11]);
  });

  it('respects the time range and reports no match', async () => {
    const { transcript } = await runScripted(findeventCommand, [], { appliance: appliance(), flags: { from: 'alice', since: '2024-02-16T21:19:30Z' }, interactive: false });
    expect(transcript).toBe('No matching message IDs were found.\n');
  });
});
