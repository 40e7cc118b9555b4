import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Appliance } from '../../src/engine/appliance.js';
import { CONFIG_VERSION, migrateConfig, type ConfigMigration } from '../../src/engine/config/migrations.js';
import { UserError } from '../../src/errors.js';

/** config.json exactly as segsim 0.1.0 (before versions) wrote it, after a few commits. */
const OLD_FILE = fileURLToPath(new URL('../../fixtures/homes/config-0.1.0.json', import.meta.url));

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'segsim-migrations-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

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
});
