import { isIP } from 'node:net';
import { ErrorCodes } from '../../errors.js';
import {
  defaultLogSubscription,
  effectiveLogSubscriptions,
  LOG_LEVELS,
  LOG_TYPES,
  SYSLOG_FACILITIES,
  type ApplianceConfig,
  type LogLevel,
  type LogRetrieval,
  type LogSubscription,
  type LogType,
} from '../config/model.js';
import { HOSTNAME, LOG_NAME } from '../config/validate.js';
import type { ConfigEditor } from './config-editor.js';
import { checkSetting, SettingError, type SettingKey } from './setting-error.js';

/*
 * The log subscriptions' operations (logconfig): a new subscription of a log type, a change of
 * its name, level, retrieval method (manual, or syslog push with host, port, protocol and
 * facility) and rollover, and its deletion. The files and the push follow the committed list.
 */

/** The log file types as logconfig names them ("Choose the log file type for this subscription"). */
export const LOG_TYPE_LABELS: Readonly<Record<LogType, string>> = {
  mail_logs: 'IronPort Text Mail Logs',
  system_logs: 'System Logs',
  authentication: 'Authentication Logs',
  gui_logs: 'HTTP Logs',
};

/** The levels as logconfig lists them ("Log level:"). */
export const LOG_LEVEL_LABELS: Readonly<Record<LogLevel, string>> = { critical: 'Critical', warning: 'Warning', information: 'Information', debug: 'Debug', trace: 'Trace' };

/** A file's size before it rolls over, in bytes: the range the stored file's schema allows. */
export const LOG_FILE_BYTES = { min: 1024, max: 1_073_741_824 } as const;
/** Files kept, the current one included: the range the stored file's schema allows. */
export const LOG_FILE_COUNT = { min: 1, max: 1000 } as const;
export const SYSLOG_PORT = { min: 1, max: 65_535, default: 514 } as const;
export const SYSLOG_PROTOCOLS = ['udp', 'tcp'] as const;
/** The facility of a new syslog push: syslog's own default for a program that names none. */
export const DEFAULT_FACILITY = 'user';

/**
 * Log types whose subscriptions cannot be pushed by syslog: AsyncOS offers Syslog Push for every
 * type but Authentication (and Bounce) Logs (Elastic's cisco_secure_email_gateway README).
 */
const NO_SYSLOG_PUSH: readonly LogType[] = ['authentication'];

export const syslogPushAllowed = (type: LogType): boolean => !NO_SYSLOG_PUSH.includes(type);

const oneOf = (values: readonly string[]) => `choose one of: ${values.join(', ')}`;

export const logNameProblem = (name: string): string | null => LOG_NAME.problem(name);
export const logTypeProblem = (type: string): string | null => ((LOG_TYPES as readonly string[]).includes(type) ? null : oneOf(LOG_TYPES));
export const logLevelProblem = (level: string): string | null => ((LOG_LEVELS as readonly string[]).includes(level.toLowerCase()) ? null : oneOf(LOG_LEVELS));
export const syslogHostProblem = (host: string): string | null => (isIP(host) !== 0 || HOSTNAME.problem(host) === null ? null : 'enter a host name or an IP address');
export const facilityProblem = (facility: string): string | null => ((SYSLOG_FACILITIES as readonly string[]).includes(facility.toLowerCase()) ? null : oneOf(SYSLOG_FACILITIES));
export const protocolProblem = (protocol: string): string | null => ((SYSLOG_PROTOCOLS as readonly string[]).includes(protocol.toLowerCase()) ? null : 'choose udp or tcp');

/** A retrieval method as a front end gives it: a syslog push may leave out what it keeps (or takes by default). */
export type RetrievalChange = { method: 'manual' } | { method: 'syslog'; host?: string; port?: number | string; protocol?: string; facility?: string };

/** What a new or edited subscription sets; what is left out stays as it is (a new one: AsyncOS's defaults). */
export interface LogSubscriptionChanges {
  /** a new name (edit) */
  name?: string;
  level?: string;
  maxFileBytes?: number;
  maxFiles?: number;
  retrieval?: RetrievalChange;
}

/** The subscription named so (names are unique whatever their case), or undefined. */
export function findLogSubscription(config: Pick<ApplianceConfig, 'logSubscriptions'>, name: string): LogSubscription | undefined {
  return effectiveLogSubscriptions(config).find((s) => s.name.toLowerCase() === name.toLowerCase());
}

/** A whole number in the range (typed as decimal digits, when it comes as text); returns it. */
function checkRange(setting: SettingKey, n: number | string | undefined, range: { min: number; max: number }): number | undefined {
  if (n === undefined) return undefined;
  const value = typeof n === 'string' ? (/^\d{1,10}$/.test(n) ? Number(n) : NaN) : n;
  if (!(Number.isInteger(value) && value >= range.min && value <= range.max)) {
    throw new SettingError(setting, `enter a whole number from ${range.min} to ${range.max}`, { value: String(n) });
  }
  return value;
}

/** The name's rule and its uniqueness among the other subscriptions; returns the name. */
function checkName(subs: readonly LogSubscription[], name: string, except?: LogSubscription): string {
  checkSetting('log.name', name, logNameProblem);
  const clash = subs.find((s) => s !== except && s.name.toLowerCase() === name.toLowerCase());
  if (clash) throw new SettingError('log.name', `Log name '${name}' already in use`, { code: ErrorCodes.conflict, startsWithName: true });
  return name;
}

/**
 * Checks a name for a new subscription, or a new name for the one named `current`: the name's
 * rule, and no other subscription of the configuration holds it (a dialog's check).
 */
export function checkLogName(config: Pick<ApplianceConfig, 'logSubscriptions'>, name: string, current?: string): string {
  const subs = effectiveLogSubscriptions(config);
  return checkName(subs, name, current === undefined ? undefined : subs.find((s) => s.name.toLowerCase() === current.toLowerCase()));
}

/** The retrieval a change makes of the current one, every value checked. */
function retrievalOf(type: LogType, current: LogRetrieval, change: RetrievalChange): LogRetrieval {
  if (change.method === 'manual') return { method: 'manual' };
  if (!syslogPushAllowed(type)) throw new SettingError('log.retrieval', `Syslog Push is not available for ${LOG_TYPE_LABELS[type]}`, { startsWithName: true });
  const base = current.method === 'syslog' ? current : undefined;
  const host = change.host ?? base?.host;
  if (host === undefined || host === '') throw new SettingError('log.syslog.host', 'a syslog push needs the host to deliver the logs to', { missing: true });
  checkSetting('log.syslog.host', host, syslogHostProblem);
  const port = checkRange('log.syslog.port', change.port ?? base?.port ?? SYSLOG_PORT.default, SYSLOG_PORT)!;
  const protocol = checkSetting('log.syslog.protocol', change.protocol ?? base?.protocol ?? 'udp', protocolProblem).toLowerCase() as 'udp' | 'tcp';
  const facility = checkSetting('log.syslog.facility', change.facility ?? base?.facility ?? DEFAULT_FACILITY, facilityProblem).toLowerCase() as (typeof SYSLOG_FACILITIES)[number];
  return { method: 'syslog', host, port, protocol, facility };
}

/** Applies the changes to `sub` (its name checked by the caller), every value checked first. */
function applyChanges(sub: LogSubscription, changes: LogSubscriptionChanges): void {
  const level = changes.level === undefined ? undefined : (checkSetting('log.level', changes.level, logLevelProblem).toLowerCase() as LogLevel);
  checkRange('log.maxFileBytes', changes.maxFileBytes, LOG_FILE_BYTES);
  checkRange('log.maxFiles', changes.maxFiles, LOG_FILE_COUNT);
  const retrieval = changes.retrieval === undefined ? undefined : retrievalOf(sub.type, sub.retrieval, changes.retrieval);
  if (level !== undefined) sub.level = level;
  if (changes.maxFileBytes !== undefined) sub.maxFileBytes = changes.maxFileBytes;
  if (changes.maxFiles !== undefined) sub.maxFiles = changes.maxFiles;
  if (retrieval !== undefined) sub.retrieval = retrieval;
}

/** The session's list, made explicit (a configuration without one runs the defaults). */
function listOf(c: ApplianceConfig): LogSubscription[] {
  c.logSubscriptions ??= effectiveLogSubscriptions(c);
  return c.logSubscriptions;
}

/** A new subscription of a log type, with AsyncOS's defaults (Information, 10 files of 10 MB, manual) where `changes` says nothing. */
export function newLogSubscription(editor: ConfigEditor, type: string, name: string, changes: Omit<LogSubscriptionChanges, 'name'> = {}): void {
  const t = checkSetting('log.type', type, logTypeProblem) as LogType;
  editor.session.config.edit((c) => {
    const subs = listOf(c);
    const sub = defaultLogSubscription(t, checkName(subs, name));
    applyChanges(sub, changes);
    subs.push(sub);
  });
}

/** Changes a subscription (its type stays: a subscription of another type is a new one). */
export function editLogSubscription(editor: ConfigEditor, name: string, changes: LogSubscriptionChanges): void {
  editor.session.config.edit((c) => {
    const subs = listOf(c);
    const sub = subs.find((s) => s.name.toLowerCase() === name.toLowerCase());
    if (!sub) throw notFound(name);
    if (changes.name !== undefined) checkName(subs, changes.name, sub);
    applyChanges(sub, changes);
    if (changes.name !== undefined) sub.name = changes.name;
  });
}

/**
 * Deletes a subscription: its files stay where they are, and nothing more is written there.
 * The default subscriptions are deleted as any other, as on the appliance (and made again with
 * a new subscription of their type and name).
 */
export function deleteLogSubscription(editor: ConfigEditor, name: string): void {
  editor.session.config.edit((c) => {
    const subs = listOf(c);
    const i = subs.findIndex((s) => s.name.toLowerCase() === name.toLowerCase());
    if (i < 0) throw notFound(name);
    subs.splice(i, 1);
  });
}

const notFound = (name: string) => new SettingError('log', `there is no log subscription named ${name}`, { code: ErrorCodes.notFound });
