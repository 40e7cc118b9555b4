import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { ErrorCodes, UserError } from '../errors.js';
import { schemaProblems, type SchemaNode } from './config/schema-check.js';

/** Where the appliance reports a file it could not use (mail_logs and the operator's terminal). */
export type ProblemReport = (text: string) => void;

/** The outcome of reading a JSON file the appliance keeps: absent, usable, or bad (with why). */
export type JsonFileRead<T> = { state: 'missing' } | { state: 'ok'; value: T } | { state: 'bad'; problem: string };

/** The problems of a value against a schema, named after the file it came from. */
export function shapeProblems(value: unknown, schema: SchemaNode, name: string): string[] {
  return schemaProblems(value, schema, '', name);
}

/**
 * Parses JSON text and checks its shape; `name` is how problems refer to it. `syntax` tells text
 * that is not JSON at all (torn) from JSON of the wrong shape.
 */
export function parseJson<T>(text: string, schema: SchemaNode, name: string): { ok: true; value: T } | { ok: false; syntax: boolean; problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, syntax: true, problem: `not JSON: ${(error as Error).message}` };
  }
  const problems = shapeProblems(value, schema, name);
  if (problems.length === 0) return { ok: true, value: value as T };
  // a wrong shape can have dozens of problems: the first few tell what is wrong
  const shown = problems.slice(0, 3).join('; ');
  return { ok: false, syntax: false, problem: `not valid: ${problems.length > 3 ? `${shown} (and ${problems.length - 3} more)` : shown}` };
}

/** Reads a JSON file and checks its shape: valid JSON of the wrong shape is as bad as a torn file. */
export function readJsonFile<T>(path: string, schema: SchemaNode): JsonFileRead<T> {
  if (!existsSync(path)) return { state: 'missing' };
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    return { state: 'bad', problem: `unreadable: ${(error as Error).message}` };
  }
  const parsed = parseJson<T>(text, schema, basename(path));
  return parsed.ok ? { state: 'ok', value: parsed.value } : { state: 'bad', problem: parsed.problem };
}

/** A compact UTC stamp for file names: 20240216T211922.123Z. */
function fileStamp(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '');
}

/**
 * Renames a bad file to `<file>.bad-<timestamp>` (never deletes it: an operator may want it) and
 * returns the new path. A name already taken gets a counter. When even that fails, the appliance
 * cannot go on without overwriting the file: the error names it.
 */
export function keepAside(path: string, now: number): string {
  const base = `${path}.bad-${fileStamp(now)}`;
  let target = base;
  for (let n = 1; existsSync(target); n++) target = `${base}-${n}`;
  try {
    renameSync(path, target);
  } catch (error) {
    throw new UserError(`${path} is not valid and cannot be kept aside as ${basename(target)}: ${(error as Error).message}.`, ErrorCodes.io);
  }
  return target;
}

/**
 * Writes a file so that a crash at any moment leaves either the old or the new content: a
 * temporary file, synced, renamed over the old one, and the directory synced so the rename
 * itself survives a power cut. For rare writes (commits), never on a per-message path.
 */
export function writeFileDurably(path: string, text: string): void {
  const tmp = `${path}.tmp`;
  writeFileSync(tmp, text, { mode: 0o600 });
  const fd = openSync(tmp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  const dir = openSync(dirname(path), 'r');
  try {
    fsyncSync(dir);
  } finally {
    closeSync(dir);
  }
}
