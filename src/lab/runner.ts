import { createHash } from 'node:crypto';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Appliance } from '../engine/appliance.js';
import { writeJsonAtomic } from '../engine/atomic-file.js';
import { LabClock } from '../engine/clock.js';
import { describeChange, type ConfigChange } from '../engine/config/changes.js';
import { defaultConfig } from '../engine/config/model.js';
import { mailLogLines } from '../engine/mail/mail-log-lines.js';
import { trackingLine } from '../engine/tracking-sentences.js';
import { familyOf } from '../engine/message-tracking.js';
import { readTracking } from '../engine/tracking-store.js';
import { ErrorCodes, UserError } from '../errors.js';
import type { SetdAccount } from '../setd/store.js';
import { evaluate, type CheckResult, type Observation } from './expectations.js';
import type { Scenario } from './scenario.js';
import { injectTraffic, type InjectSummary } from './traffic.js';
import { setdStoreOf } from '../setd/appliance-store.js';

/** What `lab start` leaves in the home directory for `lab check`. */
export interface LabState {
  scenario: string;
  file: string;
  /** scenario account id -> SETD account id */
  accounts: Record<string, string>;
  trafficSent: boolean;
  /** when the traffic was last sent (appliance clock), and a fingerprint of the configuration committed then */
  sentAt?: number;
  sentWith?: string;
  /** the MIDs the listener gave while the lab's traffic was sent: after `afterMid`, through `throughMid` */
  traffic?: MidRange;
  /** a cluster lab: the same for each further machine, by hostname */
  members?: Record<string, MidRange>;
}

interface MidRange {
  afterMid: number;
  throughMid: number;
}

/** A further appliance of a cluster lab (the first is the one the lab runs on): it runs in this process, with a home of its own. */
export interface LabMember {
  hostname: string;
  appliance: Appliance;
  /** runs a command line on it */
  run: CommandRunner;
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
  const store = setdStoreOf(appliance);
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
export async function startLab(appliance: Appliance, scenario: Scenario, file: string, run: CommandRunner, members: LabMember[] = []): Promise<{ state: LabState; task: string }> {
  const live = appliance.live;
  if (!live) throw new UserError('A lab needs a running appliance: open the shell ("segsim") or run "segsim start".', ErrorCodes.noAppliance);
  const store = setdStoreOf(appliance);
  const accounts = new Map<string, SetdAccount>();
  for (const a of scenario.accounts) {
    const name = `${scenario.name}-${a.id}-${Date.now().toString(36)}`;
    const account = store.createAccount({ name, region: a.region, header: a.header });
    accounts.set(a.id, account);
    // a cluster's members journal to the first machine's SETD (lab-appliances.ts): the accounts are made there once
    for (const m of members) if (setdStoreOf(m.appliance) !== store) setdStoreOf(m.appliance).adoptAccount(account);
  }
  for (const clock of [appliance, ...members.map((m) => m.appliance)].map((a) => a.clock)) {
    if (clock instanceof LabClock) clock.setFactor(scenario.timeScale);
    else if (scenario.timeScale !== 1 && (clock.factor ?? 1) !== scenario.timeScale) {
      throw new UserError(`This lab compresses time ${scenario.timeScale}x, and this appliance's clock cannot change speed.`, ErrorCodes.unavailable);
    }
  }
  for (const line of scenario.setup) await run(expand(line, accounts));
  // each machine's own setup, on that machine (the first is the one the lab runs on)
  const runners = [run, ...members.map((m) => m.run)];
  for (const [i, machine] of (scenario.cluster?.machines ?? []).entries()) {
    for (const line of machine.setup) await runners[i]!(expand(line, accounts));
  }
  const state: LabState = {
    scenario: scenario.name,
    file,
    accounts: Object.fromEntries([...accounts].map(([id, a]) => [id, a.id])),
    trafficSent: false,
  };
  saveLabState(appliance, state);
  return { state, task: expand(scenario.task, accounts) };
}

/** Sends the scenario's traffic to the appliance, and to every further machine of a cluster lab. */
export async function sendLabTraffic(appliance: Appliance, scenario: Scenario, state: LabState, onProgress?: (done: number, total: number) => void, members: LabMember[] = []): Promise<InjectSummary> {
  const send = async (a: Appliance): Promise<{ range: MidRange; summary: InjectSummary }> => {
    const live = a.live!;
    const afterMid = live.status().ids.mid;
    const summary = await injectTraffic(live.listenerAddress(), scenario.traffic, onProgress);
    return { range: { afterMid, throughMid: live.status().ids.mid }, summary };
  };
  const first = await send(appliance);
  state.traffic = first.range;
  const summaries = [first.summary];
  for (const m of members) {
    const sent = await send(m.appliance);
    (state.members ??= {})[m.hostname] = sent.range;
    summaries.push(sent.summary);
  }
  state.trafficSent = true;
  state.sentAt = appliance.clock.now();
  state.sentWith = configFingerprint(appliance);
  saveLabState(appliance, state);
  return summaries.reduce((sum, s) => sumSummaries(sum, s));
}

/** The committed configuration, in short: a commit since the traffic was sent changes it. */
function configFingerprint(appliance: Appliance): string {
  return createHash('sha256').update(JSON.stringify(appliance.configuration.current)).digest('hex').slice(0, 16);
}

/**
 * Whether a configuration was committed since the lab traffic was last sent (the trainee's fix):
 * that traffic shows what the configuration before did, so `lab check` sends it again.
 */
export function trafficBeforeFix(appliance: Appliance, state: LabState): boolean {
  return state.trafficSent && state.sentWith !== undefined && state.sentWith !== configFingerprint(appliance);
}

/** Two sends as one (a cluster lab sends to each machine in turn). */
function sumSummaries(a: InjectSummary, b: InjectSummary): InjectSummary {
  const reasons = { ...a.reasons };
  for (const [reply, n] of Object.entries(b.reasons)) reasons[reply] = (reasons[reply] ?? 0) + n;
  return { attempted: a.attempted + b.attempted, accepted: a.accepted + b.accepted, refused: a.refused + b.refused, reasons, seconds: a.seconds + b.seconds };
}

/**
 * What the lab's own traffic did on one appliance, from message tracking (so mail sent by hand
 * beside it does not count, and the counts survive a restart of the appliance), plus the live
 * connection gauges and what its SETD emulator received.
 */
function observe(
  appliance: Appliance,
  range: MidRange | undefined,
  accounts: LabState['accounts'],
  peak: Map<string, number>,
): Observation & { journals: Map<string, { id: string; verdict: string }[]> } {
  const live = appliance.live!;
  const { afterMid, throughMid } = range ?? { afterMid: 0, throughMid: 0 };
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
  const journals = new Map(
    Object.entries(accounts).map(([id, real]) => [
      id,
      setdStoreOf(appliance)
        .messages(real)
        .filter((m) => lab.has(Number(m.gatewayMid)))
        .map((m) => ({ id: m.id, verdict: m.verdict as string })),
    ]),
  );
  const setd = new Map([...journals].map(([id, list]) => [id, list.map((j) => j.verdict)]));
  return { hosts, logTexts: mine.flatMap(mailLogLines), trackingLines: mine.flatMap((e) => trackingLine(e) ?? []), setd, journals };
}

/** An appliance the check watches: the lab's own, or a further machine of a cluster lab. */
interface Watched {
  appliance: Appliance;
  /** the cluster lab's hostname of it; null in a lab of one appliance */
  hostname: string | null;
  /** the most connections tophosts showed per host while the lab ran */
  peak: Map<string, number>;
}

/**
 * Waits (at most `within` scenario seconds) until the appliances are idle after the traffic, or
 * every expectation holds; meanwhile samples connections as tophosts would show them.
 */
export async function checkLab(appliance: Appliance, scenario: Scenario, state: LabState, signal?: AbortSignal, members: LabMember[] = []): Promise<CheckResult[]> {
  const watched: Watched[] = [
    { appliance, hostname: scenario.cluster?.machines[0]?.hostname ?? null, peak: new Map() },
    ...members.map((m) => ({ appliance: m.appliance, hostname: m.hostname, peak: new Map<string, number>() })),
  ];
  const sample = () => {
    for (const w of watched) for (const h of w.appliance.live!.hosts()) w.peak.set(h.host, Math.max(w.peak.get(h.host) ?? 0, h.connectionsOut));
  };
  // sampled all along, the traffic included, as an operator watching tophosts would see it
  const sampler = setInterval(sample, 50);
  try {
    if (!state.trafficSent) await sendLabTraffic(appliance, scenario, state, undefined, members);
    await settle(watched, scenario, sample, signal);
    return judgeLab(scenario, state, watched);
  } finally {
    clearInterval(sampler);
  }
}

/** Every expectation against what each appliance saw; a cluster lab's results name their machine, its SETD counts add up. */
function judgeLab(scenario: Scenario, state: LabState, watched: Watched[]): CheckResult[] {
  const seen = watched.map((w, i) => observe(w.appliance, i === 0 ? state.traffic : state.members?.[w.hostname!], state.accounts, w.peak));
  if (!scenario.cluster) return evaluate(scenario.expect, seen[0]!);
  const machines = scenario.cluster.machines;
  // the machines journal to one SETD: each journal counted once, whichever machine's traffic it matched
  const setd = new Map(
    Object.keys(state.accounts).map((id) => {
      const unique = new Map(seen.flatMap((o) => o.journals.get(id) ?? []).map((j) => [j.id, j.verdict]));
      return [id, [...unique.values()]];
    }),
  );
  const nothing = { hosts: {}, logs: [], tracking: [], setd: {} };
  return [
    ...evaluate({ ...scenario.expect, setd: {} }, seen[0]!, machines[0]!.hostname),
    ...seen.flatMap((o, i) => evaluate(machines[i]!.expect, o, machines[i]!.hostname)),
    ...evaluate({ ...nothing, setd: scenario.expect.setd }, { hosts: new Map(), logTexts: [], trackingLines: [], setd }),
  ];
}

async function settle(watched: Watched[], scenario: Scenario, sample: () => void, signal?: AbortSignal): Promise<void> {
  const factor = watched[0]!.appliance.clock.factor ?? 1;
  const deadline = Date.now() + (scenario.expect.within * 1000) / factor;
  let idleSince: number | null = null;
  for (;;) {
    sample();
    const idle = watched.every(({ appliance }) => {
      const live = appliance.live!;
      return live.workQueue().messages === 0 && live.hosts().every((h) => h.activeRecipients === 0 && h.connectionsOut === 0);
    });
    idleSince = idle ? (idleSince ?? Date.now()) : null;
    // settled: idle for a moment (late log lines and SETD writes land); the logs are read only then
    if ((idleSince !== null && Date.now() - idleSince > 700) || Date.now() > deadline || signal?.aborted) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}
