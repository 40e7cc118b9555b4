import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import { MAX_CONTROL_LINE } from '../engine/json-lines.js';

/**
 * The messages a client sends on the control socket (control-socket.ts), as JSON Schema: every
 * one is checked by control-schema.generated.ts before the appliance acts on it, so that a peer
 * sending the wrong thing gets an answer naming what is wrong, never a fault.
 */

/** Longest command line (in words) a client may send; a real one has a few dozen at most. */
export const MAX_ARGV_WORDS = 1024;

const word = { type: 'string', maxLength: MAX_CONTROL_LINE } as const;

/**
 * The first message of a connection: one command line, a shell that attaches, or `segsim stop`
 * (exactly one key: control-socket.ts).
 */
export const controlRequestSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    argv: { type: 'array', maxItems: MAX_ARGV_WORDS, items: word },
    shell: {
      type: 'object',
      required: ['terminal'],
      additionalProperties: false,
      properties: { terminal: { type: 'boolean' }, colour: { type: 'integer', minimum: 0, maximum: 3 } },
    },
    stop: { const: true },
  },
} as const satisfies JSONSchema;

/** What an attached shell sends after its first message (exactly one key: control-socket.ts). */
export const shellMessageSchema = {
  type: 'object',
  additionalProperties: false,
  properties: { line: word, eof: { const: true }, interrupt: { const: true }, cancel: { const: true } },
} as const satisfies JSONSchema;

export type ControlRequest = FromSchema<typeof controlRequestSchema>;
export type ShellMessage = FromSchema<typeof shellMessageSchema>;
