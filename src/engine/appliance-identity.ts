import { randomBytes } from 'node:crypto';
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDir, type HomePaths } from './home.js';
import { keepAside, readJsonFile } from './state-file.js';
import { identitySchema } from './state-schema.js';

/** What `version` says of this appliance besides the release: made once per home, at its first use. */
export interface ApplianceIdentity {
  /** like a virtual appliance's: 20 hex digits, a dash, 12 hex digits */
  serial: string;
  /** when this home was first used (the appliance's clock) */
  installedAt: number;
}

const identityFile = (paths: HomePaths) => join(paths.state, 'identity.json');

/**
 * This home's serial number and install date (state/identity.json), made on first use. A bad
 * file is kept aside, a new identity made, and `problem` says so.
 */
export function applianceIdentity(paths: HomePaths, now: number): ApplianceIdentity & { problem?: string } {
  const file = identityFile(paths);
  const read = readJsonFile<ApplianceIdentity>(file, identitySchema);
  if (read.state === 'ok') return read.value;
  const hex = (bytes: number) => randomBytes(bytes).toString('hex').toUpperCase();
  const made: ApplianceIdentity = { serial: `${hex(10)}-${hex(6)}`, installedAt: now };
  const problem = read.state === 'bad' ? `${file} is ${read.problem}; kept as ${keepAside(file, now)}, and a new serial number made.` : undefined;
  ensureDir(paths.state);
  // through a temporary name: a crash leaves no half-written identity
  writeFileSync(`${file}.tmp`, `${JSON.stringify(made)}\n`);
  renameSync(`${file}.tmp`, file);
  return problem ? { ...made, problem } : made;
}
