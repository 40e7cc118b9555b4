#!/usr/bin/env node
// Runs the bundled command line (dist/bundle, made by `npm run build`), compiled from V8's code
// cache (code-cache.cjs).
'use strict';
const { join } = require('node:path');
const { requireCached } = require('./code-cache.cjs');

// Node's modules that a one-shot command seldom needs, ~0.5-2 ms each to load: the bundle's named
// imports of them load them on first use (the SETD store's file handles, the cluster's keys, a
// terminal shell's lines, commander's subprocesses, which segsim never runs), not at start-up. Not
// node:net: node:tty loads it (chalk asks whether stdout is a terminal).
const DEFERRED = ['node:child_process', 'node:crypto', 'node:fs/promises', 'node:readline', 'node:tls', 'node:v8'];

// the validators of the JSON Schemas, each required on first use (esbuild.config.mjs)
const VALIDATORS = /^\.\/validators\/[\w.-]+\.cjs$/;

const bundle = requireCached(join(__dirname, '../dist/bundle/segsim.cjs'), { defer: DEFERRED, alsoCached: VALIDATORS });
bundle.exports.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  bundle.save();
});
