import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createJsonAtomic, writeJsonAtomic } from './atomic-file.js';
import { ensureDir, type HomePaths } from './home.js';
import { keepAside, readJsonFile } from './state-file.js';
import { jsonShape } from './json-shape.js';
import { identitySchema } from './state-schema.js';
import { validateIdentity } from './state-schema.generated.js';

/** What `version` says of this appliance besides the release: made once per home, at its first use. */
export interface ApplianceIdentity {
  /** like a virtual appliance's: 20 hex digits, a dash, 12 hex digits */
  serial: string;
  /** when this home was first used (the appliance's clock) */
  installedAt: number;
}

const identityFile = (paths: HomePaths) => join(paths.state, 'identity.json');
const IDENTITY_FILE = jsonShape<ApplianceIdentity>(identitySchema, validateIdentity);

/**
 * This home's serial number and install date (state/identity.json), made on first use. A bad
 * file is kept aside, a new identity made, and `problem` says so.
 */
export function applianceIdentity(paths: HomePaths, now: number): ApplianceIdentity & { problem?: string } {
  const file = identityFile(paths);
  const read = readJsonFile<ApplianceIdentity>(file, IDENTITY_FILE);
  if (read.state === 'ok') return read.value;
  const hex = (bytes: number) => randomBytes(bytes).toString('hex').toUpperCase();
  // a virtual appliance's serial begins with VMware's 42 (a real C100V: 42127C7DDEE76852677B-F80CE8074CD3)
  const made: ApplianceIdentity = { serial: `42${hex(9)}-${hex(6)}`, installedAt: now };
  const problem = read.state === 'bad' ? `${file} is ${read.problem}; kept as ${keepAside(file, now)}, and a new serial number made.` : undefined;
  ensureDir(paths.state);
  if (problem) writeJsonAtomic(file, made);
  else if (!createJsonAtomic(file, made)) return applianceIdentity(paths, now); // another process made it first: the one identity
  return problem ? { ...made, problem } : made;
}
