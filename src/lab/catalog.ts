import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ErrorCodes, UserError } from '../errors.js';
import { loadScenario, type Scenario } from './scenario.js';

/** The scenarios shipped in fixtures/labs (relative to the package, wherever it is installed). */
export const LABS_DIR = fileURLToPath(new URL('../../fixtures/labs/', import.meta.url));

export function listScenarios(dir = LABS_DIR): Scenario[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .sort()
    .map((f) => loadScenario(join(dir, f)));
}

/** A shipped scenario by name, or a scenario file by path. */
export function findScenario(nameOrPath: string, dir = LABS_DIR): Scenario {
  if (/\.ya?ml$/.test(nameOrPath)) return loadScenario(nameOrPath);
  const file = ['.yaml', '.yml'].map((ext) => join(dir, `${nameOrPath}${ext}`)).find((f) => existsSync(f));
  if (!file) {
    const names = listScenarios(dir).map((s) => s.name);
    throw new UserError(`No lab named "${nameOrPath}". Labs: ${names.join(', ')}.`, ErrorCodes.notFound);
  }
  return loadScenario(file);
}
