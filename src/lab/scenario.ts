import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import { ErrorCodes, UserError } from '../errors.js';
import { jsonShape, pathText, shapeProblems, type ValuePath } from '../engine/json-shape.js';
import { clusterNameProblem } from '../engine/cluster/levels.js';
import { HOSTNAME } from '../engine/config/validate.js';
import { REGION } from '../setd/regions.js';
import { scenarioSchema, type ScenarioFile } from './scenario-schema.js';
import { validateScenario } from './scenario-schema.generated.js';
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

/** What one appliance's lab traffic must have done. */
export interface Expectations {
  hosts: Record<string, Partial<Record<HostCounterName, CountExpectation & { hint?: string }>>>;
  logs: PatternExpectation[];
  tracking: PatternExpectation[];
  /** scenario account id -> what it received */
  setd: Record<string, CountExpectation & { verdict?: string; hint?: string }>;
}

/** A lab of several appliances in one cluster (see scenario-schema.ts). */
export interface ClusterLab {
  name: string;
  /** the first is the one the lab runs on (it creates the cluster); each has a home of its own */
  machines: { hostname: string; setup: string[]; expect: Expectations }[];
}

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
  /** with a cluster: hosts, logs and tracking are the first machine's, setd counts every member's SETD */
  expect: Expectations & {
    /** seconds (scenario time) to wait for the outcome */
    within: number;
  };
  cluster: ClusterLab | null;
}

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

const SCENARIO = jsonShape<ScenarioFile>(scenarioSchema, validateScenario);

/** The node at a place in the document: for a key of a mapping, the key (the line it is written on). */
function nodeAt(doc: Document, path: ValuePath): Node | null {
  let node: unknown = doc.contents;
  for (const [i, step] of path.entries()) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isScalar(p.key) && String(p.key.value) === String(step));
      if (!pair) return node;
      node = i === path.length - 1 ? pair.key : pair.value;
    } else if (isSeq(node)) {
      node = node.items[Number(step)] ?? node;
    } else {
      break;
    }
  }
  return (node as Node | null) ?? null;
}

export function parseScenario(text: string, file: string): Scenario {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  if (doc.errors.length > 0) {
    const e = doc.errors[0]!;
    throw new UserError(`${file}:${e.linePos?.[0]?.line ?? 1}: ${e.message.split('\n')[0]}`, ErrorCodes.scenarioInvalid);
  }
  const fail = (path: ValuePath, message: string): never => {
    const node = nodeAt(doc, path);
    throw new UserError(`${file}:${node?.range ? lines.linePos(node.range[0]).line : 1}: ${message}`, ErrorCodes.scenarioInvalid);
  };
  const value: unknown = doc.toJS();
  const problem = shapeProblems(value, SCENARIO, { root: 'the scenario' })[0];
  if (problem) return fail(problem.path, problem.text);
  const s = value as ScenarioFile;

  const expectedName = basename(file).replace(/\.ya?ml$/, '');
  if (/\.ya?ml$/.test(file) && s.name !== expectedName) fail(['name'], `name "${s.name}" must match the file name "${expectedName}"`);
  const counted = <T extends CountExpectation>(c: T, path: ValuePath): T => {
    if (c.count === undefined && c.min === undefined && c.max === undefined) fail(path, `${pathText(path)} needs count, min or max`);
    return c;
  };
  const accounts = s.accounts ?? [];
  for (const [i, a] of accounts.entries()) {
    const problem = a.region === undefined ? null : REGION.problem(a.region);
    if (problem) fail(['accounts', i, 'region'], `accounts[${i}].region "${a.region}" is not valid: ${problem}`);
  }
  /** the expectations at `at` (expect, or a machine's expect), each count checked */
  const expectations = (e: Omit<ScenarioFile['expect'], 'within'> | undefined, at: ValuePath): Expectations => {
    const name = pathText(at);
    const patterns = (key: 'logs' | 'tracking'): PatternExpectation[] =>
      (e?.[key] ?? []).map((p, i) => {
        try {
          new RegExp(p.match);
        } catch {
          fail([...at, key, i, 'match'], `${name}.${key}[${i}].match is not a valid regular expression`);
        }
        return counted(p, [...at, key, i]);
      });
    const hosts: Expectations['hosts'] = {};
    for (const [host, counters] of Object.entries(e?.hosts ?? {})) {
      hosts[host] = {};
      for (const [counter, c] of Object.entries(counters) as [HostCounterName, number | (CountExpectation & { hint?: string })][]) {
        hosts[host][counter] = typeof c === 'number' ? { count: c } : counted(c, [...at, 'hosts', host, counter]);
      }
    }
    const setd: Expectations['setd'] = {};
    for (const [id, c] of Object.entries(e?.setd ?? {})) {
      if (!accounts.some((a) => a.id === id)) fail([...at, 'setd', id], `${name}.setd names account "${id}", which is not in accounts`);
      setd[id] = counted(c, [...at, 'setd', id]);
    }
    return { hosts, logs: patterns('logs'), tracking: patterns('tracking'), setd };
  };
  let cluster: ClusterLab | null = null;
  if (s.cluster) {
    const nameProblem = clusterNameProblem(s.cluster.name);
    if (nameProblem) fail(['cluster', 'name'], `cluster.name "${s.cluster.name}" is not valid: ${nameProblem}`);
    const seen = new Set<string>();
    for (const [i, m] of s.cluster.machines.entries()) {
      const problem = HOSTNAME.problem(m.hostname);
      if (problem) fail(['cluster', 'machines', i, 'hostname'], `cluster.machines[${i}].hostname "${m.hostname}" is not valid: ${problem}`);
      if (seen.has(m.hostname.toLowerCase())) fail(['cluster', 'machines', i, 'hostname'], `cluster.machines[${i}].hostname "${m.hostname}" is given twice`);
      seen.add(m.hostname.toLowerCase());
    }
    cluster = {
      name: s.cluster.name,
      machines: s.cluster.machines.map((m, i) => ({ hostname: m.hostname, setup: m.setup ?? [], expect: expectations(m.expect, ['cluster', 'machines', i, 'expect']) })),
    };
  }
  const { rcpts, ...traffic } = s.traffic;
  const scenario: Scenario = {
    name: s.name,
    title: s.title,
    seedCase: s.seedCase,
    timeScale: s.timeScale ?? 1,
    task: s.task,
    accounts,
    setup: s.setup ?? [],
    solution: s.solution ?? [],
    traffic: { ...traffic, to: traffic.to ?? [], from: traffic.from ?? [], recipientsPerMessage: rcpts, seed: 1 },
    expect: { within: s.expect.within ?? 60, ...expectations(s.expect, ['expect']) },
    cluster,
  };
  for (const line of [scenario.task, ...scenario.setup, ...scenario.solution, ...(cluster?.machines.flatMap((m) => m.setup) ?? [])]) {
    for (const ref of line.matchAll(/\$\{accounts\.([^.}]+)\.(?:intake|id)\}/g)) {
      if (!accounts.some((a) => a.id === ref[1]))
        throw new UserError(`${file}: "${line.split('\n').find((l) => l.includes(ref[0])) ?? line}" refers to account "${ref[1]}", which is not in accounts.`, ErrorCodes.scenarioInvalid);
    }
  }
  return scenario;
}
