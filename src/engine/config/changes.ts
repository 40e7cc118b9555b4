import { isDeepStrictEqual } from 'node:util';
import type { ApplianceConfig } from './model.js';

/**
 * Configuration changes as paths of settings, so that two sessions' changes can be compared and
 * merged. Lists of named things (policies, routes, destination controls) are keyed by their name:
 * editing policy `partner` is a change of `incomingPolicies[partner]...`, not of the whole list,
 * so two sessions editing different policies do not collide. Their order is a setting of its own.
 */
export interface ConfigChange {
  /** readable dotted path, e.g. `tdc.enabled` or `incomingPolicies[partner].tdc.mode` */
  path: string;
  /** the same path as segments; a keyed item is its key, the order of a list is ORDER */
  segments: string[];
  before: unknown;
  after: unknown;
}

/** The segment that stands for the order of a keyed list. */
const ORDER = '#order';

/** The field that names the items of each keyed list. */
const KEYED_LISTS: Record<string, string> = {
  incomingPolicies: 'name',
  outgoingPolicies: 'name',
  smtpRoutes: 'domain',
  destinationControls: 'domain',
};

type Item = Record<string, unknown>;
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const keyField = (segments: string[]) => (segments.length === 1 ? KEYED_LISTS[segments[0]!] : undefined);
const keysOf = (list: Item[], field: string) => list.map((item) => String(item[field]));

/** The settings that differ between two configurations. */
export function diffConfig(before: ApplianceConfig, after: ApplianceConfig): ConfigChange[] {
  return diffAt(before, after, []);
}

function diffAt(before: unknown, after: unknown, segments: string[]): ConfigChange[] {
  if (isDeepStrictEqual(before, after)) return [];
  const field = keyField(segments);
  if (field && Array.isArray(before) && Array.isArray(after)) return diffKeyed(before as Item[], after as Item[], field, segments);
  if (isObject(before) && isObject(after)) {
    const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
    return [...keys].flatMap((k) => diffAt(before[k], after[k], [...segments, k]));
  }
  return [change(segments, before, after)];
}

function diffKeyed(before: Item[], after: Item[], field: string, segments: string[]): ConfigChange[] {
  const was = new Map(before.map((item) => [String(item[field]), item]));
  const is = new Map(after.map((item) => [String(item[field]), item]));
  const changes: ConfigChange[] = [];
  for (const [key, item] of was) {
    changes.push(...(is.has(key) ? diffAt(item, is.get(key), [...segments, key]) : [change([...segments, key], item, undefined)]));
  }
  for (const [key, item] of is) if (!was.has(key)) changes.push(change([...segments, key], undefined, item));
  // the order changed only when the items both lists keep stand in another order
  const kept = (list: Item[], other: Map<string, Item>) => keysOf(list, field).filter((k) => other.has(k));
  if (!isDeepStrictEqual(kept(before, is), kept(after, was))) changes.push(change([...segments, ORDER], keysOf(before, field), keysOf(after, field)));
  return changes;
}

function change(segments: string[], before: unknown, after: unknown): ConfigChange {
  return { path: readablePath(segments), segments, before, after };
}

function readablePath(segments: string[]): string {
  let path = '';
  segments.forEach((s, i) => {
    if (i === 1 && keyField(segments.slice(0, 1))) path += s === ORDER ? ' (order)' : `[${s}]`;
    else path += path ? `.${s}` : s;
  });
  return path;
}

/** Whether one setting contains the other (or they are the same). */
function overlaps(a: string[], b: string[]): boolean {
  const n = Math.min(a.length, b.length);
  return a.slice(0, n).every((s, i) => s === b[i]);
}

/** What stands at a path in a configuration (undefined when it is not there). */
export function valueAt(config: ApplianceConfig, segments: string[]): unknown {
  let node: unknown = config;
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i]!;
    const field = keyField(segments.slice(0, i));
    if (field && Array.isArray(node)) node = s === ORDER ? keysOf(node as Item[], field) : (node as Item[]).find((item) => String(item[field]) === s);
    else node = isObject(node) ? node[s] : undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

/**
 * The changes of `mine` that collide with `theirs` (both made since the same base): the same
 * setting, or one inside the other, changed to different values.
 */
export function conflicts(mine: ConfigChange[], theirs: ConfigChange[], ours: ApplianceConfig, current: ApplianceConfig): ConfigChange[] {
  return mine.filter((m) =>
    theirs.some((t) => {
      if (!overlaps(m.segments, t.segments)) return false;
      const shorter = m.segments.length <= t.segments.length ? m.segments : t.segments;
      return !isDeepStrictEqual(valueAt(ours, shorter), valueAt(current, shorter));
    }),
  );
}

/** Applies changes (from a diff against another base) to a copy of `target`. */
export function applyChanges(target: ApplianceConfig, changes: ConfigChange[], source: ApplianceConfig): ApplianceConfig {
  const result = structuredClone(target) as unknown as Item;
  // items first, then orders: an order names the items that are there
  const ordered = [...changes.filter((c) => c.segments.at(-1) !== ORDER), ...changes.filter((c) => c.segments.at(-1) === ORDER)];
  for (const c of ordered) applyOne(result, c, source);
  return result as unknown as ApplianceConfig;
}

function applyOne(root: Item, c: ConfigChange, source: ApplianceConfig): void {
  const [list, key] = c.segments;
  const field = KEYED_LISTS[list!];
  if (field && key !== undefined) {
    const items = root[list!] as Item[];
    if (key === ORDER) return reorder(items, c.after as string[], field);
    const index = items.findIndex((item) => String(item[field]) === key);
    if (c.segments.length === 2) {
      if (c.after === undefined) {
        if (index >= 0) items.splice(index, 1);
        return;
      }
      if (index >= 0) items[index] = structuredClone(c.after) as Item;
      else items.splice(insertionIndex(items, keysOf(valueAt(source, [list!]) as Item[], field), key, field), 0, structuredClone(c.after) as Item);
      return;
    }
    if (index >= 0) setPath(items[index]!, c.segments.slice(2), c.after);
    return;
  }
  setPath(root, c.segments, c.after);
}

function setPath(node: Item, segments: string[], value: unknown): void {
  const parents = segments.slice(0, -1);
  let at = node;
  for (const s of parents) {
    if (!isObject(at[s])) at[s] = {};
    at = at[s] as Item;
  }
  const last = segments.at(-1)!;
  if (value === undefined) delete at[last];
  else at[last] = structuredClone(value);
}

/** A new item goes after the item it follows in the list it comes from (first if none is there). */
function insertionIndex(items: Item[], sourceOrder: string[], key: string, field: string): number {
  const here = keysOf(items, field);
  for (let i = sourceOrder.indexOf(key) - 1; i >= 0; i--) {
    const at = here.indexOf(sourceOrder[i]!);
    if (at >= 0) return at + 1;
  }
  return 0;
}

/** Puts the items named in `order` in that order; items it does not name keep their places. */
function reorder(items: Item[], order: string[], field: string): void {
  const named = new Set(order);
  const slots = items.map((item, i) => (named.has(String(item[field])) ? i : -1)).filter((i) => i >= 0);
  const byKey = new Map(items.map((item) => [String(item[field]), item]));
  const sorted = order.filter((k) => byKey.has(k)).map((k) => byKey.get(k)!);
  slots.forEach((slot, i) => (items[slot] = sorted[i]!));
}

const LIST_LABELS: Record<string, string> = {
  incomingPolicies: 'Incoming Mail Policy',
  outgoingPolicies: 'Outgoing Mail Policy',
  smtpRoutes: 'SMTP route for',
  destinationControls: 'Destination controls for',
};

const SETTING_LABELS: Record<string, string> = {
  hostname: 'Hostname',
  'tdc.enabled': 'Threat Defense Connector: enabled',
  'tdc.intakeAddress': 'Threat Defense Connector: Message Intake Address',
  'listener.name': 'Listener: name',
  'listener.bindAddress': 'Listener: IP address',
  'listener.port': 'Listener: port',
  'listener.acceptDomains': 'Listener: RAT (accepted domains)',
  'listener.maxMessageSize': 'Listener: maximum message size',
  'bounceProfile.maxRetries': 'Bounce profile: maximum retries',
  'bounceProfile.maxTimeInQueueSeconds': 'Bounce profile: maximum time in queue (seconds)',
  'bounceProfile.initialRetrySeconds': 'Bounce profile: initial retry (seconds)',
  'bounceProfile.maxRetrySeconds': 'Bounce profile: maximum retry (seconds)',
  'lab.mailServerPort': 'Lab mail server port',
  'lab.setdPort': 'SETD emulator port',
  'lab.webPort': 'Web interface HTTPS port',
  'lab.sshPort': 'SSH port',
  'lab.apiPort': 'AsyncOS API HTTPS port',
  senders: 'senders',
  recipients: 'recipients',
  antispam: 'Anti-Spam',
  antivirus: 'Anti-Virus',
  'tdc.mode': 'Threat Defense Connector',
  'tdc.intakeAddress@policy': 'Threat Defense Connector: custom Message Intake Address',
  destinations: 'destinations',
  maxConnections: 'maximum concurrent connections',
  maxMessagesPerConnection: 'maximum messages per connection',
};

/** The name of a setting as an operator reads it, e.g. `Incoming Mail Policy partner: Anti-Spam`. */
export function settingName(segments: string[]): string {
  const [first, key, ...rest] = segments;
  if (first === 'sshUserKeys') return key === undefined ? 'SSH user keys' : `SSH user keys of ${key}`;
  const listLabel = LIST_LABELS[first!];
  if (listLabel && key !== undefined) {
    if (key === ORDER) return `${listLabel.replace(/ for$/, '')}: order`;
    const inner = rest.join('.');
    const label = SETTING_LABELS[first!.endsWith('Policies') && inner === 'tdc.intakeAddress' ? 'tdc.intakeAddress@policy' : inner] ?? inner;
    return inner ? `${listLabel} ${key}: ${label}` : `${listLabel} ${key}`;
  }
  return SETTING_LABELS[segments.join('.')] ?? segments.join('.');
}

/** User keys by their number, not their text: `2 keys`, `admin: 1 key`. */
function keyCount(v: unknown): string | undefined {
  const count = (list: unknown) => (Array.isArray(list) ? `${list.length} ${list.length === 1 ? 'key' : 'keys'}` : undefined);
  if (Array.isArray(v)) return count(v);
  if (isObject(v))
    return (
      Object.entries(v)
        .map(([user, list]) => `${user}: ${count(list)}`)
        .join(', ') || '(none)'
    );
  return undefined;
}

const show = (v: unknown): string => {
  if (v === undefined || v === null) return '(none)';
  if (Array.isArray(v)) return v.length === 0 ? '(none)' : v.join(', ');
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (isObject(v)) return JSON.stringify(v);
  return String(v);
};

/**
 * A front end's words for a setting's value (`Use Global Settings` for the web's `global`), or
 * undefined to leave it to the neutral ones (`yes`, `(none)`, the value itself).
 */
export type ValueWords = (value: unknown, segments: string[]) => string | undefined;

/** Describes changes one line each, values in a front end's words. */
export function changeDescriber(words: ValueWords): (c: ConfigChange) => string {
  const value = (v: unknown, segments: string[]) => words(v, segments) ?? (segments[0] === 'sshUserKeys' ? keyCount(v) : undefined) ?? show(v);
  return (c) => {
    const name = settingName(c.segments);
    if (c.segments.length === 2 && LIST_LABELS[c.segments[0]!] && c.segments[1] !== ORDER) {
      if (c.before === undefined) return `${name}: added`;
      if (c.after === undefined) return `${name}: deleted`;
    }
    return `${name}: ${value(c.before, c.segments)} -> ${value(c.after, c.segments)}`;
  };
}

/** One line per change: `Incoming Mail Policy partner: Anti-Spam: on -> off`, `... added` (showchanges's words). */
export const describeChange = changeDescriber(() => undefined);
