import type { JSONSchema } from 'json-schema-to-ts';
import { HAT_BEHAVIORS } from '../host-access.js';
// names and ports follow the rules the commands use (validate.ts)
import { HOSTNAME, LISTENER_NAME, POLICY_NAME, PORT, ruledString } from './validate.js';
// a value import of model.ts, which imports only types from here
import { USE_DEFAULT, USER_KEY_TYPES } from './model.js';

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
    // the public keys each user may log in over SSH with (sshconfig > USERKEY), in the order added;
    // absent in homes made before them: none. A key is checked when it is added (ssh-keys.ts).
    sshUserKeys: {
      type: 'object',
      additionalProperties: {
        type: 'array',
        maxItems: 100,
        items: {
          type: 'object',
          required: ['type', 'key', 'comment'],
          additionalProperties: false,
          properties: {
            type: { enum: USER_KEY_TYPES },
            // the key blob, base64 (the second word of the .pub line)
            key: { type: 'string', minLength: 4, maxLength: 8192, pattern: '^[A-Za-z0-9+/]+={0,2}$' },
            comment: { type: 'string', maxLength: 256 },
          },
        },
      },
    },
    // ports of the lab's in-process servers (0 = any free port); webPort is the HTTPS port of the
    // web interface and the SETD portal, sshPort the SSH server's, apiPort the AsyncOS API's
    // (each absent in homes made before it: WEB_PORT, SSH_PORT, API_PORT)
    lab: {
      type: 'object',
      required: ['mailServerPort', 'setdPort'],
      additionalProperties: false,
      properties: { mailServerPort: port, setdPort: port, webPort: port, sshPort: port, apiPort: port },
    },
  },
} as const satisfies JSONSchema;
