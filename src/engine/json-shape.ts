/**
 * Checking a value against one of our JSON Schemas with the validator generated from it at build
 * time (scripts/build-validators.mjs, ajv standalone code), and wording what is wrong. Every file
 * the appliance reads (config.json, state files, spool records, SETD store files, lab scenarios)
 * is checked here, so a problem reads the same wherever it is found: the place in the value
 * (`listener.port`, `[0].mid`, `expect.logs[1].match`) and what it must be.
 */

/**
 * One problem a generated validator reports: ajv's ErrorObject without its schemaPath (which
 * scripts/build-validators.mjs drops: it is relative to the shared subschema reporting it, so
 * problems are placed by instancePath and the schema is walked along the value instead).
 */
export interface ShapeError {
  instancePath: string;
  keyword: string;
  params: Record<string, unknown>;
}

/** A validator generated from a schema: true when the value has the shape, else `errors` says why. */
export interface GeneratedValidator {
  (value: unknown): boolean;
  errors?: ShapeError[] | null;
}

/** A schema and the validator generated from it; T is the type the schema describes (FromSchema). */
export interface JsonShape<T> {
  readonly schema: object;
  readonly validate: GeneratedValidator;
  /** never set: carries T */
  readonly type?: T;
}

/** Pairs a schema with its generated validator (the two must come from the same schema). */
export function jsonShape<T>(schema: object, validate: unknown): JsonShape<T> {
  return { schema, validate: validate as GeneratedValidator };
}

/** A place in a value: keys and array indexes from its root. */
export type ValuePath = (string | number)[];

/** One thing wrong with a value: where (for a line number in YAML) and the sentence saying it. */
export interface ShapeProblem {
  path: ValuePath;
  text: string;
}

/** How problems name places: `root` is the whole value, `base` prefixes every path ("accounts[0].id"). */
export interface ShapeNames {
  root: string;
  base?: string;
}

/** What is wrong with value, in the order the schema lists it; empty when it has the shape. */
export function shapeProblems(value: unknown, shape: JsonShape<unknown>, names: ShapeNames): ShapeProblem[] {
  if (shape.validate(value)) return [];
  let errors = shape.validate.errors ?? [];
  // A failed anyOf (in our schemas, alternatives of different types) reports each alternative's
  // failure too. When the value has the type of one alternative, that one's problems say what is
  // wrong ("min must be at least 0"); else the anyOf says it once ("must be a whole number or a
  // mapping"). An alternative's problems are those at or below the anyOf's place in the value.
  for (const alt of errors.filter((e) => e.keyword === 'anyOf')) {
    const place = pointerPath(alt.instancePath, value);
    const node = schemaAt(shape.schema, place, value);
    const typed = branchFor(node, valueAt(value, place)) !== node;
    const below = (e: ShapeError) => e.instancePath === alt.instancePath || e.instancePath.startsWith(`${alt.instancePath}/`);
    errors = errors.filter((e) => {
      if (e === alt) return !typed;
      if (!below(e)) return true;
      return typed && !(e.keyword === 'type' && e.instancePath === alt.instancePath);
    });
  }
  return errors.map((e) => problemOf(e, value, shape.schema, names));
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** The first few problems in one line: a wrong shape can have dozens, and the first ones tell what is wrong. */
export function summarizeProblems(problems: readonly ShapeProblem[], shown = 3): string {
  const text = problems
    .slice(0, shown)
    .map((p) => p.text)
    .join('; ');
  return problems.length > shown ? `${text} (and ${problems.length - shown} more)` : text;
}

/** `listener.port`, `[0].mid`, `accounts[0].id`: a path as problems write it. */
export function pathText(path: ValuePath, base = ''): string {
  return path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : text ? `${text}.${key}` : key), base);
}

function problemOf(error: ShapeError, value: unknown, schema: object, names: ShapeNames): ShapeProblem {
  const path = pointerPath(error.instancePath, value);
  const where = pathText(path, names.base) || names.root;
  const node = schemaAt(schema, path, value);
  const shaped = branchFor(node, valueAt(value, path));
  const p = error.params;
  const at = (text: string, place = path): ShapeProblem => ({ path: place, text });
  switch (error.keyword) {
    case 'type':
      return at(`${where} must be ${typeWords(p.type)}, not ${valueWords(valueAt(value, path))}`);
    case 'required':
      return at(`${pathText([...path, String(p.missingProperty)], names.base)} is missing`);
    case 'additionalProperties': {
      const known = Object.keys((shaped.properties as object | undefined) ?? {});
      return at(`unknown key "${String(p.additionalProperty)}" in ${where}; expected one of: ${known.join(', ')}`, [...path, String(p.additionalProperty)]);
    }
    case 'enum':
    case 'const': {
      const allowed = (p.allowedValues as unknown[] | undefined) ?? [p.allowedValue];
      return at(`${where} must be ${allowed.length === 1 ? '' : 'one of '}${allowed.map((v) => JSON.stringify(v)).join(', ')}`);
    }
    case 'minimum':
      return at(`${where} must be at least ${String(p.limit)}`);
    case 'maximum':
      return at(`${where} must be at most ${String(p.limit)}`);
    case 'minLength':
      return at(p.limit === 1 ? `${where} must not be empty` : `${where} must be at least ${String(p.limit)} characters long`);
    case 'maxLength':
      return at(`${where} must be at most ${String(p.limit)} characters long`);
    case 'minItems':
      return at(`${where} needs at least ${String(p.limit)} ${p.limit === 1 ? 'entry' : 'entries'}`);
    case 'maxItems':
      return at(`${where} can have at most ${String(p.limit)} ${p.limit === 1 ? 'entry' : 'entries'}`);
    case 'pattern':
      return at(`${where} ${valueWords(valueAt(value, path))} is not valid${typeof shaped.description === 'string' ? `: ${shaped.description}` : ''}`);
    case 'anyOf': {
      const branches = (node[error.keyword] as Record<string, unknown>[]).map((b) => (typeof b.description === 'string' ? b.description : typeWords(b.type)));
      return at(`${where} must be ${branches.join(' or ')}`);
    }
    default:
      return at(`${where} is not valid (${error.keyword})`);
  }
}

const TYPE_WORDS: Record<string, string> = {
  integer: 'a whole number',
  number: 'a number',
  string: 'text',
  boolean: 'true or false',
  null: 'null',
  array: 'a list',
  object: 'an object',
};

function typeWords(type: unknown): string {
  const types = Array.isArray(type) ? type : [type];
  return types.map((t) => TYPE_WORDS[String(t)] ?? String(t)).join(' or ');
}

/** A value as a problem shows it: scalars as they are written, lists and objects by kind. */
function valueWords(v: unknown): string {
  if (Array.isArray(v)) return 'a list';
  if (v !== null && typeof v === 'object') return 'an object';
  const text = JSON.stringify(v) ?? String(v);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** A JSON pointer (`/rcpts/0/address`) as keys and indexes of value. */
function pointerPath(pointer: string, value: unknown): ValuePath {
  if (pointer === '') return [];
  const path: ValuePath = [];
  let at = value;
  for (const raw of pointer.slice(1).split('/')) {
    const key = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    const step = Array.isArray(at) ? Number(key) : key;
    path.push(step);
    at = at === null || typeof at !== 'object' ? undefined : (at as Record<string | number, unknown>)[step];
  }
  return path;
}

function valueAt(value: unknown, path: ValuePath): unknown {
  return path.reduce<unknown>((at, key) => (at === null || typeof at !== 'object' ? undefined : (at as Record<string | number, unknown>)[key]), value);
}

/**
 * The subschema that describes the place `path` in value (for the keys an object may have, the
 * alternatives of an anyOf, a pattern's description), found by walking the schema along the value.
 */
function schemaAt(schema: object, path: ValuePath, value: unknown): Record<string, unknown> {
  let node = schema as Record<string, unknown>;
  let at = value;
  for (const step of path) {
    node = branchFor(node, at);
    const properties = node.properties as Record<string, unknown> | undefined;
    const next = typeof step === 'number' ? node.items : (properties?.[step] ?? node.additionalProperties);
    node = (typeof next === 'object' && next !== null ? next : {}) as Record<string, unknown>;
    at = at === null || typeof at !== 'object' ? undefined : (at as Record<string | number, unknown>)[step];
  }
  return node;
}

/** Of an anyOf, the alternative for a value of the type it has (else the node itself). */
function branchFor(node: Record<string, unknown>, value: unknown): Record<string, unknown> {
  const branches = node.anyOf as Record<string, unknown>[] | undefined;
  if (!branches) return node;
  const actual = jsonType(value);
  return branches.find((b) => [b.type].flat().some((t) => t === actual || (t === 'number' && actual === 'integer'))) ?? node;
}
