import { Appliance } from '../../src/engine/appliance.js';
import { TDC_QUEUE } from '../../src/engine/config/model.js';
import { MailEngine } from '../../src/engine/mail/mail-engine.js';
import { SetdEmulator } from '../../src/setd/intake-server.js';
import { injectTraffic } from '../../src/lab/traffic.js';
import { mailLog, waitFor } from '../helpers/engine.js';
import { commitEdit, tempHome } from '../helpers/scripted.js';

describe('the TLS the SETD intake negotiates with the gateway', () => {
  it("is the seed's by default (TLSv1.2, ECDHE-RSA-AES128-GCM-SHA256), and TLS 1.3 when asked", async () => {
    const home = tempHome();
    const appliance = new Appliance({ home });
    const intake = appliance.setd.createAccount({ region: 'beta' }).intakeAddress;
    await commitEdit(appliance, (c) => {
      c.listener.port = 0;
      c.lab.mailServerPort = 0;
      c.tdc = { enabled: true, intakeAddress: intake };
    });
    let setd = new SetdEmulator(appliance.setd, appliance.paths.tls);
    let port = (await setd.start()).port;
    const engine = new MailEngine(appliance, { labHosts: () => new Map(setd.intakeDomains().map((d) => [d, { host: '127.0.0.1', port }])) });
    await engine.start();
    const journaled = () => engine.hosts().find((h) => h.host === TDC_QUEUE)?.deliveredRecipients ?? 0;
    const tlsLines = () => [...mailLog(home, engine).matchAll(/Info: (DCID \d+ TLS success .*)\n/g)].map((m) => m[1]!.replace(/^DCID \d+/, 'DCID n'));
    try {
      await injectTraffic(engine.listenerAddress(), { count: 1, to: ['example.com'] });
      await waitFor(() => journaled() === 1, 15_000, 'the journal delivered');
      expect(tlsLines()).toContain('DCID n TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES128-GCM-SHA256');

      await setd.stop();
      setd = new SetdEmulator(appliance.setd, appliance.paths.tls, { tls: '1.3' });
      port = (await setd.start()).port;
      await injectTraffic(engine.listenerAddress(), { count: 1, to: ['example.com'] });
      await waitFor(() => journaled() === 2, 15_000, 'the second journal delivered');
      expect(tlsLines().filter((l) => l.includes('TLSv1.3'))).toEqual([expect.stringMatching(/^DCID n TLS success protocol TLSv1\.3 cipher TLS_AES_(128|256)_GCM_SHA(256|384)$/)]);
    } finally {
      await engine.stop();
      await setd.stop();
    }
  });
});
