// Builds what bin/segsim.cjs runs: the command line as one CommonJS file, so that a one-shot
// command reads one file instead of ~80 modules and skips Node's ESM loader (test/bench/run.mjs
// measures its CPU against `node -e 0`). Not minified: stack traces stay readable (minifying
// gained nothing measurable).
// - dist/bundle/segsim.cjs: src/main.ts with every module of ours, chalk, commander and env-paths
//   inlined; the big packages (ssh2 too: its optional native parts are found at run time) stay in node_modules and are required only when a code path needs
//   them (the mail engine, the SETD emulator, labs, the web interface, whose htmx.min.js is read
//   from node_modules too).
// - dist/bundle/terminal-view.js: the ink view (ink and react are ESM only and ink uses top-level
//   await, so it cannot be required): loaded with import() when a terminal shell opens.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// what older builds left there (code caches, files since inlined) goes
rmSync('dist/bundle', { recursive: true, force: true });

const common = { bundle: true, platform: 'node', target: 'node20', minify: false, logLevel: 'warning', define: { 'process.env.NODE_ENV': '"production"' } };

await build({
  ...common,
  entryPoints: ['src/main.ts'],
  outfile: 'dist/bundle/segsim.cjs',
  format: 'cjs',
  external: ['nodemailer', 'smtp-server', 'mailparser', 'yaml', 'node-forge', 'fastify', '@fastify/*', 'ssh2', './terminal-view.js'],
  // LABS_DIR and friends resolve from import.meta.url: the bundle's own file URL
  define: { ...common.define, 'import.meta.url': '__segsimUrl' },
  banner: { js: "const __segsimUrl = require('node:url').pathToFileURL(__filename).href;" },
});

await build({
  ...common,
  entryPoints: ['src/ui/terminal-view.tsx'],
  outfile: 'dist/bundle/terminal-view.js',
  format: 'esm',
  packages: 'external',
});
