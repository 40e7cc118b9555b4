import { existsSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureDir, type HomePaths } from '../home.js';
import type { ApplianceConfig } from './model.js';
import type { CommitRecord } from './committed.js';

/** How many rollback points the home keeps: the oldest go first. */
export const ROLLBACK_POINTS_KEPT = 10;

/** Where the rollback points are kept: one JSON file per commit, named by its time (UTC). */
export const rollbackDir = (paths: HomePaths) => join(paths.root, 'rollback');

/**
 * Saves a committed configuration as a rollback point, as `commit` does when its rollback question
 * is answered Y: `{ at, comment, by, config }` in `<home>/rollback/<time>.json`. segsim has no
 * `rollbackconfig` yet; the files are there to read or to copy back over config.json by hand.
 */
export function saveRollbackPoint(paths: HomePaths, config: Readonly<ApplianceConfig>, record: CommitRecord): string {
  const dir = ensureDir(rollbackDir(paths));
  const stamp = new Date(record.at).toISOString().replace(/[-:]/g, '');
  let file = join(dir, `${stamp}.json`);
  for (let n = 2; existsSync(file); n++) file = join(dir, `${stamp}-${n}.json`);
  writeFileSync(file, `${JSON.stringify({ at: record.at, comment: record.comment, by: record.by, config }, null, 2)}\n`, { mode: 0o600 });
  const points = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  for (const old of points.slice(0, Math.max(0, points.length - ROLLBACK_POINTS_KEPT))) rmSync(join(dir, old), { force: true });
  return file;
}
