import { existsSync, readdirSync, readFileSync, renameSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { ErrorCodes, UserError } from '../errors.js';
import { shapeProblems, summarizeProblems, type JsonShape, type ShapeNames } from './json-shape.js';

/** Where the appliance reports a file it could not use (mail_logs and the operator's terminal). */
export type ProblemReport = (text: string) => void;

/** The outcome of reading a JSON file the appliance keeps: absent, usable, or bad (with why). */
export type JsonFileRead<T> = { state: 'missing' } | { state: 'ok'; value: T } | { state: 'bad'; problem: string };

/**
 * Parses JSON text and checks its shape; `names` say how problems refer to it (a file name, or
 * the whole value's name and a prefix of every path). `syntax` tells text that is not JSON at all
 * (torn) from JSON of the wrong shape. `upgrade` brings what an older segsim wrote to today's
 * words before the check.
 */
export function parseJson<T>(
  text: string,
  shape: JsonShape<T>,
  names: string | ShapeNames,
  upgrade: (value: unknown) => unknown = (v) => v,
): { ok: true; value: T } | { ok: false; syntax: boolean; problem: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    return { ok: false, syntax: true, problem: `not JSON: ${(error as Error).message}` };
  }
  const value = upgrade(parsed);
  const problems = shapeProblems(value, shape, typeof names === 'string' ? { root: names } : names);
  if (problems.length === 0) return { ok: true, value: value as T };
  return { ok: false, syntax: false, problem: `not valid: ${summarizeProblems(problems)}` };
}

/** Reads a JSON file and checks its shape: valid JSON of the wrong shape is as bad as a torn file. */
export function readJsonFile<T>(path: string, shape: JsonShape<T>, names: string | ShapeNames = basename(path), upgrade?: (value: unknown) => unknown): JsonFileRead<T> {
  if (!existsSync(path)) return { state: 'missing' };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { state: 'bad', problem: `unreadable: ${(error as Error).message}` };
  }
  const parsed = parseJson(text, shape, names, upgrade);
  return parsed.ok ? { state: 'ok', value: parsed.value } : { state: 'bad', problem: parsed.problem };
}

/** A compact UTC stamp for file names: 20240216T211922.123Z. */
function fileStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '');
}

const ASIDE = '.bad-';

/**
 * Renames a bad file to `<file>.bad-<timestamp>` (never deletes it: an operator may want it),
 * under a name no earlier copy has (a name already taken gets a counter). Never throws: when the
 * rename fails, says why.
 */
export function tryKeepAside(path: string, now: number): { keptAs: string } | { keptAs: null; target: string; error: string } {
  const base = `${path}${ASIDE}${fileStamp(now)}`;
  let target = base;
  for (let n = 1; existsSync(target); n++) target = `${base}-${n}`;
  try {
    renameSync(path, target);
    return { keptAs: target };
  } catch (error) {
    return { keptAs: null, target, error: (error as Error).message };
  }
}

/**
 * Keeps a bad file aside (tryKeepAside) and returns its new path. When even that fails, the
 * appliance cannot go on without overwriting the file: the error names it.
 */
export function keepAside(path: string, now: number): string {
  const aside = tryKeepAside(path, now);
  if (aside.keptAs === null) throw new UserError(`${path} is not valid and cannot be kept aside as ${basename(aside.target)}: ${aside.error}.`, ErrorCodes.io);
  return aside.keptAs;
}

/** The newest copy of a file kept aside (its name sorts by time), or undefined. */
export function latestKeptAside(path: string): string | undefined {
  const prefix = `${basename(path)}${ASIDE}`;
  let names: string[];
  try {
    names = readdirSync(dirname(path)).filter((n) => n.startsWith(prefix));
  } catch {
    return undefined;
  }
  // numeric collation orders the times, and a copy's -2 after its -1
  const latest = names.sort((a, b) => a.localeCompare(b, 'en', { numeric: true })).at(-1);
  return latest && join(dirname(path), latest);
}
