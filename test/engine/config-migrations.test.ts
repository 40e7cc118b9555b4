import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Appliance } from '../../src/engine/appliance.js';
import { CONFIG_VERSION, migrateConfig, type ConfigMigration } from '../../src/engine/config/migrations.js';
import { defaultConfig, type ApplianceConfig } from '../../src/engine/config/model.js';
import { intakeFor } from '../../src/engine/mail/work-queue.js';
import { defaultPolicyOf, matchPolicy } from '../../src/engine/policy-match.js';
import { UserError } from '../../src/errors.js';
import { runMain } from '../helpers/run-main.js';
import { tempHome } from '../helpers/scripted.js';

/** config.json exactly as segsim 0.1.0 (before versions) wrote it, after a few commits. */
const OLD_FILE = fileURLToPath(new URL('../../fixtures/homes/config-0.1.0.json', import.meta.url));

let home: string;
beforeEach(() => {
  home = tempHome();
});

const file = () => join(home, 'config.json');

describe('config.json versions', () => {
  it('opens a config.json written by segsim 0.1.0, leaves it as it is, and the next commit writes the current version', async () => {
    // Given a home whose config.json an older segsim wrote (no version field)
    copyFileSync(OLD_FILE, file());
    const old = JSON.parse(readFileSync(OLD_FILE, 'utf8'));
    expect(old.version).toBeUndefined();

    // When this segsim opens it, every setting is there, in today's words, and the file is not rewritten
    const migrated = structuredClone(old);
    migrated.incomingPolicies[0].antivirus = 'use-default'; // was "default": DEFAULT's setting
    migrated.incomingPolicies[1].tdc.mode = 'global'; // was "default": the global settings
    const appliance = new Appliance({ home });
    expect(appliance.configuration.current).toEqual(migrated);
    expect(readFileSync(file(), 'utf8')).toBe(readFileSync(OLD_FILE, 'utf8'));

    // and the next commit writes it in the current version, settings unchanged
    const session = appliance.sessions.open('shell', 'console');
    session.config.edit((c) => void (c.hostname = 'esa3.lab.example'));
    await session.config.commit('after the upgrade');
    const written = JSON.parse(readFileSync(file(), 'utf8'));
    expect(written).toEqual({ version: CONFIG_VERSION, ...migrated, hostname: 'esa3.lab.example' });
    expect(new Appliance({ home }).configuration.current).toEqual({ ...migrated, hostname: 'esa3.lab.example' });
  });

  /** The work queue's journal decision for each message (sender -> recipient): policy and intake address. */
  const journaling = (config: ApplianceConfig, mail: [string, string][]) =>
    mail.map(([sender, recipient]) => {
      const policy = matchPolicy(config.incomingPolicies, { sender, recipient });
      return `${sender} -> ${recipient}: ${policy.name}, ${intakeFor(policy, defaultPolicyOf(config.incomingPolicies), config) ?? 'not journaled'}`;
    });

  it("segsim 0.1.0's config.json and the same file marked version 1 journal as segsim 0.1.0 did", () => {
    const mail: [string, string][] = [
      ['a@mx.trusted.example', 'bob@partner.example'],
      ['a@else.example', 'bob@partner.example'],
      ['a@else.example', 'eve@example.com'],
    ];
    const expected = [
      'a@mx.trusted.example -> bob@partner.example: partner, 15e1c36b@beta.cmd.cisco.com',
      'a@else.example -> bob@partner.example: DEFAULT, b5986efe@beta.cmd.cisco.com',
      'a@else.example -> eve@example.com: DEFAULT, b5986efe@beta.cmd.cisco.com',
    ];
    copyFileSync(OLD_FILE, file());
    expect(journaling(new Appliance({ home }).configuration.current, mail)).toEqual(expected);
    writeFileSync(file(), JSON.stringify({ version: 1, ...JSON.parse(readFileSync(OLD_FILE, 'utf8')) }));
    expect(journaling(new Appliance({ home }).configuration.current, mail)).toEqual(expected);
  });

  it('a version 1 policy on "default" (the global settings) keeps journaling when DEFAULT is No: it becomes Use Global Settings, not use default', () => {
    const v1 = JSON.parse(readFileSync(OLD_FILE, 'utf8'));
    v1.incomingPolicies.unshift({ name: 'sales', senders: [], recipients: ['sales.example'], antispam: 'default', antivirus: 'off', tdc: { mode: 'default' } });
    v1.incomingPolicies.at(-1).tdc = { mode: 'no' };
    writeFileSync(file(), JSON.stringify({ version: 1, ...v1 }));
    const config = new Appliance({ home }).configuration.current;
    expect(config.incomingPolicies[0]).toMatchObject({ antispam: 'use-default', antivirus: 'off', tdc: { mode: 'global' } });
    expect(
      journaling(config, [
        ['a@else.example', 'bob@sales.example'],
        ['a@else.example', 'eve@example.com'],
      ]),
    ).toEqual(['a@else.example -> bob@sales.example: sales, b5986efe@beta.cmd.cisco.com', 'a@else.example -> eve@example.com: DEFAULT, not journaled']);
  });

  it('refuses a config.json from a newer segsim, naming the file and both versions, and leaves it alone', () => {
    const newer = `${JSON.stringify({ version: CONFIG_VERSION + 1, ...JSON.parse(readFileSync(OLD_FILE, 'utf8')), futureSetting: true }, null, 2)}\n`;
    writeFileSync(file(), newer);
    expect(() => new Appliance({ home })).toThrow(UserError);
    expect(() => new Appliance({ home })).toThrow(
      `Configuration file ${file()} was written by a newer segsim (configuration version ${CONFIG_VERSION + 1}; this segsim reads up to version ${CONFIG_VERSION}).`,
    );
    expect(readFileSync(file(), 'utf8')).toBe(newer);
  });

  it('refuses a version that is not a version', () => {
    writeFileSync(file(), JSON.stringify({ version: '2', ...JSON.parse(readFileSync(OLD_FILE, 'utf8')) }));
    expect(() => new Appliance({ home })).toThrow(`Configuration file ${file()} is not valid: version must be a whole number of at least 1, not "2".`);
  });

  it('applies, in order, every step after the version the file has', () => {
    const steps: ConfigMigration[] = [
      ({ colour, ...rest }) => ({ ...rest, color: colour }), // version 1 -> 2: a renamed setting
      (stored) => ({ ...stored, shade: `${String(stored.color)}ish` }), // 2 -> 3: a new setting from an old one
    ];
    expect(migrateConfig({ colour: 'red' }, 'config.json', steps)).toEqual({ color: 'red', shade: 'redish' });
    expect(migrateConfig({ version: 1, colour: 'red' }, 'config.json', steps)).toEqual({ color: 'red', shade: 'redish' });
    expect(migrateConfig({ version: 2, color: 'blue' }, 'config.json', steps)).toEqual({ color: 'blue', shade: 'blueish' });
    expect(migrateConfig({ version: 3, color: 'blue', shade: 'teal' }, 'config.json', steps)).toEqual({ color: 'blue', shade: 'teal' });
    expect(() => migrateConfig({ version: 4 }, 'config.json', steps)).toThrow(/config\.json was written by a newer segsim \(configuration version 4; this segsim reads up to version 3\)/);
  });

  it('a config.json of version 2 without the Default destination control gets it (500, 50): destconfig lists and edits the table, no application fault', async () => {
    const stored = defaultConfig();
    stored.destinationControls = [{ domain: 'example.com', maxConnections: 20, maxMessagesPerConnection: 10 }];
    writeFileSync(file(), JSON.stringify({ version: 2, ...stored }));

    const listed = await runMain(['--home', home, 'destconfig', '--json']);
    expect(listed).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(listed.stdout)).toEqual([
      { domain: 'Default', maxConnections: 500, maxMessagesPerConnection: 50 },
      { domain: 'example.com', maxConnections: 20, maxMessagesPerConnection: 10 },
    ]);
    // a new entry starts from Default's values
    expect(await runMain(['--home', home, 'destconfig', '--domain', 'example.org', '--max-connections', '7'])).toMatchObject({ code: 0, stderr: '' });
    expect(new Appliance({ home }).configuration.current.destinationControls).toEqual([
      { domain: 'Default', maxConnections: 500, maxMessagesPerConnection: 50 },
      { domain: 'example.com', maxConnections: 20, maxMessagesPerConnection: 10 },
      { domain: 'example.org', maxConnections: 7, maxMessagesPerConnection: 50 },
    ]);
    expect(JSON.parse(readFileSync(file(), 'utf8')).version).toBe(CONFIG_VERSION);
  });

  it('refuses a config.json of the current version without the Default destination control, naming it', async () => {
    const stored = defaultConfig();
    stored.destinationControls = [];
    writeFileSync(file(), JSON.stringify({ version: CONFIG_VERSION, ...stored }));
    const run = await runMain(['--home', home, 'destconfig', '--json']);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`Configuration file ${file()} is not valid: destination controls have no Default entry.`);
    expect(run.stderr).not.toMatch(/application fault/i);
  });
});
