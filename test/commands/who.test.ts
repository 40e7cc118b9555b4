import { rmSync } from 'node:fs';
import { renderWho, whoCommand } from '../../src/commands/who.js';
import { Appliance } from '../../src/engine/appliance.js';
import { expectGolden } from '../helpers/golden.js';
import { runScripted, tempHome } from '../helpers/scripted.js';

const LOGIN = Date.UTC(2024, 1, 16, 9, 30, 5);
let now = LOGIN;
const homes: string[] = [];
afterEach(() => {
  for (const home of homes.splice(0)) rmSync(home, { recursive: true, force: true });
});

describe('who', () => {
  it("lists the sessions in the appliance's columns (golden)", async () => {
    const home = tempHome();
    homes.push(home);
    const appliance = new Appliance({ home, clock: { now: () => now, setTimeout: () => ({ cancel() {} }) } });
    appliance.sessions.open('web', '127.0.0.1');
    now = LOGIN + 5 * 60_000 + 7_000;
    const { transcript } = await runScripted(whoCommand, [], { appliance });
    expectGolden('who.txt', transcript);
    expect(transcript).toMatch(/^Username {2}Role {11}Login Time {2}Idle Time {2}Remote Host {3}What$/m);
    expect(transcript).toMatch(/^={8} {2}={13} {2}={10} {2}={9} {2}={12} {2}={4}$/m);
  });

  it('renders any kind of session, a kind added later included, with its remote host', () => {
    const at = Date.UTC(2024, 1, 16, 15, 4, 0);
    const screen = renderWho(
      [
        { id: 1, kind: 'ssh', user: 'admin', from: '192.0.2.71', since: at, lastActive: at, running: null },
        { id: 2, kind: 'one-shot', user: 'admin', from: 'socket', since: at, lastActive: at - 3 * 60_000, running: 'tail mail_logs' },
        { id: 3, kind: 'ssh', user: 'admin', from: '2001:db8::1234:5678:9abc', since: at, lastActive: at - 2 * 3600_000, running: null },
      ],
      at,
    );
    expect(screen.split('\n').slice(3)).toEqual([
      'admin     Administrator  03:04PM     0s         192.0.2.71                CLI',
      'admin     Administrator  03:04PM     3m         socket                    CLI (one-shot)',
      'admin     Administrator  03:04PM     2h         2001:db8::1234:5678:9abc  CLI',
    ]);
  });
});
