/**
 * The appliance configuration: what `commit` stores in the home directory and what the engine
 * runs on. Plain JSON data, so that it can be diffed, validated and sent over the control socket.
 */

export type ServiceSetting = 'on' | 'off' | 'default';

/** Per-policy Threat Defense Connector choice, as on the Incoming Mail Policies page. */
export type TdcPolicyMode = 'default' | 'custom' | 'no';

export interface PolicyTdc {
  mode: TdcPolicyMode;
  /** only for mode 'custom' */
  intakeAddress?: string;
}

export interface MailPolicy {
  name: string;
  /** full addresses (user@example.com), domains (example.com) or partial domains (.example.com) */
  senders: string[];
  recipients: string[];
  antispam: ServiceSetting;
  antivirus: ServiceSetting;
  tdc: PolicyTdc;
}

export interface ListenerConfig {
  name: string;
  bindAddress: string;
  /** 0 picks a free port (tests) */
  port: number;
  /** the RAT: accepted recipient domains; everything else is rejected */
  acceptDomains: string[];
  /** bytes; AsyncOS default 10 MB */
  maxMessageSize: number;
}

export interface SmtpRoute {
  /** domain, partial domain (.example.com) or ALL */
  domain: string;
  /** host[:port] entries tried in order, or the single entry /dev/null */
  destinations: string[];
}

export interface DestinationControl {
  /** a domain, or 'Default' for all others */
  domain: string;
  maxConnections: number;
  maxMessagesPerConnection: number;
}

export interface BounceProfile {
  maxRetries: number;
  maxTimeInQueueSeconds: number;
  initialRetrySeconds: number;
  maxRetrySeconds: number;
}

export interface ApplianceConfig {
  hostname: string;
  listener: ListenerConfig;
  tdc: { enabled: boolean; intakeAddress: string | null };
  /** custom Incoming Mail Policies in match order; DEFAULT is always last and always present */
  incomingPolicies: MailPolicy[];
  outgoingPolicies: MailPolicy[];
  smtpRoutes: SmtpRoute[];
  destinationControls: DestinationControl[];
  bounceProfile: BounceProfile;
  /**
   * ports of the lab's in-process servers (0 = any free port); webPort is the HTTPS port of the web
   * interface and the SETD portal (absent in homes made before it: WEB_PORT)
   */
  lab: { mailServerPort: number; setdPort: number; webPort?: number };
}

export const DEFAULT_POLICY = 'DEFAULT';
/** The web interface's HTTPS port when the configuration names none. */
export const WEB_PORT = 8443;
/** The pseudo-domain of the Threat Defense Connector's delivery queue. */
export const TDC_QUEUE = 'the.tdc.queue';
/** Host name of the lab's downstream mail server ("Exchange" behind the gateway). */
export const LAB_MAIL_HOST = 'exchange.lab';

export function defaultPolicy(): MailPolicy {
  return {
    name: DEFAULT_POLICY,
    senders: [],
    recipients: [],
    antispam: 'on',
    antivirus: 'on',
    tdc: { mode: 'default' },
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
    destinationControls: [{ domain: 'Default', maxConnections: 500, maxMessagesPerConnection: 50 }],
    bounceProfile: {
      maxRetries: 100,
      maxTimeInQueueSeconds: 259_200,
      initialRetrySeconds: 60,
      maxRetrySeconds: 3_600,
    },
    lab: { mailServerPort: 2526, setdPort: 2465, webPort: WEB_PORT },
  };
}
