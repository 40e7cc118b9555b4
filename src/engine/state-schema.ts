import { ZERO_COUNTERS } from './appliance-status.js';
import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import type { MailCounters } from './appliance-status.js';

/**
 * JSON schemas of the files the appliance keeps besides its configuration: state/ids.json,
 * state/counters.json, state/identity.json and the spool's record lines and queue files. Plain JSON Schema (each
 * checked by state-schema.generated.ts).
 */
const id = { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER } as const;
const count = { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } as const;
const time = { type: 'number', minimum: 0 } as const;
const text = { type: 'string' } as const;

/** state/identity.json: the appliance's serial number and install date (see appliance-identity.ts). */
export const identitySchema = {
  type: 'object',
  required: ['serial', 'installedAt'],
  additionalProperties: false,
  properties: { serial: { type: 'string', minLength: 1, maxLength: 64 }, installedAt: time },
} as const satisfies JSONSchema;

/**
 * While the appliance runs: the next ID of each kind not yet reserved. After a clean stop
 * (`stopped`): the next ID of each kind itself.
 */
export const idsSchema = {
  type: 'object',
  required: ['mid', 'icid', 'dcid'],
  additionalProperties: false,
  properties: { mid: id, icid: id, dcid: id, stopped: { type: 'boolean' } },
} as const satisfies JSONSchema;

// a counter added in a later version is absent from older files (it starts at 0), so none is required
const counters = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(Object.keys(ZERO_COUNTERS).map((k) => [k, count])) as Record<keyof MailCounters, typeof count>,
} as const satisfies JSONSchema;

export const countersSchema = {
  type: 'object',
  required: ['lifetime', 'atReset', 'lastReset'],
  additionalProperties: false,
  properties: { lifetime: counters, atReset: counters, lastReset: { type: ['number', 'null'], minimum: 0 } },
} as const satisfies JSONSchema;

const recipients = {
  type: 'array',
  minItems: 1,
  items: { type: 'object', required: ['rid', 'address'], additionalProperties: false, properties: { rid: count, address: { type: 'string', minLength: 1 } } },
} as const satisfies JSONSchema;

/** The first line of a spool message file. */
export const receivedRecordSchema = {
  type: 'object',
  required: ['mid', 'icid', 'from', 'rcpts', 'remoteIp', 'receivedAt', 'size', 'messageId', 'subject'],
  additionalProperties: false,
  properties: {
    mid: id,
    icid: id,
    from: text,
    rcpts: recipients,
    remoteIp: text,
    receivedAt: time,
    // bytes of the body; a spool file whose body is shorter was torn by a crash before its 250
    size: count,
    messageId: text,
    subject: text,
  },
} as const satisfies JSONSchema;

const queueRecord = {
  type: 'object',
  required: ['mid', 'file', 'kind', 'destination', 'from', 'rcpts', 'messageId', 'subject', 'addHeaders', 'subjectPrefix', 'size', 'queuedAt', 'attempts', 'softBounces', 'nextAttemptAt'],
  additionalProperties: false,
  properties: {
    mid: id,
    // the message file (a split keeps its parent's file)
    file: { type: 'string', minLength: 1 },
    kind: { enum: ['original', 'journal'] },
    destination: { type: 'string', minLength: 1 },
    from: text,
    rcpts: recipients,
    messageId: text,
    subject: text,
    // header lines added at delivery (e.g. X-IronPort-RemoteIP)
    addHeaders: { type: 'array', items: text },
    subjectPrefix: text,
    // a journal copy is built from the original's file when it is sent
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
} as const satisfies JSONSchema;

/** A spool queue file: the delivery records of one message (a finished message has none, and no file). */
export const queueFileSchema = { type: 'array', minItems: 1, items: queueRecord } as const satisfies JSONSchema;

/** The next ID of each kind not yet reserved (state/ids.json). */
export type IdsFile = FromSchema<typeof idsSchema>;
/** state/counters.json: a counter absent from an older file reads as 0. */
export type CountersFile = FromSchema<typeof countersSchema>;
/** The first line of a spool message file. */
export type ReceivedRecord = FromSchema<typeof receivedRecordSchema>;
/** One message's recipients for one destination, waiting for delivery (a line of its queue file). */
export type QueueRecord = FromSchema<typeof queueFileSchema>[number];
