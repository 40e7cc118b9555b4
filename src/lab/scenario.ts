import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import { ErrorCodes, UserError } from '../errors.js';
import type { TrafficSpec } from './traffic.js';

/** One count expectation: exactly `count`, or at least `min` / at most `max`. */
export interface CountExpectation {
  count?: number;
  min?: number;
  max?: number;
}

export interface PatternExpectation extends CountExpectation {
  /** a regular expression */
  match: string;
  hint?: string;
}

/** peakConnectionsOut is the most connections tophosts showed while the lab ran. */
export type HostCounterName = 'active' | 'delivered' | 'softBounced' | 'hardBounced' | 'connectionsOut' | 'peakConnectionsOut';

export interface Scenario {
  name: string;
  title: string;
  /** the case of the seed document this lab replays */
  seedCase: string;
  /** time runs this many times faster (the 120-second rule included) */
  timeScale: number;
  task: string;
  /** SETD accounts created first (wizard defaults; region optional) */
  accounts: { id: string; region?: string; header?: string }[];
  /** segsim command lines run before the trainee starts; ${accounts.ID.intake} and ${accounts.ID.id} expand */
  setup: string[];
  /** command lines `lab run` runs in place of the trainee */
  solution: string[];
  traffic: TrafficSpec;
  expect: {
    /** seconds (scenario time) to wait for the outcome */
    within: number;
    hosts: Record<string, Partial<Record<HostCounterName, CountExpectation & { hint?: string }>>>;
    logs: PatternExpectation[];
    tracking: PatternExpectation[];
    setd: Record<string, CountExpectation & { verdict?: string; hint?: string }>;
  };
}

const HOST_COUNTERS: HostCounterName[] = ['active', 'delivered', 'softBounced', 'hardBounced', 'connectionsOut', 'peakConnectionsOut'];

/** Reads and validates a scenario file; every problem names the file and line. */
export function loadScenario(file: string): Scenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError(`Cannot read scenario ${file}: ${(error as Error).message}`, ErrorCodes.notFound);
  }
  return parseScenario(text, file);
}

export function parseScenario(text: string, file: string): Scenario {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const at = (node: Node | null | undefined) => (node?.range ? lines.linePos(node.range[0]).line : 1);
  const fail = (node: Node | null | undefined, message: string): never => {
    throw new UserError(`${file}:${at(node)}: ${message}`, ErrorCodes.scenarioInvalid);
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new UserError(`${file}:${e.linePos?.[0]?.line ?? 1}: ${e.message.split('\n')[0]}`, ErrorCodes.scenarioInvalid);
  }
  const root = doc.contents;
  if (!isMap(root)) return fail(root, 'a scenario is a mapping (key: value lines)');

  type MapNode = Extract<Node, { items: unknown[] }> & { get(key: string, keepScalar: true): unknown };
  const field = (map: Node, key: string): Node | undefined => (map as MapNode).get(key, true) as Node | undefined;
  const known = (map: Node, keys: string[], where: string) => {
    if (!isMap(map)) return;
    for (const pair of map.items) {
      const k = isScalar(pair.key) ? String(pair.key.value) : '';
      if (!keys.includes(k)) fail(pair.key as Node, `unknown key "${k}" in ${where}; expected one of: ${keys.join(', ')}`);
    }
  };
  const str = (map: Node, key: string, where: string, required = true): string | undefined => {
    const node = field(map, key);
    if (node === undefined) return required ? fail(map, `${where} needs "${key}"`) : undefined;
    if (!isScalar(node) || typeof node.value !== 'string' || node.value.trim() === '') return fail(node, `${where}.${key} must be text`);
    return node.value;
  };
  const num = (map: Node, key: string, where: string, opts: { min?: number; integer?: boolean } = {}): number | undefined => {
    const node = field(map, key);
    if (node === undefined) return undefined;
    const v = isScalar(node) ? node.value : undefined;
    if (typeof v !== 'number' || (opts.integer && !Number.isInteger(v)) || v < (opts.min ?? 0)) {
      return fail(node, `${where}.${key} must be a ${opts.integer ? 'whole number' : 'number'} of at least ${opts.min ?? 0}`);
    }
    return v;
  };
  const strings = (map: Node, key: string, where: string): string[] => {
    const node = field(map, key);
    if (node === undefined) return [];
    if (!isSeq(node)) return fail(node, `${where}.${key} must be a list`);
    return node.items.map((item) => {
      if (!isScalar(item) || typeof item.value !== 'string') return fail(item as Node, `${where}.${key} items must be text`);
      return item.value;
    });
  };
  const counts = (map: Node, where: string): CountExpectation => {
    const c = { count: num(map, 'count', where, { integer: true }), min: num(map, 'min', where, { integer: true }), max: num(map, 'max', where, { integer: true }) };
    if (c.count === undefined && c.min === undefined && c.max === undefined) fail(map, `${where} needs count, min or max`);
    return c;
  };
  const patterns = (map: Node, key: string): PatternExpectation[] => {
    const node = field(map, key);
    if (node === undefined) return [];
    if (!isSeq(node)) return fail(node, `expect.${key} must be a list`);
    return node.items.map((item, i) => {
      const where = `expect.${key}[${i}]`;
      known(item as Node, ['match', 'count', 'min', 'max', 'hint'], where);
      const match = str(item as Node, 'match', where)!;
      try {
        new RegExp(match);
      } catch {
        fail(item as Node, `${where}.match is not a valid regular expression`);
      }
      return { match, hint: str(item as Node, 'hint', where, false), ...counts(item as Node, where) };
    });
  };

  known(root, ['name', 'title', 'seedCase', 'timeScale', 'task', 'accounts', 'setup', 'solution', 'traffic', 'expect'], 'the scenario');
  const name = str(root, 'name', 'the scenario')!;
  const expectedName = basename(file).replace(/\.ya?ml$/, '');
  if (/\.ya?ml$/.test(file) && name !== expectedName) fail(field(root, 'name'), `name "${name}" must match the file name "${expectedName}"`);

  const accountsNode = field(root, 'accounts');
  const accounts: Scenario['accounts'] = [];
  if (accountsNode !== undefined) {
    if (!isSeq(accountsNode)) fail(accountsNode, 'accounts must be a list');
    for (const [i, item] of (accountsNode as unknown as { items: Node[] }).items.entries()) {
      known(item, ['id', 'region', 'header'], `accounts[${i}]`);
      accounts.push({ id: str(item, 'id', `accounts[${i}]`)!, region: str(item, 'region', `accounts[${i}]`, false), header: str(item, 'header', `accounts[${i}]`, false) });
    }
  }

  const trafficNode = field(root, 'traffic') ?? fail(root, 'the scenario needs "traffic"');
  known(trafficNode, ['count', 'to', 'from', 'rcpts', 'size', 'spam', 'virus', 'subject', 'concurrency'], 'traffic');
  const traffic: TrafficSpec = {
    count: num(trafficNode, 'count', 'traffic', { min: 1, integer: true }) ?? fail(trafficNode, 'traffic needs "count"'),
    to: strings(trafficNode, 'to', 'traffic'),
    from: strings(trafficNode, 'from', 'traffic'),
    recipientsPerMessage: num(trafficNode, 'rcpts', 'traffic', { min: 1, integer: true }),
    size: num(trafficNode, 'size', 'traffic', { integer: true }),
    spam: num(trafficNode, 'spam', 'traffic'),
    virus: num(trafficNode, 'virus', 'traffic'),
    subject: str(trafficNode, 'subject', 'traffic', false),
    concurrency: num(trafficNode, 'concurrency', 'traffic', { min: 1, integer: true }),
    seed: 1,
  };
  for (const k of ['spam', 'virus'] as const) if ((traffic[k] ?? 0) > 1) fail(field(trafficNode, k), `traffic.${k} is a share from 0 to 1`);

  const expectNode = field(root, 'expect') ?? fail(root, 'the scenario needs "expect"');
  known(expectNode, ['within', 'hosts', 'logs', 'tracking', 'setd'], 'expect');
  const hosts: Scenario['expect']['hosts'] = {};
  const hostsNode = field(expectNode, 'hosts');
  if (hostsNode !== undefined) {
    if (!isMap(hostsNode)) fail(hostsNode, 'expect.hosts must map host names to counters');
    for (const pair of (hostsNode as unknown as { items: { key: Node; value: Node }[] }).items) {
      const hostName = String((pair.key as { value: unknown }).value);
      known(pair.value, HOST_COUNTERS, `expect.hosts.${hostName}`);
      hosts[hostName] = {};
      for (const counter of HOST_COUNTERS) {
        const c = field(pair.value, counter);
        if (c === undefined) continue;
        const where = `expect.hosts.${hostName}.${counter}`;
        if (isScalar(c)) {
          if (typeof c.value !== 'number' || !Number.isInteger(c.value) || c.value < 0) fail(c, `${where} must be a whole number`);
          hosts[hostName]![counter] = { count: c.value as number };
        } else {
          known(c, ['count', 'min', 'max', 'hint'], where);
          hosts[hostName]![counter] = { ...counts(c, where), hint: str(c, 'hint', where, false) };
        }
      }
    }
  }
  const setd: Scenario['expect']['setd'] = {};
  const setdNode = field(expectNode, 'setd');
  if (setdNode !== undefined) {
    if (!isMap(setdNode)) fail(setdNode, 'expect.setd must map account ids to message counts');
    for (const pair of (setdNode as unknown as { items: { key: Node; value: Node }[] }).items) {
      const id = String((pair.key as { value: unknown }).value);
      if (!accounts.some((a) => a.id === id)) fail(pair.key, `expect.setd names account "${id}", which is not in accounts`);
      known(pair.value, ['count', 'min', 'max', 'verdict', 'hint'], `expect.setd.${id}`);
      setd[id] = { ...counts(pair.value, `expect.setd.${id}`), verdict: str(pair.value, 'verdict', `expect.setd.${id}`, false), hint: str(pair.value, 'hint', `expect.setd.${id}`, false) };
    }
  }
  const scenario: Scenario = {
    name,
    title: str(root, 'title', 'the scenario')!,
    seedCase: str(root, 'seedCase', 'the scenario')!,
    timeScale: num(root, 'timeScale', 'the scenario', { min: 1 }) ?? 1,
    task: str(root, 'task', 'the scenario')!,
    accounts,
    setup: strings(root, 'setup', 'the scenario'),
    solution: strings(root, 'solution', 'the scenario'),
    traffic,
    expect: {
      within: num(expectNode, 'within', 'expect', { min: 1 }) ?? 60,
      hosts,
      logs: patterns(expectNode, 'logs'),
      tracking: patterns(expectNode, 'tracking'),
      setd,
    },
  };
  for (const line of [scenario.task, ...scenario.setup, ...scenario.solution]) {
    for (const ref of line.matchAll(/\$\{accounts\.([^.}]+)\.(?:intake|id)\}/g)) {
      if (!accounts.some((a) => a.id === ref[1])) throw new UserError(`${file}: "${line.split('\n').find((l) => l.includes(ref[0])) ?? line}" refers to account "${ref[1]}", which is not in accounts.`, ErrorCodes.scenarioInvalid);
    }
  }
  return scenario;
}
