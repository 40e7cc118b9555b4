// Builds what bin/segsim.cjs runs: the command line as one CommonJS file, so that a one-shot
// command starts about as fast as a bare `node` (no ESM loader, ~80 modules read as one). Not
// minified: stack traces stay readable, and with the code cache minifying gained at most ~2 ms.
// Each .cjs file starts with a line naming its build and is ASCII (bin/code-cache.cjs).
// - dist/bundle/segsim.cjs: src/main.ts with every module of ours and env-paths inlined; the big
//   packages stay in node_modules and are required only when a code path needs them (the mail
//   engine, the SETD emulator, labs, the web interface, whose htmx.min.js is read from
//   node_modules too). bin/segsim.cjs runs it compiled from V8's code cache (bin/code-cache.cjs).
// - dist/bundle/chalk.cjs: chalk, required on first use (colour), from its own code cache.
// - dist/bundle/terminal-view.js: the ink view (ink and react are ESM only and ink uses top-level
//   await, so it cannot be required): loaded with import() when a terminal shell opens, through
//   dist/bundle/import-esm.cjs, since Node 20 cannot import() from code compiled from a cache.
// - dist/bundle/validators/*.cjs: the validators generated from our JSON Schemas
//   (scripts/build-validators.mjs), minified, each required by the bundle the first time one of
//   its validators runs, from its own code cache: a one-shot command that reads config.json loads
//   the configuration's validator and no other.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { build } from 'esbuild';

const generated = readdirSync('src', { recursive: true }).filter((f) => f.endsWith('.generated.ts')).map((f) => `src/${f}`);

/** In the bundle, a generated module is a stand-in that requires the real one on first use. */
const lazyValidators = {
  name: 'lazy-validators',
  setup(b) {
    b.onResolve({ filter: /\.generated\.js$/ }, (args) => ({ path: `${args.resolveDir}/${args.path.replace(/\.js$/, '.ts')}`, namespace: 'lazy-validators' }));
    b.onLoad({ filter: /.*/, namespace: 'lazy-validators' }, (args) => {
      const names = [...readFileSync(args.path, 'utf8').matchAll(/^export const (\w+) =/gm)].map((m) => m[1]);
      const file = `./validators/${basename(args.path, '.ts')}.cjs`;
      return {
        loader: 'js',
        contents: [
          'let real;',
          `const load = () => (real ??= require(${JSON.stringify(file)}));`,
          'const lazy = (name) => { const v = (data) => { const f = load()[name]; const ok = f(data); v.errors = f.errors; return ok; }; return v; };',
          ...names.map((n) => `export const ${n} = lazy(${JSON.stringify(n)});`),
        ].join('\n'),
      };
    });
  },
};

/** chalk is required from dist/bundle/chalk.cjs, which bin/segsim.cjs loads on first use (colour). */
const chalkApart = {
  name: 'chalk-apart',
  setup(b) {
    b.onResolve({ filter: /^chalk$/ }, () => ({ path: './chalk.cjs', external: true }));
  },
};

const common = { bundle: true, platform: 'node', target: 'node20', minify: false, logLevel: 'warning', define: { 'process.env.NODE_ENV': '"production"' } };

/**
 * The bundle's import() of an ES module goes through import-esm.cjs, which Node compiles itself: in
 * a script compiled from V8's code cache, Node 20 has lost what import() needs (V8 kept no
 * host-defined options in the cache) and it throws. Any other import() left fails the build.
 */
function importOutsideCache(code) {
  const bridged = code.replaceAll(/\bimport\((?=["'])/g, 'require("./import-esm.cjs")(');
  const left = /.*[^\w$.]import\(.*/.exec(bridged);
  if (left) throw new Error(`the bundle still calls import(), which fails in code compiled from a cache: ${left[0].trim()}`);
  return bridged;
}

/**
 * The code in ASCII: esbuild escapes non-ASCII characters in strings but leaves those of comments
 * and tagged templates (the web pages' html``). One such character makes V8 hold the whole source
 * as two bytes a character (1.5 MB, not 0.75) and Node decode it as UTF-8 on every run; in ASCII,
 * bin/code-cache.cjs reads it as Latin-1 (~4 ms less CPU per one-shot run). The escape keeps a
 * template's strings as they were, not its raw strings: no tag here reads strings.raw.
 */
function ascii(code) {
  return code.replaceAll(/[^\0-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The code with a first line that names its build: the code cache's key (bin/code-cache.cjs). */
function named(code) {
  return `// segsim build ${createHash('sha256').update(code).digest('hex').slice(0, 32)}\n${code}`;
}

const OUT = 'dist/bundle/segsim.cjs';
const bundled = await build({
  ...common,
  entryPoints: ['src/main.ts'],
  write: false,
  outfile: OUT,
  format: 'cjs',
  external: ['nodemailer', 'smtp-server', 'mailparser', 'yaml', 'node-forge', 'fastify', '@fastify/*', './terminal-view.js', './validators/*', './chalk.cjs'],
  plugins: [lazyValidators, chalkApart],
  // LABS_DIR and friends resolve from import.meta.url: the bundle's own file URL
  define: { ...common.define, 'import.meta.url': '__segsimUrl' },
  banner: { js: "const __segsimUrl = require('node:url').pathToFileURL(__filename).href;" },
});
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, named(ascii(importOutsideCache(bundled.outputFiles[0].text))));
// chalk (ESM only, but without top-level await: it can be made CommonJS): initialising it costs
// ~1 ms, which only a run that writes in colour needs (src/ui/styles.ts makes no Chalk otherwise)
const chalk = await build({ ...common, entryPoints: ['chalk'], write: false, outfile: 'dist/bundle/chalk.cjs', format: 'cjs' });
writeFileSync('dist/bundle/chalk.cjs', named(ascii(chalk.outputFiles[0].text)));
writeFileSync('dist/bundle/import-esm.cjs', '// import() from a file that Node compiles itself (see esbuild.config.mjs)\nmodule.exports = (specifier) => import(specifier);\n');

await build({
  ...common,
  entryPoints: ['src/ui/terminal-view.tsx'],
  outfile: 'dist/bundle/terminal-view.js',
  format: 'esm',
  packages: 'external',
});

const validators = await build({
  ...common,
  entryPoints: generated,
  write: false,
  outdir: 'dist/bundle/validators',
  entryNames: '[name]',
  outExtension: { '.js': '.cjs' },
  format: 'cjs',
  minify: true, // generated code: nobody reads its stack traces
});
// run from code caches of their own too (bin/segsim.cjs)
mkdirSync('dist/bundle/validators', { recursive: true });
for (const file of validators.outputFiles) writeFileSync(file.path, named(ascii(file.text)));
