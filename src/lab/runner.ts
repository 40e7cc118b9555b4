import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Appliance } from '../engine/appliance.js';
import { writeJsonAtomic } from '../engine/atomic-file.js';
import { LabClock } from '../engine/clock.js';
import { describeChange, type ConfigChange } from '../engine/config/changes.js';
import { defaultConfig } from '../engine/config/model.js';
import { mailLogLines, trackingLine } from '../engine/mail/mail-log-lines.js';
import { familyOf } from '../engine/message-tracking.js';
import { readTracking } from '../engine/tracking-store.js';
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
  trafficSent: boolean;
  /** the MIDs the listener gave while the lab's traffic was sent: after `afterMid`, through `throughMid` */
  traffic?: { afterMid: number; throughMid: number };
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
  writeJsonAtomic(stateFile(appliance), state);
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
 * Puts back what a lab owns, as a fresh home has it (TDC, mail policies, SMTP routes, the RAT and
 * HAT, SETD faults), so that no lab inherits the last one's state. Returns what was reset, a line each.
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
      // a fresh home has no HAT (every host accepted): a trainee's ALL REJECT would refuse the lab's own traffic
      delete c.listener.hostAccess;
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
 * commands. `lab check` judges only the lab's own traffic, found in message tracking.
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
    trafficSent: false,
  };
  saveLabState(appliance, state);
  return { state, task: expand(scenario.task, accounts) };
}

export async function sendLabTraffic(appliance: Appliance, scenario: Scenario, state: LabState, onProgress?: (done: number, total: number) => void): Promise<InjectSummary> {
  const live = appliance.live!;
  const afterMid = live.status().ids.mid;
  const summary = await injectTraffic(live.listenerAddress(), scenario.traffic, onProgress);
  state.traffic = { afterMid, throughMid: live.status().ids.mid };
  state.trafficSent = true;
  saveLabState(appliance, state);
  return summary;
}

/**
 * What the lab's own traffic did, from message tracking (so mail sent by hand beside it does not
 * count, and the counts survive a restart of the appliance), plus the live connection gauges.
 */
function observe(appliance: Appliance, state: LabState, peak: Map<string, number>): Observation {
  const live = appliance.live!;
  const { afterMid, throughMid } = state.traffic ?? { afterMid: 0, throughMid: 0 };
  const { events } = readTracking(appliance.paths.tracking);
  const lab = familyOf(events, (mid) => mid > afterMid && mid <= throughMid);
  const mine = events.filter((e) => 'mid' in e && lab.has(e.mid));
  const hosts: Observation['hosts'] = new Map();
  const counted = (host: string) => {
    let h = hosts.get(host);
    if (!h) hosts.set(host, (h = { activeRecipients: 0, connectionsOut: 0, deliveredRecipients: 0, softBouncedEvents: 0, hardBouncedRecipients: 0, peakConnectionsOut: 0 }));
    return h;
  };
  for (const e of mine) {
    if (e.type === 'delivered') counted(e.queue).deliveredRecipients += e.rids.length;
    else if (e.type === 'deferred') counted(e.queue).softBouncedEvents++;
    else if (e.type === 'bounced' || e.type === 'expired') counted(e.queue).hardBouncedRecipients += e.rids.length;
  }
  for (const h of live.hosts()) Object.assign(counted(h.host), { activeRecipients: h.activeRecipients, connectionsOut: h.connectionsOut, peakConnectionsOut: peak.get(h.host) ?? h.connectionsOut });
  // SETD names the gateway MID of the original each journal carries
  const setd = new Map(Object.entries(state.accounts).map(([id, real]) => [id, appliance.setd.messages(real).filter((m) => lab.has(Number(m.gatewayMid))).map((m) => m.verdict)]));
  return { hosts, logTexts: mine.flatMap(mailLogLines), trackingLines: mine.flatMap((e) => trackingLine(e) ?? []), setd };
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
