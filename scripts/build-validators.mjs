// Generates the JSON-Schema validators (ajv standalone code) from the schemas in src, one
// `<schema module>.generated.ts` beside each schema module. Generated code costs a one-shot run
// about a millisecond (the configuration's, loaded on first use); compiling the schemas with ajv
// at start-up cost ~95 ms, and a hand-written checker described each shape a second time.
//
// Run by `npm run build` (before tsc and the bundle). The output is committed, so that tsc,
// vitest and eslint work on a fresh clone before any build; test/engine/generated-validators
// .test.ts fails when a committed file is not what this script makes of the schemas now.
//
//   node scripts/build-validators.mjs          write the files
//   node scripts/build-validators.mjs --check  exit 1 when a file is stale (nothing written)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import Ajv from 'ajv';
import standaloneCode from 'ajv/dist/standalone/index.js';

/** Each schema module and the schemas it exports, by export name: the validator is `validate<Name>`. */
const SCHEMA_MODULES = {
  'src/engine/config/schema.ts': ['configSchema'],
  'src/engine/state-schema.ts': ['idsSchema', 'countersSchema', 'receivedRecordSchema', 'queueFileSchema', 'identitySchema'],
  'src/setd/store-schemas.ts': ['accountsSchema', 'faultsSchema'],
  'src/lab/scenario-schema.ts': ['scenarioSchema'],
  'src/engine/cluster/cluster-schema.ts': ['replicatedClusterSchema', 'clusterDocSchema'],
  'src/engine/cluster/lab-cluster-schema.ts': ['labClusterSchema', 'sharedSetdSchema'],
  'src/cli/control-schema.ts': ['controlRequestSchema', 'shellMessageSchema'],
};

const root = new URL('..', import.meta.url).pathname;
const validatorName = (exportName) => `validate${exportName[0].toUpperCase()}${exportName.slice(1).replace(/Schema$/, '')}`;

/** The schema modules run as they are (bundled by esbuild: they are TypeScript and import others). */
async function loadSchemas() {
  const entries = Object.keys(SCHEMA_MODULES).map((file, i) => `export * as m${i} from ${JSON.stringify(join(root, file))};`);
  const dir = mkdtempSync(join(tmpdir(), 'segsim-schemas-'));
  try {
    const out = join(dir, 'schemas.mjs');
    await build({ stdin: { contents: entries.join('\n'), resolveDir: root, loader: 'ts' }, bundle: true, platform: 'node', format: 'esm', outfile: out, logLevel: 'warning' });
    return await import(pathToFileURL(out).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Where a schema holds subschemas: [holder, key] pairs. */
function children(node) {
  const out = [];
  for (const [k, v] of Object.entries(node.properties ?? {})) out.push([node.properties, k, v]);
  if (node.items && typeof node.items === 'object') out.push([node, 'items', node.items]);
  if (node.additionalProperties && typeof node.additionalProperties === 'object') out.push([node, 'additionalProperties', node.additionalProperties]);
  for (const [i, v] of (node.anyOf ?? []).entries()) out.push([node.anyOf, i, v]);
  return out;
}

/**
 * The schema with every subschema that occurs more than once (and is more than a line of a few
 * keywords, which a call would not make shorter) moved to $defs and referred to:
 * ajv then generates one function for it instead of a copy of its code at each place (the 25
 * counters of counters.json, the counters of each host in a scenario). Same validation, about
 * half the code for the one-shot bundle to load.
 */
function shareRepeated(schema) {
  const seen = new Map();
  const count = (node) => {
    for (const [, , child] of children(node)) {
      const key = JSON.stringify(child);
      seen.set(key, (seen.get(key) ?? 0) + 1);
      count(child);
    }
  };
  count(schema);
  const defs = {};
  const names = new Map();
  const rewrite = (node) => {
    const copy = JSON.parse(JSON.stringify(node));
    for (const [holder, k, child] of children(copy)) {
      const key = JSON.stringify(child);
      if ((seen.get(key) ?? 0) < 2 || key.length < 60) {
        holder[k] = rewrite(child);
        continue;
      }
      if (!names.has(key)) {
        const name = `s${names.size}`;
        names.set(key, name);
        defs[name] = rewrite(child);
      }
      holder[k] = { $ref: `#/$defs/${names.get(key)}` };
    }
    return copy;
  };
  const root = rewrite(schema);
  return names.size === 0 ? root : { ...root, $defs: defs };
}

/** The generated TypeScript of one schema module. */
function generate(file, schemas) {
  // allErrors: a bad file is reported with every problem; unicode: false counts string length in
  // UTF-16 units like String.length (and needs no ajv runtime module); messages: problems are
  // worded by src/engine/json-shape.ts from keyword and params
  // inlineRefs: false: a shared subschema is one function (shareRepeated)
  const ajv = new Ajv({ allErrors: true, unicode: false, messages: false, strict: true, logger: false, inlineRefs: false, code: { source: true, esm: true, lines: true } });
  const exports = {};
  for (const [name, schema] of Object.entries(schemas)) {
    ajv.addSchema(shareRepeated(schema), name);
    exports[validatorName(name)] = name;
  }
  const code = standaloneCode(ajv, exports);
  if (/\brequire\(/.test(code)) throw new Error(`${file}: the generated code needs an ajv runtime module; use only keywords that compile to plain code`);
  const base = file.replace(/^.*\//, '');
  return `// @ts-nocheck\n// Generated by scripts/build-validators.mjs from ${base}: do not edit (npm run build regenerates it).\n/* eslint-disable */\n${code}\n`;
}

const check = process.argv.includes('--check');
const modules = await loadSchemas();
const stale = [];
for (const [i, [file, names]] of Object.entries(SCHEMA_MODULES).entries()) {
  const module = modules[`m${i}`];
  const schemas = Object.fromEntries(
    names.map((n) => {
      if (!module[n]) throw new Error(`${file} does not export ${n}`);
      return [n, module[n]];
    }),
  );
  const target = join(root, file.replace(/\.ts$/, '.generated.ts'));
  const text = generate(file, schemas);
  let current = null;
  try {
    current = readFileSync(target, 'utf8');
  } catch {
    // not generated yet
  }
  if (current === text) continue;
  if (check) stale.push(target);
  else writeFileSync(target, text);
}
if (stale.length > 0) {
  console.error(`Stale generated validators (run npm run build): ${stale.join(', ')}`);
  process.exit(1);
}
