import { ErrorCodes, UserError } from '../errors.js';
import { ASYNCOS_VERSION } from '../version.js';
import { applianceIdentity } from './appliance-identity.js';
import { LabClock, type Clock } from './clock.js';
import { ClusterNode } from './cluster/cluster-node.js';
import { levelSourceOf } from './cluster/level-source.js';
import { CommittedConfig } from './config/committed.js';
import { ConfigStore } from './config/store.js';
import { ensureDir, homePaths, type HomePaths } from './home.js';
import type { LiveAppliance } from './live.js';
import { ApplianceLogs } from './logs/appliance-logs.js';
import { commitLine } from './logs/system-lines.js';
import { LAB_PORT_PARTS, labPortOf, type LabPort } from './operations/lab-ports.js';
import { SessionRegistry } from './sessions.js';

/** The sessions that are a CLI login (a shell, a script on stdin, SSH): on a cluster they start in Machine mode. */
const CLI_LOGINS: readonly string[] = ['shell', 'script', 'ssh'];

export interface ApplianceOptions {
  home: string;
  clock?: Clock;
}

/**
 * One appliance: its home directory, its committed configuration and the sessions attached to
 * it. The live parts (listener, queues, SETD emulator, control socket) attach to it when it runs;
 * without them, configuration commands edit the stored configuration directly. The SETD store is
 * not a part of it (src/setd's setdStoreOf keeps one per appliance).
 */
export class Appliance {
  readonly paths: HomePaths;
  readonly clock: Clock;
  readonly configuration: CommittedConfig;
  readonly sessions: SessionRegistry;
  /** its cluster membership and levels (standalone when it has no cluster file) */
  readonly cluster: ClusterNode;
  /** the running engine, when this process runs the appliance */
  live: LiveAppliance | null = null;
  /** where the web interface listens, while this process runs it */
  web: { url: string } | null = null;
  #logs: ApplianceLogs | null = null;

  constructor(options: ApplianceOptions) {
    this.paths = homePaths(options.home);
    ensureDir(this.paths.root);
    this.clock = options.clock ?? new LabClock();
    this.configuration = new CommittedConfig(new ConfigStore(this.paths), () => this.clock.now());
    this.sessions = new SessionRegistry(this.configuration, () => this.clock.now(), {
      source: (session) => levelSourceOf(this.cluster, this.configuration, session),
      // a CLI login starts in Machine mode of the machine logged in to, as on AsyncOS; a one-shot
      // run edits Cluster level unless --mode says otherwise, and a web login starts at Cluster
      initialMode: (kind) => {
        const doc = this.cluster.doc;
        if (!doc) return null;
        return CLI_LOGINS.includes(kind) ? { level: 'machine', name: doc.self } : { level: 'cluster' };
      },
    });
    // a running engine moves its listener and lab servers before the commit (MailEngine,
    // run-appliance); stopped, the new address and ports are tried
    this.configuration.guard(async (next, previous) => {
      if (this.live) return;
      const l = next.listener;
      const { bindProblem } = await import('./bind-probe.js');
      if (l.bindAddress !== previous.listener.bindAddress || l.port !== previous.listener.port) {
        const problem = await bindProblem(l.bindAddress, l.port);
        if (problem) throw new UserError(`Listener ${l.name} cannot listen on ${l.bindAddress}:${l.port} (${problem}).`, ErrorCodes.unavailable);
      }
      for (const part of Object.keys(LAB_PORT_PARTS) as LabPort[]) {
        const port = labPortOf(next, part);
        if (port === 0 || port === labPortOf(previous, part)) continue;
        const problem = await bindProblem('127.0.0.1', port);
        if (problem) throw new UserError(`${LAB_PORT_PARTS[part]} cannot listen on 127.0.0.1:${port} (${problem}).`, ErrorCodes.unavailable);
      }
    });
    this.cluster = new ClusterNode(this.paths, this.clock, this.configuration);
    // every commit, from any front end, in system_logs with the session's user (written by this process)
    this.sessions.onCommit((session, record) => this.logs.channel('system_logs').info(commitLine(process.pid, session.user, record.comment)));
  }

  /**
   * The appliance's log subscriptions (logs/<name>/), made at first use: a home in the layout
   * before subscriptions is moved to theirs then. They follow the committed configuration.
   */
  get logs(): ApplianceLogs {
    if (!this.#logs) {
      const logs = new ApplianceLogs({
        logsDir: this.paths.logs,
        now: () => this.clock.now(),
        config: () => this.configuration.current,
        header: () => [`Version: ${ASYNCOS_VERSION} SN: ${applianceIdentity(this.paths, this.clock.now()).serial}`],
      });
      this.configuration.onCommit((config) => logs.apply(config));
      this.#logs = logs;
    }
    return this.#logs;
  }
}
