/**
 * Checks a value against the subset of JSON Schema our configuration schema uses (type,
 * required, properties, additionalProperties, items, enum, minimum, maximum, minLength,
 * maxLength, minItems). Returns the problems, each with its path. Small on purpose: every
 * one-shot command reads the configuration, and a full validator costs more than the command.
 */
export type SchemaNode = {
  type?: string | readonly string[];
  required?: readonly string[];
  properties?: Readonly<Record<string, SchemaNode>>;
  additionalProperties?: boolean;
  items?: SchemaNode;
  enum?: readonly unknown[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
};

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

/** `root` names the whole value in a problem about it (a state file checks with its own name). */
export function schemaProblems(value: unknown, schema: SchemaNode, path = '', root = 'the configuration'): string[] {
  const at = path || root;
  const actual = typeOf(value);
  if (schema.type !== undefined) {
    const allowed = typeof schema.type === 'string' ? [schema.type] : schema.type;
    const ok = allowed.includes(actual) || (actual === 'integer' && allowed.includes('number'));
    if (!ok) return [`${at} must be ${allowed.join(' or ')}, not ${actual}`];
  }
  if (schema.enum && !schema.enum.includes(value)) return [`${at} must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}`];
  const problems: string[] = [];
  if (typeof value === 'number') {
    if (schema.minimum !== undefined && value < schema.minimum) problems.push(`${at} must be at least ${schema.minimum}`);
    if (schema.maximum !== undefined && value > schema.maximum) problems.push(`${at} must be at most ${schema.maximum}`);
  }
  if (typeof value === 'string') {
    if (schema.minLength !== undefined && value.length < schema.minLength) problems.push(`${at} must not be empty`);
    if (schema.maxLength !== undefined && value.length > schema.maxLength) problems.push(`${at} is too long`);
  }
  if (Array.isArray(value)) {
    if (schema.minItems !== undefined && value.length < schema.minItems) problems.push(`${at} needs at least ${schema.minItems} entries`);
    if (schema.items) value.forEach((item, i) => problems.push(...schemaProblems(item, schema.items!, `${path}[${i}]`, root)));
  }
  if (actual === 'object') {
    const object = value as Record<string, unknown>;
    for (const key of schema.required ?? []) if (!(key in object)) problems.push(`${path ? `${path}.` : ''}${key} is missing`);
    for (const [key, v] of Object.entries(object)) {
      const child = schema.properties?.[key];
      if (child) problems.push(...schemaProblems(v, child, path ? `${path}.${key}` : key, root));
      else if (schema.additionalProperties === false) problems.push(`${path ? `${path}.` : ''}${key} is not a known setting`);
    }
  }
  return problems;
}
