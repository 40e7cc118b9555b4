import type { JSONSchema } from 'json-schema-to-ts';
import { HAT_BEHAVIORS } from '../host-access.js';
// names and ports follow the rules the commands use (validate.ts)
import { HOSTNAME, LISTENER_NAME, LOG_NAME, POLICY_NAME, PORT, ruledString } from './validate.js';
// a value import of model.ts, which imports only types from here
import { LOG_LEVELS, LOG_TYPES, SYSLOG_FACILITIES, USE_DEFAULT } from './model.js';

const stringList = { type: 'array', items: { type: 'string' } } as const;
const service = { enum: ['on', 'off', USE_DEFAULT] } as const;

const policy = {
  type: 'object',
  required: ['name', 'senders', 'recipients', 'antispam', 'antivirus', 'tdc'],
  additionalProperties: false,
  properties: {
    name: ruledString(POLICY_NAME),
    // full addresses (user@example.com), domains (example.com) or partial domains (.example.com)
    senders: stringList,
    recipients: stringList,
    antispam: service,
    antivirus: service,
    // the policy's Threat Defense Connector choice, as on the Incoming Mail Policies page: use
    // default (DEFAULT's choice), Use Global Settings (the global intake address), Use custom
    // Message Intake Address, No
    tdc: {
      type: 'object',
      required: ['mode'],
      additionalProperties: false,
      properties: { mode: { enum: [USE_DEFAULT, 'global', 'custom', 'no'] }, /* only for mode 'custom' */ intakeAddress: { type: 'string' } },
    },
  },
} as const;

const port = { type: 'integer', minimum: PORT.min, maximum: PORT.max } as const;

/**
 * One log subscription (`logconfig`): a named log of one type, written under the home's
 * logs/<name>/ and, with retrieval method syslog, also pushed to a syslog host.
 */
const logSubscription = {
  type: 'object',
  required: ['name', 'type', 'level', 'maxFileBytes', 'maxFiles', 'retrieval'],
  additionalProperties: false,
  properties: {
    name: ruledString(LOG_NAME),
    type: { enum: LOG_TYPES },
    // the lowest level written: critical < warning < information < debug < trace
    level: { enum: LOG_LEVELS },
    // the current file rolls over when a line would take it past this size (AsyncOS default 10485760)
    maxFileBytes: { type: 'integer', minimum: 1024, maximum: 1073741824 },
    // files kept, the current one included; the oldest rolled file goes beyond it (AsyncOS default 10)
    maxFiles: { type: 'integer', minimum: 1, maximum: 1000 },
    retrieval: {
      anyOf: [
        { type: 'object', required: ['method'], additionalProperties: false, properties: { method: { const: 'manual' } } },
        {
          type: 'object',
          required: ['method', 'host', 'port', 'protocol', 'facility'],
          additionalProperties: false,
          properties: {
            method: { const: 'syslog' },
            host: { type: 'string', minLength: 1 },
            port: { type: 'integer', minimum: 1, maximum: PORT.max },
            protocol: { enum: ['udp', 'tcp'] },
            // the facility in the pushed lines' priority, as logconfig offers them
            facility: { enum: SYSLOG_FACILITIES },
          },
        },
      ],
    },
  },
} as const;

/**
 * The appliance configuration as JSON Schema: the one description of its shape. The types
 * (model.ts, FromSchema) and the validator (schema.generated.ts, made by
 * scripts/build-validators.mjs) both come from it; validate.ts adds the rules between fields.
 */
export const configSchema = {
  type: 'object',
  required: ['hostname', 'listener', 'tdc', 'incomingPolicies', 'outgoingPolicies', 'smtpRoutes', 'destinationControls', 'bounceProfile', 'lab'],
  additionalProperties: false,
  properties: {
    hostname: ruledString(HOSTNAME),
    listener: {
      type: 'object',
      required: ['name', 'bindAddress', 'port', 'acceptDomains', 'maxMessageSize'],
      additionalProperties: false,
      properties: {
        name: ruledString(LISTENER_NAME),
        bindAddress: { type: 'string', minLength: 1 },
        // 0 picks a free port (tests)
        port,
        // the RAT: accepted recipient domains; everything else is rejected
        acceptDomains: stringList,
        // bytes; AsyncOS default 10 MB
        maxMessageSize: { type: 'integer', minimum: 1024 },
        // the Host Access Table (host-access.ts); absent in homes made before it: accept every host
        hostAccess: {
          type: 'object',
          required: ['entries', 'defaultBehavior'],
          additionalProperties: false,
          properties: {
            // in match order, first match wins; sender: an IP address, CIDR range, a.b.c.d-e range or partial address (validate.ts)
            entries: {
              type: 'array',
              items: {
                type: 'object',
                required: ['sender', 'behavior'],
                additionalProperties: false,
                properties: { sender: { type: 'string', minLength: 1 }, behavior: { enum: HAT_BEHAVIORS } },
              },
            },
            // the ALL row
            defaultBehavior: { enum: HAT_BEHAVIORS },
          },
        },
      },
    },
    tdc: {
      type: 'object',
      required: ['enabled', 'intakeAddress'],
      additionalProperties: false,
      properties: { enabled: { type: 'boolean' }, intakeAddress: { type: ['string', 'null'] } },
    },
    // custom Incoming Mail Policies in match order; DEFAULT is always last and always present
    incomingPolicies: { type: 'array', minItems: 1, items: policy },
    outgoingPolicies: { type: 'array', minItems: 1, items: policy },
    smtpRoutes: {
      type: 'array',
      items: {
        type: 'object',
        required: ['domain', 'destinations'],
        additionalProperties: false,
        properties: {
          // domain, partial domain (.example.com) or ALL
          domain: { type: 'string', minLength: 1 },
          // host[:port] entries tried in order, or the single entry /dev/null
          destinations: { ...stringList, minItems: 1 },
        },
      },
    },
    destinationControls: {
      type: 'array',
      items: {
        type: 'object',
        required: ['domain', 'maxConnections', 'maxMessagesPerConnection'],
        additionalProperties: false,
        properties: {
          // a domain, or 'Default' for all others
          domain: { type: 'string', minLength: 1 },
          maxConnections: { type: 'integer', minimum: 1, maximum: 1000 },
          maxMessagesPerConnection: { type: 'integer', minimum: 1, maximum: 1000 },
        },
      },
    },
    bounceProfile: {
      type: 'object',
      required: ['maxRetries', 'maxTimeInQueueSeconds', 'initialRetrySeconds', 'maxRetrySeconds'],
      additionalProperties: false,
      properties: {
        maxRetries: { type: 'integer', minimum: 0, maximum: 10000 },
        maxTimeInQueueSeconds: { type: 'integer', minimum: 0, maximum: 3000000 },
        initialRetrySeconds: { type: 'number', minimum: 0.01, maximum: 86400 },
        maxRetrySeconds: { type: 'number', minimum: 0.01, maximum: 86400 },
      },
    },
    // ports of the lab's in-process servers (0 = any free port); webPort is the HTTPS port of the
    // web interface and the SETD portal (absent in homes made before it: WEB_PORT)
    lab: {
      type: 'object',
      required: ['mailServerPort', 'setdPort'],
      additionalProperties: false,
      properties: { mailServerPort: port, setdPort: port, webPort: port },
    },
    // the log subscriptions (logconfig); absent: the default ones (model.ts, effectiveLogSubscriptions)
    logSubscriptions: { type: 'array', items: logSubscription },
  },
} as const satisfies JSONSchema;
