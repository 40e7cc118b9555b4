import type { JSONSchema } from 'json-schema-to-ts';

/**
 * The files of a lab cluster (`segsim lab cluster create DIR`), as JSON Schema (checked by
 * lab-cluster-schema.generated.ts).
 */

/**
 * DIR/lab-cluster.json: the cluster's name, its machines' homes (directories of DIR) and the one
 * SETD emulator's port. A cluster lab of `lab run` lists no machines: its SETD is its first
 * machine's, whose home is DIR.
 */
export const labClusterSchema = {
  type: 'object',
  required: ['name', 'machines', 'setd'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1 },
    machines: {
      type: 'array',
      items: {
        type: 'object',
        required: ['home', 'hostname'],
        additionalProperties: false,
        properties: { home: { type: 'string', pattern: '^[A-Za-z0-9_-]+$' }, hostname: { type: 'string', minLength: 1 } },
      },
    },
    setd: { type: 'object', required: ['port'], additionalProperties: false, properties: { port: { type: 'integer', minimum: 1, maximum: 65535 } } },
  },
} as const satisfies JSONSchema;

/** shared-setd.json in a member's home: the lab cluster directory (relative to the home, or absolute) whose SETD it journals to. */
export const sharedSetdSchema = {
  type: 'object',
  required: ['lab'],
  additionalProperties: false,
  properties: { lab: { type: 'string', minLength: 1 } },
} as const satisfies JSONSchema;
