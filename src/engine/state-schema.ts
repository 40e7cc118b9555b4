import { ZERO_COUNTERS } from './appliance-status.js';
import type { SchemaNode } from './config/schema-check.js';

/**
 * JSON schemas of the files the appliance keeps besides its configuration: state/ids.json,
 * state/counters.json and the spool's record lines and queue files. Plain JSON Schema (each
 * checked by state-schema.generated.ts).
 */
const id = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } as const;
const count = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const time = { type: 'number', minimum: 0 } as const;
const text = { type: 'string' } as const;

/** The next ID of each kind not yet reserved. */
export const idsSchema = {
  type: 'object',
  required: ['mid', 'icid', 'dcid'],
  additionalProperties: false,
  properties: { mid: id, icid: id, dcid: id },
} as const satisfies SchemaNode;

// a counter added in a later version is absent from older files (it starts at 0), so none is required
const counters = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(Object.keys(ZERO_COUNTERS).map((k) => [k, count])),
} as const satisfies SchemaNode;

export const countersSchema = {
  type: 'object',
  required: ['lifetime', 'atReset', 'lastReset'],
  additionalProperties: false,
  properties: { lifetime: counters, atReset: counters, lastReset: { type: ['number', 'null'], minimum: 0 } },
} as const satisfies SchemaNode;

const recipients = {
  type: 'array',
  minItems: 1,
  items: { type: 'object', required: ['rid', 'address'], additionalProperties: false, properties: { rid: count, address: { type: 'string', minLength: 1 } } },
} as const satisfies SchemaNode;

/** The first line of a spool message file. */
export const receivedRecordSchema = {
  type: 'object',
  required: ['mid', 'icid', 'from', 'rcpts', 'remoteIp', 'receivedAt', 'size', 'messageId', 'subject'],
  additionalProperties: false,
  properties: { mid: id, icid: id, from: text, rcpts: recipients, remoteIp: text, receivedAt: time, size: count, messageId: text, subject: text },
} as const satisfies SchemaNode;

const queueRecord = {
  type: 'object',
  required: ['mid', 'file', 'kind', 'destination', 'from', 'rcpts', 'messageId', 'subject', 'addHeaders', 'subjectPrefix', 'size', 'queuedAt', 'attempts', 'softBounces', 'nextAttemptAt'],
  additionalProperties: false,
  properties: {
    mid: id,
    file: { type: 'string', minLength: 1 },
    kind: { enum: ['original', 'journal'] },
    destination: { type: 'string', minLength: 1 },
    from: text,
    rcpts: recipients,
    messageId: text,
    subject: text,
    addHeaders: { type: 'array', items: text },
    subjectPrefix: text,
    journal: {
      type: 'object',
      required: ['originalMid', 'hostname', 'subject', 'messageId'],
      additionalProperties: false,
      properties: { originalMid: id, hostname: text, subject: text, messageId: text },
    },
    size: count,
    queuedAt: time,
    attempts: count,
    softBounces: count,
    nextAttemptAt: time,
  },
} as const satisfies SchemaNode;

/** A spool queue file: the delivery records of one message (a finished message has none, and no file). */
export const queueFileSchema = { type: 'array', minItems: 1, items: queueRecord } as const satisfies SchemaNode;
