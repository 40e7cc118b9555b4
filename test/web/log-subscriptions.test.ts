import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TEST_PASSWORD, webAppliance, WebClient } from '../helpers/web.js';

type Lab = Awaited<ReturnType<typeof webAppliance>>;
let lab: Lab | null = null;
afterEach(async () => {
  await lab?.stop();
  lab = null;
});

describe('the web interface in the logs', () => {
  it('a web commit writes system_logs its line with the process, the user and the comment', async () => {
    lab = await webAppliance();
    const client = lab.client();
    expect((await client.login()).status).toBe(302);
    const token = WebClient.token((await client.get('/mail-policies/incoming')).body);
    expect((await client.post('/mail-policies/incoming/new', { _csrf: token, name: 'partner', position: '1', senders: '', recipients: 'partner.example' })).status).toBe(302);
    expect((await client.post('/commit', { _csrf: token, comment: 'partner policy\r\nfrom the web' })).status).toBe(302);
    lab.appliance.logs.flush();
    const text = readFileSync(join(lab.appliance.paths.logs, 'system_logs', 'system.current'), 'utf8');
    // one line: the comment's line break is a space
    expect(text).toMatch(new RegExp(`\\n\\w{3} \\w{3} [ \\d]\\d \\d\\d:\\d\\d:\\d\\d \\d{4} Info: PID ${process.pid}: User admin commit changes: partner policy from the web\\n`));
  });

  it('gui_logs has a line per request in AsyncOS form, with the user and the login, never the password or the token', async () => {
    lab = await webAppliance();
    const client = lab.client();
    expect((await client.login('wrong-passw0rd')).status).toBe(401);
    expect((await client.login()).status).toBe(302);
    const cookie = client.cookies.get('segsim_session');
    expect(cookie).toBeDefined();
    const page = await client.get('/mail-policies/incoming?sort=name');
    const token = WebClient.token(page.body);
    await client.post('/logout', { _csrf: token });
    lab.appliance.logs.flush();
    const text = readFileSync(join(lab.appliance.paths.logs, 'gui_logs', 'gui.current'), 'utf8');
    const requests = text
      .split('\n')
      .filter((l) => l.includes(' Info: req:'))
      .map((l) => l.replace(/^.{24} Info: /, ''));
    const name = /id:([0-9a-f]{20}) 200 GET \/mail-policies\/incoming /.exec(text)?.[1];
    expect(name).toBeDefined();
    expect(requests).toEqual([
      'req:127.0.0.1 user:- id:- 200 GET /login HTTP/1.1 -',
      'req:127.0.0.1 user:- id:- 401 POST /login HTTP/1.1 -',
      'req:127.0.0.1 user:- id:- 200 GET /login HTTP/1.1 -',
      'req:127.0.0.1 user:- id:- 302 POST /login HTTP/1.1 -',
      `req:127.0.0.1 user:admin id:${name} 200 GET /mail-policies/incoming HTTP/1.1 -`,
      `req:127.0.0.1 user:admin id:${name} 302 POST /logout HTTP/1.1 -`,
    ]);
    expect(text).not.toContain(TEST_PASSWORD);
    expect(text).not.toContain('wrong-passw0rd');
    expect(text).not.toContain(token);
    expect(text).not.toContain(cookie!);
    // the file begins as every log file does
    expect(text).toMatch(/^.{24} Info: Begin Logfile\n.{24} Info: Version: \S+ SN: \S+\n.{24} Info: Time offset from UTC: -?\d+ seconds\n/);
  });
});
