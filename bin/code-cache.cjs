// Runs a CommonJS file compiled from V8's code cache (Node 20 has no module.enableCompileCache,
// which came in 22). Compiling the ~750 KB bundle costs more than a bare `node` start-up; with the
// cache V8 only deserialises it, functions that the command ran included. The cache is derived
// data: missing, stale (another build, another Node) or rejected by V8, it is written again after
// the run; if it cannot be written (a read-only install), the file still runs, compiled as usual.
// Not v8-compile-cache: it hooks every require() and breaks import() (zertosh/v8-compile-cache#30).
'use strict';
const { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { dirname, join, basename } = require('node:path');
const { isAscii } = require('node:buffer');
const { Script } = require('node:vm');

// `module` here is this file's; its class has what the public node:module has, without loading it
const { createRequire, wrap } = module.constructor;
const FORMAT = 'segsim-code-cache 1';

/** Where a cache may live: beside the file, else (a read-only install) the user's cache directory. */
function places(file) {
  const user = () => {
    const root = process.env.XDG_CACHE_HOME || join(require('node:os').homedir(), '.cache');
    return join(root, 'segsim', `${basename(file)}.v8cache`);
  };
  return { beside: `${file}.v8cache`, user };
}

/**
 * The cache's first line: what it was made from. V8 checks its own version and flags but of the
 * source only the length, so the file's first line must name its build (esbuild.config.mjs writes
 * a hash of the content there); mtimes cannot, npm sets them all to one date.
 */
function keyOf(source) {
  return `${FORMAT} ${process.version} ${process.arch} ${source.slice(0, source.indexOf('\n'))}\n`;
}

/** The cached data in `path` if it was made from this key; null for another key, undefined for none. */
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
 * A module that loads on first use: the first property read, `in` or listing of its keys. The
 * file's named imports of it are property reads (`(0, m.randomBytes)(...)`), so the module loads
 * when its first function is called, not when the file initialises.
 */
function deferred(load) {
  let real;
  const target = () => (real ??= load());
  return new Proxy(
    {},
    {
      get: (_, key) => target()[key],
      has: (_, key) => key in target(),
      ownKeys: () => Reflect.ownKeys(target()),
      getOwnPropertyDescriptor: (_, key) => {
        const found = Reflect.getOwnPropertyDescriptor(target(), key);
        // a proxy may not call a property non-configurable that its (empty) target lacks
        return found && { ...found, configurable: true };
      },
    },
  );
}

/**
 * Runs `file` into `exported` (a module's { exports }) from its cache, with `require` as its
 * require; returns `save`, which writes the cache if there was no good one.
 */
function runCached(file, exported, require) {
  const bytes = readFileSync(file);
  // ASCII (the bundle is: esbuild.config.mjs) read as Latin-1: a one-byte string, no UTF-8 decoding
  const source = bytes.toString(isAscii(bytes) ? 'latin1' : 'utf8');
  const key = keyOf(source);
  const { beside, user } = places(file);
  let path = beside;
  let cached = readCache(beside, key);
  if (!cached) {
    const other = user();
    const found = readCache(other, key);
    if (found) [path, cached] = [other, found];
  }
  const script = new Script(wrap(source), { filename: file, cachedData: cached ?? undefined });
  script.runInThisContext().call(exported.exports, exported.exports, require, exported, file, dirname(file));
  return () => {
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
}

/**
 * Loads `file` (CommonJS whose first line names its build; without import(): Node 20 cannot
 * import() from code compiled from a cache) and returns its exports and `save`, to call once the
 * program has run: it writes the caches that were missing or bad, with the functions compiled by
 * then. Of what the file requires, the modules named in `defer` load on first use, and the
 * relative paths that `alsoCached` matches (files of the same kind) run from caches of their own.
 */
function requireCached(file, { defer = [], alsoCached = /(?!)/ } = {}) {
  const later = new Set(defer);
  const runs = new Map();
  const load = (path) => {
    if (!runs.has(path)) {
      const run = { module: { exports: {} }, save: () => undefined };
      runs.set(path, run);
      const plain = createRequire(path);
      const now = (id) => (alsoCached.test(id) ? load(join(dirname(path), id)) : plain(id));
      const require = (id) => (later.has(id) ? deferred(() => now(id)) : now(id));
      run.save = runCached(path, run.module, Object.assign(require, plain));
    }
    return runs.get(path).module.exports;
  };
  const exports = load(file);
  return {
    exports,
    save: () => {
      for (const run of runs.values()) run.save();
    },
  };
}

module.exports = { requireCached };
