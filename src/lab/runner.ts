import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Appliance } from '../engine/appliance.js';
import { LabClock } from '../engine/clock.js';
import { describeChange, type ConfigChange } from '../engine/config/changes.js';
import { defaultConfig } from '../engine/config/model.js';
import type { HostStatus } from '../engine/host-status.js';
import { readLog } from '../engine/log-search.js';
import { ErrorCodes, UserError } from '../errors.js';
import type { SetdAccount } from '../setd/store.js';
import { evaluate, type CheckResult, type Observation } from './expectations.js';
import type { Scenario } from './scenario.js';
import { injectTraffic, type InjectSummary } from './traffic.js';

/** What `lab start` leaves in the home directory for `lab check`. */
export interface LabState {
  scenario: string;
  file: string;
  /** scenario account id -> SETD account id */
  accounts: Record<string, string>;
  /** appliance time at the start (mail_logs and SETD both read the appliance clock) */
  startedAt: number;
  baseline: Record<string, Pick<HostStatus, 'deliveredRecipients' | 'softBouncedEvents' | 'hardBouncedRecipients'>>;
  trafficSent: boolean;
}

/** Runs one segsim command line inside the appliance (commits as a one-shot run does). */
export type CommandRunner = (line: string) => Promise<void>;

const stateFile = (appliance: Appliance) => join(appliance.paths.root, 'lab.json');

export function loadLabState(appliance: Appliance): LabState {
  const file = stateFile(appliance);
  if (!existsSync(file)) throw new UserError('No lab has been started on this appliance. Start one with "lab start NAME" ("lab list" shows them).', ErrorCodes.notFound);
  return JSON.parse(readFileSync(file, 'utf8')) as LabState;
}

function saveLabState(appliance: Appliance, state: LabState): void {
  writeFileSync(stateFile(appliance), JSON.stringify(state, null, 2));
}

export function clearLabState(appliance: Appliance): void {
  rmSync(stateFile(appliance), { force: true });
}

/** Replaces ${accounts.ID.intake} and ${accounts.ID.id} with the lab account's intake address and id. */
export function expand(text: string, accounts: Map<string, SetdAccount>): string {
  return text.replace(/\$\{accounts\.([^.}]+)\.(intake|id)\}/g, (whole, id: string, field: string) => {
    const account = accounts.get(id);
    return account ? (field === 'id' ? account.id : account.intakeAddress) : whole;
  });
}

/** The SETD accounts a started lab created, by scenario account id. */
export function labAccounts(appliance: Appliance, state: Pick<LabState, 'accounts'>): Map<string, SetdAccount> {
  const store = appliance.setd;
  return new Map(Object.entries(state.accounts).map(([id, real]) => [id, store.account(real)]));
}

/**
 * Puts back what a lab owns, as a fresh home has it (TDC, mail policies, SMTP routes, the RAT, SETD
 * faults), so that no lab inherits the last one's state. Returns what was reset, a line each.
 */
export async function resetLab(appliance: Appliance, run: CommandRunner): Promise<string[]> {
  const fresh = defaultConfig();
  const session = appliance.sessions.open('script', 'lab');
  let changes: ConfigChange[];
  try {
    session.config.edit((c) => {
      c.tdc = fresh.tdc;
      c.incomingPolicies = fresh.incomingPolicies;
      c.outgoingPolicies = fresh.outgoingPolicies;
      c.smtpRoutes = fresh.smtpRoutes;
      c.listener.acceptDomains = fresh.listener.acceptDomains;
    });
    changes = session.config.changes();
    await session.config.commit('lab start: reset what labs own');
  } finally {
    session.close();
  }
  await run('setd fault none');
  return [...changes.map(describeChange), 'SETD faults: all cleared'];
}

/**
 * Prepares the running appliance for a scenario: the SETD accounts, the time factor, the setup
 * commands; records the starting counters so that `lab check` judges only what happens next.
 */
export async function startLab(appliance: Appliance, scenario: Scenario, file: string, run: CommandRunner): Promise<{ state: LabState; task: string }> {
  const live = appliance.live;
  if (!live) throw new UserError('A lab needs a running appliance: open the shell ("segsim") or run "segsim start".', ErrorCodes.noAppliance);
  const store = appliance.setd;
  const accounts = new Map<string, SetdAccount>();
  for (const a of scenario.accounts) {
    const name = `${scenario.name}-${a.id}-${Date.now().toString(36)}`;
    accounts.set(a.id, store.createAccount({ name, region: a.region, header: a.header }));
  }
  if (appliance.clock instanceof LabClock) appliance.clock.setFactor(scenario.timeScale);
  else if (scenario.timeScale !== 1 && (appliance.clock.factor ?? 1) !== scenario.timeScale) {
    throw new UserError(`This lab compresses time ${scenario.timeScale}x, and this appliance's clock cannot change speed.`, ErrorCodes.invalidValue);
  }
  for (const line of scenario.setup) await run(expand(line, accounts));
  const state: LabState = {
    scenario: scenario.name,
    file,
    accounts: Object.fromEntries([...accounts].map(([id, a]) => [id, a.id])),
    startedAt: appliance.clock.now(),
    baseline: Object.fromEntries(live.hosts().map((h) => [h.host, { deliveredRecipients: h.deliveredRecipients, softBouncedEvents: h.softBouncedEvents, hardBouncedRecipients: h.hardBouncedRecipients }])),
    trafficSent: false,
  };
  saveLabState(appliance, state);
  return { state, task: expand(scenario.task, accounts) };
}

export async function sendLabTraffic(appliance: Appliance, scenario: Scenario, state: LabState, onProgress?: (done: number, total: number) => void): Promise<InjectSummary> {
  const live = appliance.live!;
  const summary = await injectTraffic(live.listenerAddress(), scenario.traffic, onProgress);
  state.trafficSent = true;
  saveLabState(appliance, state);
  return summary;
}

function observe(appliance: Appliance, state: LabState, peak: Map<string, number>): Observation {
  const live = appliance.live!;
  const hosts: Observation['hosts'] = new Map();
  for (const h of live.hosts()) {
    const base = state.baseline[h.host] ?? { deliveredRecipients: 0, softBouncedEvents: 0, hardBouncedRecipients: 0 };
    hosts.set(h.host, {
      activeRecipients: h.activeRecipients,
      connectionsOut: h.connectionsOut,
      deliveredRecipients: h.deliveredRecipients - base.deliveredRecipients,
      softBouncedEvents: h.softBouncedEvents - base.softBouncedEvents,
      hardBouncedRecipients: h.hardBouncedRecipients - base.hardBouncedRecipients,
      peakConnectionsOut: peak.get(h.host) ?? h.connectionsOut,
    });
  }
  // log timestamps have whole seconds: start one second early
  const entries = readLog(appliance.paths.logs).filter((e) => e.at >= state.startedAt - 1000);
  const trackingLines = entries
    .map((e) => /^TDC: MID (\d+) successfully delivered for scanning/.exec(e.text))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => `TDC: Message ${m[1]} was successfully delivered for scanning with Cisco Secure Email Threat Defense.`);
  const setd = new Map(Object.entries(state.accounts).map(([id, real]) => [id, appliance.setd.messages(real).filter((m) => m.receivedAt >= state.startedAt - 1000).map((m) => m.verdict)]));
  return { hosts, logTexts: entries.map((e) => e.text), trackingLines, setd };
}

/**
 * Waits (at most `within` scenario seconds) until the appliance is idle after the traffic, or
 * every expectation holds; meanwhile samples connections as tophosts would show them.
 */
export async function checkLab(appliance: Appliance, scenario: Scenario, state: LabState, signal?: AbortSignal): Promise<CheckResult[]> {
  const live = appliance.live!;
  const peak = new Map<string, number>();
  const sample = () => {
    for (const h of live.hosts()) peak.set(h.host, Math.max(peak.get(h.host) ?? 0, h.connectionsOut));
  };
  // sampled all along, the traffic included, as an operator watching tophosts would see it
  const sampler = setInterval(sample, 50);
  try {
    if (!state.trafficSent) await sendLabTraffic(appliance, scenario, state);
    return await settle(appliance, scenario, state, peak, sample, signal);
  } finally {
    clearInterval(sampler);
  }
}

async function settle(appliance: Appliance, scenario: Scenario, state: LabState, peak: Map<string, number>, sample: () => void, signal?: AbortSignal): Promise<CheckResult[]> {
  const live = appliance.live!;
  const factor = appliance.clock.factor ?? 1;
  const deadline = Date.now() + (scenario.expect.within * 1000) / factor;
  let idleSince: number | null = null;
  for (;;) {
    sample();
    const idle = live.workQueue().messages === 0 && live.hosts().every((h) => h.activeRecipients === 0 && h.connectionsOut === 0);
    idleSince = idle ? (idleSince ?? Date.now()) : null;
    // settled: idle for a moment (late log lines and SETD writes land); the logs are read only then
    if ((idleSince !== null && Date.now() - idleSince > 700) || Date.now() > deadline || signal?.aborted) {
      return evaluate(scenario, observe(appliance, state, peak));
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
