const stringList = { type: 'array', items: { type: 'string' } } as const;
const service = { enum: ['on', 'off', 'default'] } as const;

const policy = {
  type: 'object',
  required: ['name', 'senders', 'recipients', 'antispam', 'antivirus', 'tdc'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', minLength: 1 },
    senders: stringList,
    recipients: stringList,
    antispam: service,
    antivirus: service,
    tdc: {
      type: 'object',
      required: ['mode'],
      additionalProperties: false,
      properties: { mode: { enum: ['default', 'custom', 'no'] }, intakeAddress: { type: 'string' } },
    },
  },
} as const;

const port = { type: 'integer', minimum: 0, maximum: 65535 } as const;

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
    hostname: { type: 'string', minLength: 1, maxLength: 253 },
    listener: {
      type: 'object',
      required: ['name', 'bindAddress', 'port', 'acceptDomains', 'maxMessageSize'],
      additionalProperties: false,
      properties: {
        name: { type: 'string', minLength: 1 },
        bindAddress: { type: 'string', minLength: 1 },
        port,
        acceptDomains: stringList,
        maxMessageSize: { type: 'integer', minimum: 1024 },
      },
    },
    tdc: {
      type: 'object',
      required: ['enabled', 'intakeAddress'],
      additionalProperties: false,
      properties: { enabled: { type: 'boolean' }, intakeAddress: { type: ['string', 'null'] } },
    },
    incomingPolicies: { type: 'array', minItems: 1, items: policy },
    outgoingPolicies: { type: 'array', minItems: 1, items: policy },
    smtpRoutes: {
      type: 'array',
      items: {
        type: 'object',
        required: ['domain', 'destinations'],
        additionalProperties: false,
        properties: { domain: { type: 'string', minLength: 1 }, destinations: { ...stringList, minItems: 1 } },
      },
    },
    destinationControls: {
      type: 'array',
      items: {
        type: 'object',
        required: ['domain', 'maxConnections', 'maxMessagesPerConnection'],
        additionalProperties: false,
        properties: {
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
    lab: {
      type: 'object',
      required: ['mailServerPort', 'setdPort'],
      additionalProperties: false,
      properties: { mailServerPort: port, setdPort: port },
    },
  },
} as const;
