import type { HostStatus } from '../engine/host-status.js';
import type { CountExpectation, Expectations, HostCounterName, PatternExpectation, Scenario } from './scenario.js';

/** One expectation's verdict, as `lab check` reports it. */
export interface CheckResult {
  what: string;
  passed: boolean;
  actual: number;
  expected: string;
  hint?: string;
}

/** What the lab observed since it started. */
export interface Observation {
  /** per host: what the lab's traffic did (from tracking), and the live gauges */
  hosts: Map<string, Pick<HostStatus, 'activeRecipients' | 'deliveredRecipients' | 'softBouncedEvents' | 'hardBouncedRecipients' | 'connectionsOut'> & { peakConnectionsOut: number }>;
  /** the mail_logs texts (without timestamps) of the lab's messages */
  logTexts: string[];
  /** the message-tracking lines of the lab's messages */
  trackingLines: string[];
  /** per scenario account id, the verdicts of the messages SETD received */
  setd: Map<string, string[]>;
}

const HOST_VALUE: Record<HostCounterName, (h: NonNullable<ReturnType<Observation['hosts']['get']>>) => number> = {
  active: (h) => h.activeRecipients,
  delivered: (h) => h.deliveredRecipients,
  softBounced: (h) => h.softBouncedEvents,
  hardBounced: (h) => h.hardBouncedRecipients,
  connectionsOut: (h) => h.connectionsOut,
  peakConnectionsOut: (h) => h.peakConnectionsOut,
};

function judge(c: CountExpectation, actual: number): { passed: boolean; expected: string } {
  const parts: string[] = [];
  let passed = true;
  if (c.count !== undefined) {
    parts.push(`exactly ${c.count}`);
    passed &&= actual === c.count;
  }
  if (c.min !== undefined) {
    parts.push(`at least ${c.min}`);
    passed &&= actual >= c.min;
  }
  if (c.max !== undefined) {
    parts.push(`at most ${c.max}`);
    passed &&= actual <= c.max;
  }
  return { passed, expected: parts.join(' and ') };
}

function patternResults(kind: string, patterns: PatternExpectation[], lines: string[]): CheckResult[] {
  return patterns.map((p) => {
    const re = new RegExp(p.match);
    const actual = lines.filter((l) => re.test(l)).length;
    return { what: `${kind} lines matching /${p.match}/`, actual, hint: p.hint, ...judge(p, actual) };
  });
}

/** Judges expectations against what was observed (on `machine`, in a cluster lab: its results say so). */
export function evaluate(expect: Expectations, seen: Observation, machine?: string): CheckResult[] {
  const results: CheckResult[] = [];
  for (const [host, counters] of Object.entries(expect.hosts)) {
    const h = seen.hosts.get(host);
    for (const [name, c] of Object.entries(counters) as [HostCounterName, CountExpectation & { hint?: string }][]) {
      const actual = h ? HOST_VALUE[name](h) : 0;
      results.push({ what: `${host} ${name}`, actual, hint: c.hint, ...judge(c, actual) });
    }
  }
  results.push(...patternResults('mail_logs', expect.logs, seen.logTexts));
  results.push(...patternResults('tracking', expect.tracking, seen.trackingLines));
  for (const [id, c] of Object.entries(expect.setd)) {
    const verdicts = seen.setd.get(id) ?? [];
    const actual = c.verdict ? verdicts.filter((v) => v.toLowerCase() === c.verdict!.toLowerCase()).length : verdicts.length;
    results.push({ what: `SETD account ${id} messages${c.verdict ? ` with verdict ${c.verdict}` : ''}`, actual, hint: c.hint, ...judge(c, actual) });
  }
  return machine ? results.map((r) => ({ ...r, what: `${machine}: ${r.what}` })) : results;
}

/** The `lab check` report. */
export function renderResults(scenario: Scenario, results: CheckResult[], style: { pass(text: string): string; fail(text: string): string } = { pass: (t) => t, fail: (t) => t }): string {
  const passed = results.filter((r) => r.passed).length;
  return [
    `Lab ${scenario.name}: ${scenario.title}`,
    ...results.map((r) => `  ${r.passed ? style.pass('PASS') : style.fail('FAIL')}  ${r.what}: ${r.actual} (expected ${r.expected})${!r.passed && r.hint ? `\n        hint: ${r.hint}` : ''}`),
    `${passed} passed, ${results.length - passed} failed`,
  ].join('\n');
}
