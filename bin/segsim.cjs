#!/usr/bin/env node
// Runs the bundled command line (dist/bundle, made by `npm run build`).
require('../dist/bundle/segsim.cjs')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
