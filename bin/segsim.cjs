#!/usr/bin/env node
// Runs the bundled command line (dist/bundle, made by `npm run build`), compiled from V8's code
// cache (code-cache.cjs).
'use strict';
const { join } = require('node:path');
const { requireCached } = require('./code-cache.cjs');

// Node's modules that a one-shot command seldom needs, ~0.5-2 ms each to load: the bundle's named
// imports of them load them on first use (the SETD store's file handles, the cluster's keys, a
// terminal shell's lines, the collector tuning of a running appliance, commander's subprocesses,
// which segsim never runs), not at start-up. Not node:net: node:tty loads it (chalk asks whether
// stdout is a terminal).
const DEFERRED = ['node:child_process', 'node:crypto', 'node:fs/promises', 'node:perf_hooks', 'node:readline', 'node:tls', 'node:v8'];

// chalk too, apart from the bundle: only output in colour needs it (esbuild.config.mjs)
const DEFERRED_FILES = ['./chalk.cjs'];
// the files of the bundle that it requires, each on first use (esbuild.config.mjs)
const PARTS = /^\.\/(validators\/[\w.-]+|chalk)\.cjs$/;

const bundle = requireCached(join(__dirname, '../dist/bundle/segsim.cjs'), { defer: [...DEFERRED, ...DEFERRED_FILES], alsoCached: PARTS });
bundle.exports.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  bundle.save();
});
