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
/** One public key a user may log in over SSH with: its type, the key blob in base64, the comment (may be empty). */
export type UserKey = NonNullable<ApplianceConfig['sshUserKeys']>[string][number];

/** The key types the appliance accepts for a login (DSA is gone from OpenSSH; certificates and FIDO keys are not supported). */
export const USER_KEY_TYPES = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'ssh-rsa'] as const;
export type UserKeyType = (typeof USER_KEY_TYPES)[number];

export const DEFAULT_POLICY = 'DEFAULT';
/**
 * A custom policy's "(use default)" (a service's value, a TDC mode): the setting follows the
 * DEFAULT policy's, resolved when it is used (policy-match.ts, inherited). DEFAULT itself never
 * holds it (validate.ts).
 */
export const USE_DEFAULT = 'use-default';
/** The web interface's HTTPS port when the configuration names none. */
export const WEB_PORT = 8443;
/** The SSH server's port when the configuration names none (the appliance's 22, as 2525 stands for 25). */
export const SSH_PORT = 2022;
/** The AsyncOS API's HTTPS port when the configuration names none (AsyncOS's own). */
export const API_PORT = 6443;
/** A new home's Default destination control; it also applies when a configuration has none. */
export const DEFAULT_DESTINATION_CONTROL: Readonly<DestinationControl> = Object.freeze({ domain: 'Default', maxConnections: 500, maxMessagesPerConnection: 50 });

/** The destination control that applies to mail for `domain`: its own entry, else the Default one. */
export function destinationControlFor(controls: readonly DestinationControl[], domain: string): Readonly<DestinationControl> {
  const name = domain.toLowerCase();
  return controls.find((c) => c.domain.toLowerCase() === name) ?? controls.find((c) => c.domain === DEFAULT_DESTINATION_CONTROL.domain) ?? DEFAULT_DESTINATION_CONTROL;
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
    lab: { mailServerPort: 2526, setdPort: 2465, webPort: WEB_PORT, sshPort: SSH_PORT, apiPort: API_PORT },
  };
}
