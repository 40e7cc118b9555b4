import type { FromSchema, JSONSchema } from 'json-schema-to-ts';
import { HEADER_NAME, ruledString } from '../engine/config/validate.js';

/**
 * A lab scenario file (fixtures/labs/*.yaml) as JSON Schema: its types (ScenarioFile) and its
 * validator (scenario-schema.generated.ts) come from here; scenario.ts adds the rules between
 * fields and names each problem by file and line.
 */
const text = { type: 'string', minLength: 1 } as const;
const texts = { type: 'array', items: { type: 'string' } } as const;
const whole = { type: 'integer', minimum: 0 } as const;
const atLeastOne = { type: 'integer', minimum: 1 } as const;
const share = { type: 'number', minimum: 0, maximum: 1 } as const;

/** exactly `count`, or at least `min` / at most `max` (one of them is needed: scenario.ts) */
const counts = { count: whole, min: whole, max: whole } as const;

const pattern = {
  type: 'object',
  required: ['match'],
  additionalProperties: false,
  // a regular expression
  properties: { match: text, ...counts, hint: text },
} as const;

const counterNames = ['active', 'delivered', 'softBounced', 'hardBounced', 'connectionsOut', 'peakConnectionsOut'] as const;

/** a counter of tophosts: a count, or a mapping of count, min, max and hint */
const hostCounter = {
  anyOf: [
    { ...whole, description: 'a whole number' },
    { type: 'object', additionalProperties: false, properties: { ...counts, hint: text }, description: 'a mapping with count, min or max' },
  ],
} as const;

/** what one appliance's traffic did: tophosts counters, mail_logs and tracking lines, its SETD emulator */
const observed = {
  // host name -> counters (peakConnectionsOut is the most connections tophosts showed while the lab ran)
  hosts: {
    type: 'object',
    additionalProperties: {
      type: 'object',
      additionalProperties: false,
      properties: Object.fromEntries(counterNames.map((n) => [n, hostCounter])) as Record<(typeof counterNames)[number], typeof hostCounter>,
    },
  },
  logs: { type: 'array', items: pattern },
  tracking: { type: 'array', items: pattern },
  // account id -> messages it received
  setd: { type: 'object', additionalProperties: { type: 'object', additionalProperties: false, properties: { ...counts, verdict: text, hint: text } } },
} as const;

export const scenarioSchema = {
  type: 'object',
  required: ['name', 'title', 'seedCase', 'task', 'traffic', 'expect'],
  additionalProperties: false,
  properties: {
    // the same as the file name
    name: text,
    title: text,
    // the case of the seed document this lab replays
    seedCase: text,
    // time runs this many times faster (the 120-second rule included)
    timeScale: { type: 'number', minimum: 1 },
    task: text,
    // SETD accounts created first (wizard defaults; region optional)
    accounts: {
      type: 'array',
      items: { type: 'object', required: ['id'], additionalProperties: false, properties: { id: text, region: text, header: ruledString(HEADER_NAME) } },
    },
    // segsim command lines run before the trainee starts; ${accounts.ID.intake} and ${accounts.ID.id} expand
    setup: texts,
    // command lines `lab run` runs in place of the trainee
    solution: texts,
    traffic: {
      type: 'object',
      required: ['count'],
      additionalProperties: false,
      properties: {
        count: atLeastOne,
        to: texts,
        from: texts,
        rcpts: atLeastOne,
        size: whole,
        spam: share,
        virus: share,
        // the share of those positives whose test string is in a base64 attachment
        attached: share,
        subject: text,
        concurrency: atLeastOne,
      },
    },
    // with cluster: hosts, logs and tracking are the first machine's; setd counts what every member's SETD received
    expect: {
      type: 'object',
      additionalProperties: false,
      properties: {
        // seconds (scenario time) to wait for the outcome
        within: { type: 'number', minimum: 1 },
        ...observed,
      },
    },
    // two or more appliances, each with a home of its own, in one cluster (the first creates it, the
    // others join); setup and solution run on the first, each machine's setup on that machine, and
    // the traffic goes to every machine
    cluster: {
      type: 'object',
      required: ['name', 'machines'],
      additionalProperties: false,
      properties: {
        name: text,
        machines: {
          type: 'array',
          minItems: 2,
          items: {
            type: 'object',
            required: ['hostname'],
            additionalProperties: false,
            properties: { hostname: text, setup: texts, expect: { type: 'object', additionalProperties: false, properties: observed } },
          },
        },
      },
    },
  },
} as const satisfies JSONSchema;

/** A scenario file as written (scenario.ts turns it into a Scenario, defaults filled in). */
export type ScenarioFile = FromSchema<typeof scenarioSchema>;
