#!/usr/bin/env node
require('../dist/bundle/segsim.cjs')
  .main(process.argv.slice(2))
  .then((code) => (process.exitCode = code));
