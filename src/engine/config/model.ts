import type { FromSchema } from 'json-schema-to-ts';
import type { configSchema } from './schema.js';

/**
 * The appliance configuration: what `commit` stores in the home directory and what the engine
 * runs on. Plain JSON data, so that it can be diffed, validated and sent over the control socket.
 * Its shape, and what each field means, are in schema.ts; these types are derived from it.
 */
export type ApplianceConfig = FromSchema<typeof configSchema>;
export type ListenerConfig = ApplianceConfig['listener'];
export type MailPolicy = ApplianceConfig['incomingPolicies'][number];
/** Per-policy Threat Defense Connector choice, as on the Incoming Mail Policies page. */
export type PolicyTdc = MailPolicy['tdc'];
export type TdcPolicyMode = PolicyTdc['mode'];
export type ServiceSetting = MailPolicy['antispam'];
export type SmtpRoute = ApplianceConfig['smtpRoutes'][number];
export type DestinationControl = ApplianceConfig['destinationControls'][number];
export type BounceProfile = ApplianceConfig['bounceProfile'];
/** A log subscription (logconfig): schema.ts says what each field means. */
export type LogSubscription = NonNullable<ApplianceConfig['logSubscriptions']>[number];
export type LogType = LogSubscription['type'];
export type LogLevel = LogSubscription['level'];
export type LogRetrieval = LogSubscription['retrieval'];
export type SyslogRetrieval = Extract<LogRetrieval, { method: 'syslog' }>;

export const DEFAULT_POLICY = 'DEFAULT';
/**
 * A custom policy's "(use default)" (a service's value, a TDC mode): the setting follows the
 * DEFAULT policy's, resolved when it is used (policy-match.ts, inherited). DEFAULT itself never
 * holds it (validate.ts).
 */
export const USE_DEFAULT = 'use-default';
/** The web interface's HTTPS port when the configuration names none. */
export const WEB_PORT = 8443;
/** A new home's Default destination control; it also applies when a configuration has none. */
export const DEFAULT_DESTINATION_CONTROL: Readonly<DestinationControl> = Object.freeze({ domain: 'Default', maxConnections: 500, maxMessagesPerConnection: 50 });

/** The destination control that applies to mail for `domain`: its own entry, else the Default one. */
export function destinationControlFor(controls: readonly DestinationControl[], domain: string): Readonly<DestinationControl> {
  const name = domain.toLowerCase();
  return controls.find((c) => c.domain.toLowerCase() === name) ?? controls.find((c) => c.domain === DEFAULT_DESTINATION_CONTROL.domain) ?? DEFAULT_DESTINATION_CONTROL;
}

/** The log types segsim writes (logconfig's "Choose the log file type"). */
export const LOG_TYPES = ['mail_logs', 'system_logs', 'authentication', 'gui_logs'] as const;
/** Log levels, least to most detailed: a subscription writes the lines at its level and below. */
export const LOG_LEVELS = ['critical', 'warning', 'information', 'debug', 'trace'] as const;
/** The syslog facilities logconfig offers for Syslog Push. */
export const SYSLOG_FACILITIES = [
  'auth',
  'authpriv',
  'console',
  'daemon',
  'ftp',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
  'mail',
  'ntp',
  'security',
  'user',
] as const;
/** AsyncOS's default rollover size of a log file (bytes) and number of files kept. */
export const LOG_MAX_FILE_BYTES = 10_485_760;
export const LOG_MAX_FILES = 10;

/**
 * Each log type's default subscription: its name (also its directory under logs/) and the file
 * name prefix of its files (`mail.current`, `mail.@<stamp>.s`), as on the appliance.
 */
export const LOG_TYPE_FILES: Readonly<Record<LogType, { readonly name: string; readonly prefix: string }>> = Object.freeze({
  mail_logs: { name: 'mail_logs', prefix: 'mail' },
  system_logs: { name: 'system_logs', prefix: 'system' },
  authentication: { name: 'authentication', prefix: 'authentication' },
  gui_logs: { name: 'gui_logs', prefix: 'gui' },
});

/** A log subscription with AsyncOS's defaults: information level, 10 files of 10 MB, manual retrieval. */
export function defaultLogSubscription(type: LogType, name: string = LOG_TYPE_FILES[type].name): LogSubscription {
  return { name, type, level: 'information', maxFileBytes: LOG_MAX_FILE_BYTES, maxFiles: LOG_MAX_FILES, retrieval: { method: 'manual' } };
}

/** The subscriptions of a configuration without any (a new home, a home made before logconfig). */
export function defaultLogSubscriptions(): LogSubscription[] {
  return LOG_TYPES.map((type) => defaultLogSubscription(type));
}

/** The log subscriptions a configuration runs: its own list, or the defaults when it has none. */
export function effectiveLogSubscriptions(config: Pick<ApplianceConfig, 'logSubscriptions'>): LogSubscription[] {
  return config.logSubscriptions ?? defaultLogSubscriptions();
}

/**
 * The file name prefix of a subscription's files: the appliance's (`mail`, `system`, `gui`) for
 * a default subscription under its default name, else the subscription's name
 * (`<name>/<name>.current`).
 */
export function logFilePrefix(sub: Pick<LogSubscription, 'name' | 'type'>): string {
  const files = LOG_TYPE_FILES[sub.type];
  return sub.name === files.name ? files.prefix : sub.name;
}

/** The pseudo-domain of the Threat Defense Connector's delivery queue. */
export const TDC_QUEUE = 'the.tdc.queue';
/** Host name of the lab's downstream mail server ("Exchange" behind the gateway). */
export const LAB_MAIL_HOST = 'exchange.lab';

/** The destination controls entry of every destination without one of its own. */
export const DEFAULT_DESTINATION = DEFAULT_DESTINATION_CONTROL.domain;

/**
 * The Default entry of a destination controls table. Every configuration holds one (validate.ts;
 * an older config.json without it gets it by migration); the built-in one stands in for a table
 * that never went through those rules.
 */
export function defaultControlOf(controls: readonly DestinationControl[]): Readonly<DestinationControl> {
  return destinationControlFor(controls, DEFAULT_DESTINATION);
}

export function defaultPolicy(): MailPolicy {
  return {
    name: DEFAULT_POLICY,
    senders: [],
    recipients: [],
    antispam: 'on',
    antivirus: 'on',
    tdc: { mode: 'global' },
  };
}

/** A fresh home is a working lab. */
export function defaultConfig(): ApplianceConfig {
  return {
    hostname: 'esa1.example.com',
    listener: {
      name: 'IncomingMail',
      bindAddress: '127.0.0.1',
      port: 2525,
      acceptDomains: ['example.com'],
      maxMessageSize: 10 * 1024 * 1024,
    },
    tdc: { enabled: false, intakeAddress: null },
    incomingPolicies: [defaultPolicy()],
    outgoingPolicies: [{ ...defaultPolicy(), tdc: { mode: 'no' } }],
    smtpRoutes: [{ domain: 'example.com', destinations: [`${LAB_MAIL_HOST}:25`] }],
    destinationControls: [{ ...DEFAULT_DESTINATION_CONTROL }],
    bounceProfile: {
      maxRetries: 100,
      maxTimeInQueueSeconds: 259_200,
      initialRetrySeconds: 60,
      maxRetrySeconds: 3_600,
    },
    lab: { mailServerPort: 2526, setdPort: 2465, webPort: WEB_PORT },
  };
}
