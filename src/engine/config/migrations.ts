import { ErrorCodes, UserError } from '../../errors.js';
import { DEFAULT_DESTINATION, DEFAULT_DESTINATION_CONTROL } from './model.js';

/**
 * One step of config.json's history: takes the stored object of one version (without its
 * `version` field) to the next. Plain JSON in, plain JSON out, no I/O: a step that needs a
 * choice (a new setting) takes the value that keeps the old behaviour.
 */
export type ConfigMigration = (stored: Record<string, unknown>) => Record<string, unknown>;

/**
 * Every change of config.json's shape since version 1, oldest first: MIGRATIONS[i] takes version
 * i + 1 to i + 2. A change of the model (schema.ts) that an older file does not satisfy adds a
 * step here, so that a home made by an older segsim opens.
 */
export const MIGRATIONS: readonly ConfigMigration[] = [
  // 1 -> 2 (per-policy inheritance): a policy's TDC mode 'default' meant "use the global
  // settings", so it becomes 'global' (not 'use-default', which would follow DEFAULT's choice);
  // a service's 'default' already meant DEFAULT's setting, now spelled 'use-default'.
  (stored) => ({ ...stored, incomingPolicies: policiesV2(stored.incomingPolicies), outgoingPolicies: policiesV2(stored.outgoingPolicies) }),
  // 2 -> 3 (the Default destination control is required): a table without it gets AsyncOS's
  // (500 connections, 50 messages each), which delivery already used for such a file.
  (stored) => ({ ...stored, destinationControls: withDefaultControl(stored.destinationControls) }),
];

/** A destination controls table with its Default entry (first), added when missing. */
function withDefaultControl(controls: unknown): unknown {
  if (!Array.isArray(controls)) return controls;
  const has = controls.some((c: unknown) => c !== null && typeof c === 'object' && (c as Record<string, unknown>).domain === DEFAULT_DESTINATION);
  return has ? controls : [{ ...DEFAULT_DESTINATION_CONTROL }, ...controls];
}

/**
 * Version 1's policies in version 2's words; anything not shaped as expected is left for the
 * schema check to name. Version 2's words pass unchanged (cluster.json, which has no version of
 * its own, holds policies at each level and goes through this at every load).
 */
export function policiesV2(policies: unknown): unknown {
  if (!Array.isArray(policies)) return policies;
  const service = (v: unknown) => (v === 'default' ? 'use-default' : v);
  return policies.map((p: unknown) => {
    if (p === null || typeof p !== 'object') return p;
    const { antispam, antivirus, tdc, ...rest } = p as Record<string, unknown>;
    const mode = tdc !== null && typeof tdc === 'object' ? (tdc as Record<string, unknown>).mode : undefined;
    return { ...rest, antispam: service(antispam), antivirus: service(antivirus), tdc: mode === 'default' ? { ...(tdc as object), mode: 'global' } : tdc };
  });
}

/** The version this segsim writes. A config.json without `version` is version 1 (segsim 0.1). */
export const CONFIG_VERSION = MIGRATIONS.length + 1;

/**
 * Brings a parsed config.json to the current version: returns it without its `version` field,
 * every step after that version applied. The file itself is not touched (the next commit
 * writes the current version). Throws, naming the file, when the version is not a version or
 * is newer than this segsim knows.
 */
export function migrateConfig(stored: unknown, file: string, migrations: readonly ConfigMigration[] = MIGRATIONS): unknown {
  // not an object: the schema check says what is wrong with it
  if (stored === null || typeof stored !== 'object' || Array.isArray(stored)) return stored;
  const { version = 1, ...config } = stored as Record<string, unknown>;
  if (typeof version !== 'number' || !Number.isInteger(version) || version < 1) {
    throw new UserError(`Configuration file ${file} is not valid: version must be a whole number of at least 1, not ${JSON.stringify(version)}.`, ErrorCodes.configInvalid);
  }
  const current = migrations.length + 1;
  if (version > current) {
    throw new UserError(
      `Configuration file ${file} was written by a newer segsim (configuration version ${version}; this segsim reads up to version ${current}). Use that segsim, or another home (SEGSIM_HOME).`,
      ErrorCodes.configInvalid,
    );
  }
  return migrations.slice(version - 1).reduce((at, step) => step(at), config);
}
