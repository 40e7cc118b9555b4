import type { CommandSpec } from '../commands/types.js';
import type { Appliance } from '../engine/appliance.js';
import { LabClock } from '../engine/clock.js';
import { API_PORT, SSH_PORT, WEB_PORT } from '../engine/config/model.js';
import { ErrorCodes, UserError } from '../errors.js';
import { HomeLock } from '../engine/lock.js';
import { MailEngine, type MailEngineOptions } from '../engine/mail/mail-engine.js';
import { runSyslogPush, type RunningSyslogPush } from '../engine/logs/run-syslog-push.js';
import { SetdEmulator } from '../setd/intake-server.js';
import type { WebInterface } from '../web/server.js';
import type { ApiServer } from '../api/server.js';
import type { SshServer } from '../ssh/server.js';
import { ASYNCOS_VERSION, SEGSIM_VERSION } from '../version.js';
import { serveControlSocket, type ControlServer } from './control-socket.js';
import { openDoor, type Door, type DoorSpec } from './front-door.js';
import { tuneGarbageCollection } from './gc-tuning.js';
import { setdStoreOf } from '../setd/appliance-store.js';
import { intakeDomains } from '../setd/regions.js';
import { sharedSetdOf, type SharedSetd } from '../engine/cluster/shared-setd.js';
import { LAB_PORT_PARTS, labPortOf, type LabPort } from '../engine/operations/lab-ports.js';

/** A running appliance: its engine, and a stop that undoes everything start did. */
export interface RunningAppliance {
  engine: MailEngine;
  /** its embedded SETD emulator; null on a member of a lab cluster (it journals to the cluster's one) */
  setd: SetdEmulator | null;
  /** the web interface and SETD portal; null when it could not start (the rest runs without it) */
  web: WebInterface | null;
  /** the AsyncOS API; null when it could not start (the rest runs without it) */
  api: ApiServer | null;
  /** the SSH server; null when it could not start */
  ssh: SshServer | null;
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
  // the logs never go backwards: a clock behind the last line (a restart after a compressed lab) catches up
  const lastLogged = appliance.logs.lastLineTime();
  if (lastLogged !== null && appliance.clock instanceof LabClock) appliance.clock.advanceTo(lastLogged);
  let setd: Door<SetdEmulator> | null = null;
  // the lab's records: every regional intake domain points at the SETD emulator
  let labHosts = new Map<string, { host: string; port: number }>();
  const pointAt = (port: number) => (labHosts = new Map(intakeDomains().map((d) => [d, { host: '127.0.0.1', port }])));
  const engine = new MailEngine(appliance, { ...engineOptions, labHosts: () => labHosts });
  const webNotes: WebNotes = { firstPassword: null, note: null };
  let web: Door<WebInterface> | null = null;
  let api: Door<ApiServer> | null = null;
  const sshNotes: SshNotes = { note: null };
  let ssh: Door<SshServer> | null = null;
  const describe = () => {
    const text = describeAppliance(appliance, engine, setd?.handle ?? null, shared, web, webNotes, api, ssh, sshNotes);
    webNotes.firstPassword = null; // shown once, in the first banner
    return text;
  };
  let control: ControlServer | null = null;
  let syslogPush: RunningSyslogPush | null = null;
  try {
    // first: the lines of the start are pushed too, by the subscriptions retrieved by syslog push
    syslogPush = runSyslogPush(appliance.logs, appliance.configuration);
    if (shared) pointAt(shared.port);
    else {
      // the SETD emulator is no part to run without: a port it cannot take stops the start
      setd = await openDoor(appliance, setdDoor(appliance, pointAt));
      if (!setd.handle) throw new UserError(setd.problem ?? 'The SETD emulator did not start.', ErrorCodes.unavailable);
    }
    await engine.start();
    appliance.live = engine;
    web = await openDoor(appliance, webDoor(appliance, webNotes));
    appliance.web = web.handle;
    api = await openDoor(appliance, apiDoor(appliance));
    ssh = await openDoor(appliance, sshDoor(appliance, registry, sshNotes));
    await appliance.cluster.start();
    control = await serveControlSocket(appliance, registry, () => `${describe()}\nAttached to the running appliance (pid ${process.pid}).`, stopRequested);
  } catch (caught) {
    const error = listenProblem(appliance, caught);
    await appliance.cluster.stop().catch(() => undefined);
    await api?.close().catch(() => undefined);
    await ssh?.close().catch(() => undefined);
    await web?.close().catch(() => undefined);
    await engine.stop().catch(() => undefined);
    await setd?.close().catch(() => undefined);
    await syslogPush?.stop();
    lock.release();
    throw error;
  }
  return {
    engine,
    get setd() {
      return setd?.handle ?? null;
    },
    get web() {
      return web?.handle ?? null;
    },
    get api() {
      return api?.handle ?? null;
    },
    get ssh() {
      return ssh?.handle ?? null;
    },
    describe,
    async stop() {
      appliance.live = null;
      appliance.web = null;
      await control?.close();
      await appliance.cluster.stop();
      await api?.close();
      await ssh?.close();
      await web?.close();
      await engine.stop();
      await setd?.close();
      // after the engine: its last lines are pushed too (within a second)
      await syslogPush?.stop();
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
  // the parts' names are the port operation's (a door words its own port: the engine's are said here)
  const lab = (Object.keys(LAB_PORT_PARTS) as LabPort[]).find((p) => labPortOf(config, p) === e.port);
  const part = e.port === config.listener.port ? `Listener ${config.listener.name}` : lab ? LAB_PORT_PARTS[lab] : 'The appliance';
  return new UserError(`${part} cannot listen on ${e.address}:${e.port} (${e.code}).`, ErrorCodes.unavailable);
}

interface WebNotes {
  /** the admin password made at first start, until the banner has shown it */
  firstPassword: string | null;
  /** a bad password file set aside at start */
  note: string | null;
}

/**
 * The web interface (loaded only here: one-shot commands never load the web stack), opened with
 * the admin password it needs: a bad password file is set aside (said in the banner) and a new
 * password made.
 */
function webDoor(appliance: Appliance, notes: WebNotes): DoorSpec<WebInterface> {
  return {
    part: 'The web interface',
    setting: 'lab.webPort',
    port: (config) => config.lab.webPort ?? WEB_PORT,
    async open(port) {
      appliance.web = null;
      const { ensureAdminPassword } = await import('../engine/admin-account.js');
      try {
        notes.firstPassword = await ensureAdminPassword(appliance.paths);
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        notes.note = error.message;
        notes.firstPassword = await ensureAdminPassword(appliance.paths); // the bad file is set aside: a new password
      }
      const { startWebInterface } = await import('../web/server.js');
      const web = await startWebInterface(appliance, { port });
      appliance.web = web;
      return web;
    },
  };
}

/** The AsyncOS API (loaded only here, as the web interface), with the route plugins it serves. */
function apiDoor(appliance: Appliance): DoorSpec<ApiServer> {
  return {
    part: 'The AsyncOS API',
    setting: 'lab.apiPort',
    port: (config) => config.lab.apiPort ?? API_PORT,
    async open(port) {
      const { startApi } = await import('../api/server.js');
      return startApi(appliance, { port });
    },
  };
}

interface SshNotes {
  /** a bad host key file set aside at start */
  note: string | null;
}

/**
 * The SSH server (loaded only here), with the home's host key (made at first start; a bad one set
 * aside, said in the banner) and the command loop of this process's shells for its channels.
 */
function sshDoor(appliance: Appliance, registry: readonly CommandSpec[], notes: SshNotes): DoorSpec<SshServer> {
  return {
    part: 'The SSH server',
    setting: 'lab.sshPort',
    port: (config) => config.lab.sshPort ?? SSH_PORT,
    async open(port) {
      const [{ ensureHostKey }, { startSshServer }, { Shell }] = await Promise.all([import('../ssh/host-key.js'), import('../ssh/server.js'), import('./execute.js')]);
      const hostKey = await ensureHostKey(appliance.paths.root);
      notes.note = hostKey.note;
      return startSshServer(appliance, { port, hostKey: hostKey.key, openShell: (request) => new Shell({ ...request, appliance, registry }) });
    },
  };
}

/** The banner's AsyncOS API line. */
function describeApi(api: Pick<Door<ApiServer>, 'handle' | 'problem' | 'port'> | null): string[] {
  if (!api?.handle) return [`  AsyncOS API: not running (https://127.0.0.1:${api?.port ?? API_PORT}/esa/api/v2.0/): ${api?.problem ?? 'not started'}`];
  return [`  AsyncOS API ${api.handle.url} (user admin)`];
}

/** The banner's SSH line. */
function describeSsh(ssh: Door<SshServer> | null, notes: SshNotes): string[] {
  if (!ssh?.handle) return [`  SSH: not running (127.0.0.1:${ssh?.port ?? SSH_PORT}): ${ssh?.problem ?? 'not started'}`];
  const port = ssh.handle.port;
  return [`  SSH on 127.0.0.1:${port} (ssh -p ${port} admin@127.0.0.1)`, ...(notes.note ? [`  note: ${notes.note}`] : [])];
}

/**
 * The embedded SETD emulator (a standalone appliance's): the lab's records point every regional
 * intake domain at the port it takes, and follow it when a committed port moves it.
 */
function setdDoor(appliance: Appliance, pointAt: (port: number) => void): DoorSpec<SetdEmulator> {
  return {
    part: 'The SETD emulator',
    setting: 'lab.setdPort',
    port: (config) => config.lab.setdPort,
    async open(port) {
      const setd = new SetdEmulator(setdStoreOf(appliance), appliance.paths.tls);
      pointAt((await setd.start({ port })).port);
      return setd;
    },
  };
}

/** The banner's web interface line(s). */
function describeWeb(web: Pick<Door<WebInterface>, 'handle' | 'problem' | 'port'> | null, notes: WebNotes): string[] {
  const problem = [notes.note, web?.problem].filter(Boolean).join(' ') || null;
  if (!web?.handle) return [`  web interface: not running (https://127.0.0.1:${web?.port ?? WEB_PORT}/): ${problem ?? 'not started'}`];
  const url = web.handle.url;
  return [
    `  web interface ${url} (SETD portal ${url}setd/), user admin${notes.firstPassword ? `, password ${notes.firstPassword} (shown once; "passwd" sets another)` : ''}`,
    ...(problem ? [`  note: ${problem}`] : []),
  ];
}

function describeAppliance(
  appliance: Appliance,
  engine: MailEngine,
  setd: SetdEmulator | null,
  shared: SharedSetd | null,
  web: Door<WebInterface> | null,
  webNotes: WebNotes,
  api: Door<ApiServer> | null,
  ssh: Door<SshServer> | null,
  sshNotes: SshNotes,
): string {
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
    ...describeWeb(web, webNotes),
    ...describeApi(api),
    ...describeSsh(ssh, sshNotes),
    ...appliance.cluster.describe(),
  ].join('\n');
}
