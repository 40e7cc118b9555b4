import type { JSONSchema } from 'json-schema-to-ts';
import { configSchema } from '../config/schema.js';

/**
 * cluster.json as JSON Schema (checked by cluster-schema.generated.ts): a member's copy of the
 * cluster's levels. A level's settings are whole configuration keys, each with the configuration's
 * own schema (levels.ts lists which keys follow the levels).
 */
const c = configSchema.properties;
const settings = {
  type: 'object',
  additionalProperties: false,
  properties: {
    tdc: c.tdc,
    incomingPolicies: c.incomingPolicies,
    outgoingPolicies: c.outgoingPolicies,
    smtpRoutes: c.smtpRoutes,
    destinationControls: c.destinationControls,
    bounceProfile: c.bounceProfile,
  },
} as const;
const stamp = {
  type: 'object',
  required: ['version', 'at', 'by'],
  additionalProperties: false,
  properties: { version: { type: 'integer', minimum: 0 }, at: { type: 'number' }, by: { type: 'string' } },
} as const;
const member = {
  type: 'object',
  required: ['name', 'group', 'host', 'port'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1 },
    group: { type: 'string', minLength: 1 },
    host: { type: 'string', enum: ['127.0.0.1'] },
    port: { type: 'integer', minimum: 1, maximum: 65535 },
    // detached by clusterconfig disconnect until clusterconfig reconnect (absent: connected)
    disconnected: { type: 'boolean' },
  },
} as const;
const replicated = {
  name: { type: 'string', minLength: 1 },
  shared: {
    type: 'object',
    required: ['stamp', 'members', 'groups', 'cluster', 'groups_settings'],
    additionalProperties: false,
    properties: {
      stamp,
      members: { type: 'array', items: member, minItems: 1 },
      groups: { type: 'array', items: { type: 'string', minLength: 1 }, minItems: 1 },
      cluster: settings,
      groups_settings: { type: 'object', additionalProperties: settings },
    },
  },
  machines: { type: 'object', additionalProperties: { type: 'object', required: ['stamp', 'settings'], additionalProperties: false, properties: { stamp, settings } } },
} as const;

/** What travels between members: everything but the secret and the member's own name. */
export const replicatedClusterSchema = { type: 'object', required: ['name', 'shared', 'machines'], additionalProperties: false, properties: replicated } as const satisfies JSONSchema;

/** cluster.json in a home. */
export const clusterDocSchema = {
  type: 'object',
  required: ['name', 'shared', 'machines', 'secret', 'self'],
  additionalProperties: false,
  properties: { ...replicated, secret: { type: 'string', minLength: 32 }, self: { type: 'string', minLength: 1 } },
} as const satisfies JSONSchema;
