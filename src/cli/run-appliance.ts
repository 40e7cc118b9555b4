import type { CommandSpec } from '../commands/types.js';
import type { Appliance } from '../engine/appliance.js';
import { LabClock } from '../engine/clock.js';
import { WEB_PORT } from '../engine/config/model.js';
import { ErrorCodes, UserError } from '../errors.js';
import { HomeLock } from '../engine/lock.js';
import { lastLineTime } from '../engine/log-files.js';
import { MailEngine, type MailEngineOptions } from '../engine/mail/mail-engine.js';
import { SetdEmulator } from '../setd/intake-server.js';
import type { WebInterface } from '../web/server.js';
import { ASYNCOS_VERSION, SEGSIM_VERSION } from '../version.js';
import { serveControlSocket, type ControlServer } from './control-socket.js';
import { tuneGarbageCollection } from './gc-tuning.js';
import { setdStoreOf } from '../setd/appliance-store.js';
import { intakeDomains } from '../setd/regions.js';
import { sharedSetdOf, type SharedSetd } from '../engine/cluster/shared-setd.js';

/** A running appliance: its engine, and a stop that undoes everything start did. */
export interface RunningAppliance {
  engine: MailEngine;
  /** its embedded SETD emulator; null on a member of a lab cluster (it journals to the cluster's one) */
  setd: SetdEmulator | null;
  /** the web interface and SETD portal; null when it could not start (the rest runs without it) */
  web: WebInterface | null;
  /** what runs where, for the banner of a shell */
  describe(): string;
  stop(): Promise<void>;
}

export interface StartOptions extends Pick<MailEngineOptions, 'hotRecords'> {
  /** how `segsim stop` (over the control socket) stops this appliance; without it, stop is refused */
  stopRequested?: () => void;
}

/**
 * Starts the appliance in this process: takes the home directory's lock, starts the SETD
 * emulator, the mail engine (listener, queues, lab mail server) and the web interface, and serves
 * the control socket last: once this resolves, every part listens. `hotRecords` is for tests (a
 * small one puts long queues on disk sooner).
 */
export async function startAppliance(appliance: Appliance, registry: readonly CommandSpec[], { stopRequested, ...engineOptions }: StartOptions = {}): Promise<RunningAppliance> {
  // a member of a lab cluster journals to the cluster's one SETD emulator (run by "lab cluster start");
  // a bad shared-setd.json is said before anything is taken
  const shared = sharedSetdOf(appliance.paths);
  const lock = new HomeLock(appliance.paths.lock);
  lock.acquire();
  // what a one-shot run committed between this process reading config.json and taking the lock
  appliance.configuration.refresh();
  tuneGarbageCollection();
  // mail_logs never goes backwards: a clock behind the last line (a restart after a compressed lab) catches up
  const lastLogged = lastLineTime(appliance.paths.logs);
  if (lastLogged !== null && appliance.clock instanceof LabClock) appliance.clock.advanceTo(lastLogged);
  let setd = shared ? null : new SetdEmulator(setdStoreOf(appliance), appliance.paths.tls);
  // the lab's records: every regional intake domain points at the SETD emulator
  let labHosts = new Map<string, { host: string; port: number }>();
  const pointAt = (port: number) => (labHosts = new Map(intakeDomains().map((d) => [d, { host: '127.0.0.1', port }])));
  const engine = new MailEngine(appliance, { ...engineOptions, labHosts: () => labHosts });
  let web: WebStart = { web: null, problem: null, firstPassword: null };
  const describe = () => {
    const text = describeAppliance(appliance, engine, setd, shared, web);
    web.firstPassword = null; // shown once, in the first banner
    return text;
  };
  let control: ControlServer | null = null;
  let unwatchWeb = () => undefined as void;
  let unwatchSetd = () => undefined as void;
  let moving = Promise.resolve();
  try {
    if (setd) pointAt((await setd.start({ port: appliance.configuration.current.lab.setdPort })).port);
    else pointAt(shared!.port);
    await engine.start();
    appliance.live = engine;
    web = await startWeb(appliance);
    appliance.web = web.web;
    unwatchWeb = watchWebPort(appliance, () => {
      // one move at a time; stop() waits for it
      moving = moving
        .then(async () => {
          await web.web?.stop();
          web = await startWeb(appliance);
          appliance.web = web.web;
        })
        .catch(() => undefined);
    });
    if (setd) {
      unwatchSetd = watchSetdPort(appliance, () => {
        moving = moving
          .then(async () => {
            const old = setd!;
            await old.stop();
            setd = new SetdEmulator(setdStoreOf(appliance), appliance.paths.tls);
            pointAt((await setd.start({ port: appliance.configuration.current.lab.setdPort })).port);
          })
          .catch(() => undefined);
      });
    }
    await appliance.cluster.start();
    control = await serveControlSocket(appliance, registry, () => `${describe()}\nAttached to the running appliance (pid ${process.pid}).`, stopRequested);
  } catch (caught) {
    const error = listenProblem(appliance, caught);
    unwatchWeb();
    unwatchSetd();
    await appliance.cluster.stop().catch(() => undefined);
    await web.web?.stop().catch(() => undefined);
    await engine.stop().catch(() => undefined);
    await setd?.stop().catch(() => undefined);
    lock.release();
    throw error;
  }
  return {
    engine,
    get setd() {
      return setd;
    },
    get web() {
      return web.web;
    },
    describe,
    async stop() {
      appliance.live = null;
      appliance.web = null;
      unwatchWeb();
      unwatchSetd();
      await moving;
      await control?.close();
      await appliance.cluster.stop();
      await web.web?.stop();
      await engine.stop();
      await setd?.stop();
      lock.release();
    },
  };
}

/**
 * A port that cannot be bound at start is the operator's to fix, not a fault: it is said by the
 * part that wanted it (from the port) and the address.
 */
function listenProblem(appliance: Appliance, error: unknown): unknown {
  const e = error as NodeJS.ErrnoException & { address?: string; port?: number };
  if (e?.syscall !== 'listen' || !e.code) return error;
  const config = appliance.configuration.current;
  const part =
    e.port === config.listener.port
      ? `Listener ${config.listener.name}`
      : e.port === config.lab.mailServerPort
        ? 'The lab mail server'
        : e.port === config.lab.setdPort
          ? 'The SETD emulator'
          : 'The appliance';
  return new UserError(`${part} cannot listen on ${e.address}:${e.port} (${e.code}).`, ErrorCodes.unavailable);
}

interface WebStart {
  web: WebInterface | null;
  /** why it did not start */
  problem: string | null;
  /** the admin password made at first start, until the banner has shown it */
  firstPassword: string | null;
}

/**
 * Starts the web interface (loaded only here: one-shot commands never load the web stack). It is
 * one part among others: a port in use or a bad password file is said in the banner, and the
 * appliance runs without it.
 */
async function startWeb(appliance: Appliance): Promise<WebStart> {
  const notes: string[] = [];
  try {
    const { ensureAdminPassword } = await import('../engine/admin-account.js');
    let firstPassword: string | null;
    try {
      firstPassword = await ensureAdminPassword(appliance.paths);
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      notes.push(error.message);
      firstPassword = await ensureAdminPassword(appliance.paths); // the bad file is set aside: a new password
    }
    const { startWebInterface } = await import('../web/server.js');
    const port = appliance.configuration.current.lab.webPort ?? WEB_PORT;
    const web = await startWebInterface(appliance, { port });
    return { web, problem: notes.join(' ') || null, firstPassword };
  } catch (error) {
    notes.push(error instanceof Error ? error.message : String(error));
    return { web: null, problem: notes.join(' '), firstPassword: null };
  }
}

/**
 * A committed web port takes effect: a port that cannot be bound is refused at commit, and after
 * the commit the web interface moves there (its logins end; browsers log in again).
 */
function watchWebPort(appliance: Appliance, restart: () => void): () => void {
  const portOf = (c: { lab: { webPort?: number } }) => c.lab.webPort ?? WEB_PORT;
  const unguard = appliance.configuration.guard(async (next, previous) => {
    const port = portOf(next);
    if (port === portOf(previous) || port === 0) return;
    const { bindProblem } = await import('../engine/bind-probe.js');
    const problem = await bindProblem('127.0.0.1', port);
    if (problem) throw new UserError(`The web interface cannot listen on 127.0.0.1:${port} (${problem}).`, ErrorCodes.unavailable);
  });
  const unlisten = appliance.configuration.onCommit((_, record) => {
    if (record.changes.some((c) => c.path === 'lab.webPort')) restart();
  });
  return () => {
    unguard();
    unlisten();
  };
}

/**
 * A committed SETD emulator port takes effect: a port that cannot be bound is refused at commit,
 * and after the commit the embedded SETD emulator moves there (the journals follow it).
 */
function watchSetdPort(appliance: Appliance, restart: () => void): () => void {
  const unguard = appliance.configuration.guard(async (next, previous) => {
    const port = next.lab.setdPort;
    if (port === previous.lab.setdPort || port === 0) return;
    const { bindProblem } = await import('../engine/bind-probe.js');
    const problem = await bindProblem('127.0.0.1', port);
    if (problem) throw new UserError(`The SETD emulator cannot listen on 127.0.0.1:${port} (${problem}).`, ErrorCodes.unavailable);
  });
  const unlisten = appliance.configuration.onCommit((_, record) => {
    if (record.changes.some((c) => c.path === 'lab.setdPort')) restart();
  });
  return () => {
    unguard();
    unlisten();
  };
}

/** The banner's web interface line(s). */
export function describeWeb(web: Pick<WebStart, 'web' | 'problem' | 'firstPassword'>, port: number): string[] {
  if (!web.web) return [`  web interface: not running (https://127.0.0.1:${port}/): ${web.problem ?? 'not started'}`];
  return [
    `  web interface ${web.web.url} (SETD portal ${web.web.url}setd/), user admin${web.firstPassword ? `, password ${web.firstPassword} (shown once; "passwd" sets another)` : ''}`,
    ...(web.problem ? [`  note: ${web.problem}`] : []),
  ];
}

function describeAppliance(appliance: Appliance, engine: MailEngine, setd: SetdEmulator | null, shared: SharedSetd | null, web: WebStart): string {
  const listener = engine.listenerAddress();
  const lab = engine.labMailServerAddress();
  const intake = setd?.address();
  const config = appliance.configuration.current;
  return [
    `segsim ${SEGSIM_VERSION}: Cisco Secure Email Gateway emulator (AsyncOS ${ASYNCOS_VERSION})`,
    `Appliance ${config.hostname}, home ${appliance.paths.root}`,
    `  listener ${config.listener.name} on ${listener.host}:${listener.port}, lab mail server exchange.lab on ${lab.host}:${lab.port}`,
    intake
      ? `  SETD emulator (intake for ${intakeDomains().length} regional domains) on ${intake.address}:${intake.port}`
      : `  SETD emulator: the lab cluster's, on 127.0.0.1:${shared?.port} (${shared?.lab})`,
    ...describeWeb(web, config.lab.webPort ?? WEB_PORT),
    ...appliance.cluster.describe(),
  ].join('\n');
}
