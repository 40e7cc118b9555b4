// Runs a CommonJS file compiled from V8's code cache (Node 20 has no module.enableCompileCache,
// which came in 22). Compiling the ~750 KB bundle costs more than a bare `node` start-up; with the
// cache V8 only deserialises it, functions that the command ran included. The cache is derived
// data: missing, stale (another build, another Node) or rejected by V8, it is written again after
// the run; if it cannot be written (a read-only install), the file still runs, compiled as usual.
// Not v8-compile-cache: it hooks every require() and breaks import() (zertosh/v8-compile-cache#30).
'use strict';
const { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { createRequire, wrap } = require('node:module');
const { dirname, join, basename } = require('node:path');
const { Script } = require('node:vm');

const FORMAT = 'segsim-code-cache 1';

/** Where a cache may live: beside the file, else (a read-only install) the user's cache directory. */
function places(file) {
  const beside = `${file}.v8cache`;
  const user = () => {
    const root = process.env.XDG_CACHE_HOME || join(require('node:os').homedir(), '.cache');
    return join(root, 'segsim', `${basename(file)}.v8cache`);
  };
  return { beside, user };
}

/** The cache's first line: what it was made from, so that no other build or Node takes it. */
function keyOf(file) {
  const { size, mtimeMs } = statSync(file);
  return `${FORMAT} ${process.version} ${process.arch} ${size} ${mtimeMs}\n`;
}

function readCache(path, key) {
  let data;
  try {
    data = readFileSync(path);
  } catch {
    return undefined;
  }
  return data.subarray(0, key.length).toString('latin1') === key ? data.subarray(key.length) : null;
}

/** Writes through a file of this process's own, renamed into place: concurrent runs never read half a cache. */
function writeCache(path, key, data) {
  const temporary = `${path}.${process.pid}.tmp`;
  mkdirSync(dirname(path), { recursive: true });
  try {
    writeFileSync(temporary, Buffer.concat([Buffer.from(key, 'latin1'), data]));
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw error;
  }
}

/**
 * Loads `file` (CommonJS, without import(): Node 20 cannot import() from code compiled from a
 * cache) and returns its exports and `save`, to call once the program has run: it writes the cache
 * when there was no good one, with the functions compiled by then.
 */
function requireCached(file) {
  const key = keyOf(file);
  const { beside, user } = places(file);
  let path = beside;
  let cached = readCache(beside, key);
  if (!cached) {
    const other = user();
    const found = readCache(other, key);
    if (found) [path, cached] = [other, found];
  }
  const script = new Script(wrap(readFileSync(file, 'utf8')), { filename: file, cachedData: cached ?? undefined });
  const module = { exports: {} };
  script.runInThisContext().call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  const save = () => {
    if (cached && !script.cachedDataRejected) return;
    const data = script.createCachedData();
    for (const target of path === beside ? [beside, user()] : [path]) {
      try {
        writeCache(target, key, data);
        return;
      } catch {
        // not writable here: the next place, else no cache (the program still ran)
      }
    }
  };
  return { exports: module.exports, save };
}

module.exports = { requireCached };
