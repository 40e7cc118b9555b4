#!/usr/bin/env node
// Runs the bundled command line (dist/bundle, made by `npm run build`), compiled from V8's code
// cache (code-cache.cjs).
'use strict';
const { join } = require('node:path');
const { requireCached } = require('./code-cache.cjs');

const bundle = requireCached(join(__dirname, '../dist/bundle/segsim.cjs'));
bundle.exports.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  bundle.save();
});
