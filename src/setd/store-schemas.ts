import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import { HEADER_NAME, ruledString } from '../engine/config/validate.js';
import { REGIONS } from './regions.js';

/**
 * The shapes of setd/accounts.json and setd/faults.json, as JSON Schema, checked on every read
 * (by store-schemas.generated.ts): a file edited by hand, or torn, must not reach the intake as if
 * it were valid.
 */
export const accountsSchema = {
  type: 'array',
  items: {
    type: 'object',
    required: ['id', 'name', 'region', 'segPresent', 'segType', 'header', 'direction', 'visibility', 'intakeAddress', 'createdAt'],
    additionalProperties: false,
    properties: {
      id: { type: 'string', minLength: 1, maxLength: 64 },
      // an optional label (labs name their accounts: primary, secondary)
      name: { type: 'string', maxLength: 200 },
      region: { enum: REGIONS.map((r) => r.key) },
      segPresent: { enum: [true] },
      segType: { enum: ['cisco', 'other'] },
      // the header carrying the original sender IP (Cisco default X-IronPort-RemoteIP)
      header: ruledString(HEADER_NAME),
      direction: { enum: ['Incoming'] },
      visibility: { enum: ['Visibility Only'] },
      intakeAddress: { type: 'string', minLength: 3, maxLength: 254 },
      createdAt: { type: 'number' },
    },
  },
} as const satisfies JSONSchema;

export const faultsSchema = {
  type: 'array',
  items: {
    type: 'object',
    required: ['account', 'mode'],
    additionalProperties: false,
    properties: {
      // the account it applies to; connection-level modes affect the whole intake server
      account: { type: ['string', 'null'] },
      mode: { enum: ['4xx', '5xx', 'tls', 'timeout', 'refuse', 'slow'] },
      code: { type: 'integer', minimum: 400, maximum: 599 },
      at: { enum: ['rcpt', 'data'] },
      // slow: milliseconds of delay per command
      delayMs: { type: 'integer', minimum: 0 },
      // scheduled: until this time, or for this many more messages/connections
      until: { type: 'number' },
      remaining: { type: 'integer', minimum: 0 },
    },
  },
} as const satisfies JSONSchema;

/** One SETD tenant, as the setup wizard creates it (a line of setd/accounts.json). */
export type SetdAccount = FromSchema<typeof accountsSchema>[number];
/** A fault the intake applies (a line of setd/faults.json). */
export type Fault = FromSchema<typeof faultsSchema>[number];
