import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { ErrorCodes, UserError } from '../../errors.js';
import type { Clock } from '../clock.js';
import type { CommitRecord, CommittedConfig } from '../config/committed.js';
import type { ApplianceConfig } from '../config/model.js';
import type { HomePaths } from '../home.js';
import { ClusterStore, docProblems, effectiveConfig, memberOf, mergeDocs, replicated, type ClusterDoc, type ClusterMember, type ReplicatedDoc } from './cluster-state.js';
import { CCS_PORT, clusterNameProblem, DEFAULT_GROUP, LEVELED_KEYS, leveledPart } from './levels.js';
import { askPeer, servePeers, type PeerReply, type PeerRequest, type PeerServer } from './peer-protocol.js';

/** How often a running member exchanges its copy with the others (and finds disconnected ones back). */
const HEARTBEAT_MS = 3_000;
/** Who commits what the cluster brings (a peer's change), in commit records. */
export const CLUSTER_COMMITTER = 'cluster';

/** A member as `clusterconfig list` and `clustercheck` show it. */
export interface MemberStatus extends ClusterMember {
  self: boolean;
  /** null: this machine; else whether the last exchange with it succeeded */
  connected: boolean | null;
  /** why it is disconnected */
  problem: string | null;
  /** when it last answered (ms), null if never since this machine started */
  lastSeen: number | null;
}

const isHexSecret = (s: string) => /^[0-9a-f]{64}$/.test(s);

/**
 * This appliance's place in a cluster: the cluster file (levels, membership, stamps) and, while
 * the appliance runs, the Cluster Communication Service that exchanges it with the other members.
 *
 * Every change of the levels goes through the committed configuration: the new document is
 * staged by the commit's build, written durably by a commit guard (so it is on disk before the
 * commit is acknowledged, and the file and config.json never disagree about a commit that was
 * acknowledged), and sent to the members after the commit. A commit made outside any cluster mode
 * (a session opened before the cluster existed, a lab reset) changes this machine's Machine level.
 */
export class ClusterNode {
  readonly store: ClusterStore;
  /** problems met (a bad cluster file, an unreachable member at join), for clustercheck and the banner */
  readonly problems: string[] = [];
  #doc: ClusterDoc | null | undefined = undefined;
  #staged: ClusterDoc | null | undefined = undefined;
  #server: PeerServer | null = null;
  #timer: NodeJS.Timeout | null = null;
  #pushed: Promise<void> = Promise.resolve();
  readonly #status = new Map<string, { connected: boolean; problem: string | null; lastSeen: number | null }>();

  constructor(
    paths: HomePaths,
    private readonly clock: Clock,
    private readonly configuration: CommittedConfig,
  ) {
    this.store = new ClusterStore(
      paths,
      () => clock.now(),
      (text) => this.problems.push(text),
    );
    configuration.guard(async (next, previous) => this.#persist(next, previous));
    configuration.onCommit((_, record) => {
      if (record.by !== CLUSTER_COMMITTER && this.#server) this.#pushed = this.#pushAll();
    });
  }

  /** The cluster document, or null when standalone. */
  get doc(): ClusterDoc | null {
    if (this.#doc === undefined) this.#doc = this.store.load();
    return this.#doc;
  }

  /** The port the cluster service listens on while running. */
  get port(): number | null {
    return this.#server?.port ?? null;
  }

  // ---- commits ----------------------------------------------------------------------------

  /**
   * Commits a change of the levels: `change` makes the new document (and the machine's own keys)
   * from the current ones. Resolves once it is stored and the connected members have it.
   */
  async commitLevels(change: (doc: ClusterDoc, current: Readonly<ApplianceConfig>) => { doc: ClusterDoc | null; base: ApplianceConfig }, comment: string, by: string): Promise<CommitRecord> {
    const record = await this.#commit(change, comment, by);
    await this.#pushed;
    return record;
  }

  #commit(change: (doc: ClusterDoc, current: Readonly<ApplianceConfig>) => { doc: ClusterDoc | null; base: ApplianceConfig }, comment: string, by: string): Promise<CommitRecord> {
    let prior: ClusterDoc | null | undefined;
    return this.configuration
      .commit(
        (current) => {
          const doc = this.doc;
          if (!doc) throw new UserError('This machine is not in a cluster.', ErrorCodes.conflict);
          prior = doc;
          const made = change(doc, current);
          this.#staged = made.doc;
          return made.doc ? effectiveConfig(made.doc, made.base) : made.base;
        },
        comment,
        by,
      )
      .catch((error: unknown) => {
        // a guard after ours refused: the file goes back to what was committed
        if (prior !== undefined && this.#doc !== prior) this.#write(prior);
        this.#staged = undefined;
        throw error;
      });
  }

  /** The commit guard: writes the staged document, or records a change made outside the levels at Machine level. */
  async #persist(next: Readonly<ApplianceConfig>, previous: Readonly<ApplianceConfig>): Promise<void> {
    let staged = this.#staged;
    this.#staged = undefined;
    if (staged === undefined) {
      const doc = this.doc;
      const changed = LEVELED_KEYS.filter((k) => !isDeepStrictEqual(next[k], previous[k]));
      if (!doc || changed.length === 0) return;
      staged = structuredClone(doc);
      const section = (staged.machines[doc.self] ??= { stamp: { version: 0, at: 0, by: doc.self }, settings: {} });
      for (const key of changed) (section.settings as Record<string, unknown>)[key] = structuredClone(next[key]);
      section.stamp = this.stamp(section.stamp.version, doc.self);
    }
    this.#write(staged);
  }

  #write(doc: ClusterDoc | null): void {
    if (doc) this.store.save(doc);
    else rmSync(this.store.file, { force: true });
    this.#doc = doc;
  }

  /** The stamp of a change made now by `by`, after `version`. */
  stamp(version: number, by: string): { version: number; at: number; by: string } {
    return { version: version + 1, at: this.clock.now(), by };
  }

  // ---- membership ---------------------------------------------------------------------------

  /** Creates a cluster of this one machine: its leveled settings become the Cluster level. Returns the join secret. */
  async create(name: string, port: number): Promise<string> {
    if (this.doc) throw new UserError(`This machine is already in cluster ${this.doc.name}.`, ErrorCodes.conflict);
    const secret = randomBytes(32).toString('hex');
    await this.#startServer(port);
    try {
      await this.configuration.commit(
        (current) => {
          const self = current.hostname;
          this.#staged = {
            name,
            secret,
            self,
            shared: {
              stamp: this.stamp(0, self),
              members: [{ name: self, group: DEFAULT_GROUP, host: '127.0.0.1', port: this.#server!.port }],
              groups: [DEFAULT_GROUP],
              cluster: leveledPart(current),
              groups_settings: {},
            },
            machines: {},
          };
          return structuredClone(current) as ApplianceConfig;
        },
        `clusterconfig: created cluster ${name}`,
        CLUSTER_COMMITTER,
      );
    } catch (error) {
      await this.#stopServer();
      throw error;
    }
    this.#startHeartbeat();
    return secret;
  }

  /**
   * Joins the cluster of the member at `address`: this machine's leveled settings are replaced by
   * the cluster's; its hostname, listener and lab ports stay its own.
   */
  async join(address: { host: string; port: number }, secret: string, port: number, group = DEFAULT_GROUP): Promise<ClusterDoc> {
    if (this.doc) throw new UserError(`This machine is already in cluster ${this.doc.name}.`, ErrorCodes.conflict);
    if (!isHexSecret(secret)) throw new UserError('Invalid join secret: it is the 64 hexadecimal digits "clusterconfig create" printed.', ErrorCodes.invalidValue);
    const self = this.configuration.current.hostname;
    await this.#startServer(port);
    try {
      let reply: PeerReply;
      try {
        reply = await askPeer(address, null, secret, self, { join: { name: self, port: this.#server!.port } });
      } catch (error) {
        throw new UserError(`Cannot join the cluster at ${address.host}:${address.port}: ${(error as Error).message}.`, ErrorCodes.io);
      }
      if (!('doc' in reply)) throw new UserError(`The machine at ${address.host}:${address.port} refused: ${'err' in reply ? reply.err : 'removed'}`, ErrorCodes.conflict);
      const problems = docProblems(reply.doc);
      if (problems.length > 0) throw new UserError(`The cluster sent a configuration that is not valid: ${problems.join('; ')}.`, ErrorCodes.io);
      const doc: ClusterDoc = { ...structuredClone(reply.doc), secret, self };
      if (group !== DEFAULT_GROUP && doc.shared.groups.includes(group)) memberOf(doc, self)!.group = group;
      await this.configuration.commit(
        (current) => {
          this.#staged = doc;
          return effectiveConfig(doc, current);
        },
        `clusterconfig: joined cluster ${doc.name}`,
        CLUSTER_COMMITTER,
      );
    } catch (error) {
      await this.#stopServer();
      throw error;
    }
    this.#startHeartbeat();
    await this.syncAll();
    return this.doc!;
  }

  /** Removes a member (this machine too); the removed machine keeps its configuration, standalone. */
  async removeMember(name: string, by: string): Promise<void> {
    const doc = this.doc;
    if (!doc) throw new UserError('This machine is not in a cluster.', ErrorCodes.conflict);
    const gone = memberOf(doc, name);
    if (!gone) throw new UserError(`There is no machine named "${name}" in cluster ${doc.name}.`, ErrorCodes.notFound);
    if (doc.shared.members.length === 1) throw new UserError(`${name} is the last machine of cluster ${doc.name}.`, ErrorCodes.conflict);
    const targets = doc.shared.members.filter((m) => m.name !== doc.self);
    await this.#commit(
      (d, current) => {
        const next = structuredClone(d);
        next.shared.members = next.shared.members.filter((m) => m.name !== name);
        next.shared.stamp = this.stamp(d.shared.stamp.version, d.self);
        delete next.machines[name];
        return { doc: name === d.self ? null : next, base: structuredClone(current) as ApplianceConfig };
      },
      `clusterconfig: removed ${name}`,
      by,
    );
    // the removed machine learns it from the new copy (or at its next exchange)
    if (name === doc.self) {
      await this.#stopServer();
      const leaving = { ...doc, shared: { ...doc.shared, members: doc.shared.members.filter((m) => m.name !== name), stamp: this.stamp(doc.shared.stamp.version, doc.self) } };
      delete leaving.machines[name];
      await Promise.all(targets.map((m) => askPeer(m, doc.name, doc.secret, doc.self, { sync: replicated(leaving), from: doc.self }).catch(() => undefined)));
    } else {
      await this.#pushed;
      // the removed machine is no longer among those the change goes to: it is told on its own
      await this.#exchange(gone);
      this.#status.delete(name);
    }
  }

  /**
   * Detaches a machine from the cluster (AsyncOS `clusterconfig disconnect`, for an upgrade, say):
   * no copy goes to it or comes from it until it is reconnected, and it is shown disconnected.
   * Takes effect at once on every connected member and on the machine itself (no commit).
   */
  async disconnect(machine: string, by: string): Promise<string> {
    const doc = this.#connectedDoc('disconnect');
    const member = this.#member(doc, machine);
    if (member.disconnected) throw new UserError(`Machine ${member.name} is already disconnected from cluster ${doc.name}.`, ErrorCodes.conflict);
    await this.#changeShared((shared) => void (shared.members.find((m) => m.name === member.name)!.disconnected = true), `clusterconfig: disconnected ${member.name}`, by);
    // the machine itself is told last, so that it stops exchanging too; a machine that disconnects
    // itself tells the others (it exchanges with no one afterwards)
    const after = this.doc!;
    if (member.name !== doc.self) await this.#exchange(memberOf(after, member.name)!, true);
    else await Promise.all(after.shared.members.filter((m) => m.name !== doc.self && !m.disconnected).map((m) => this.#exchange(m)));
    return member.name;
  }

  /**
   * Reconnects a machine (AsyncOS `clusterconfig reconnect`): it gets the cluster's copy at once,
   * with every change made while it was away (no commit).
   */
  async reconnect(machine: string, by: string): Promise<string> {
    const doc = this.#connectedDoc('reconnect');
    const member = this.#member(doc, machine);
    if (!member.disconnected) throw new UserError(`Machine ${member.name} is not disconnected from cluster ${doc.name}.`, ErrorCodes.conflict);
    await this.#changeShared((shared) => void delete shared.members.find((m) => m.name === member.name)!.disconnected, `clusterconfig: reconnected ${member.name}`, by);
    return member.name;
  }

  /** The document of a member that takes part in the cluster (not one disconnected itself). */
  #connectedDoc(operation: string): ClusterDoc {
    const doc = this.doc;
    if (!doc) throw new UserError('This machine is not in a cluster.', ErrorCodes.conflict);
    if (memberOf(doc, doc.self)?.disconnected) {
      throw new UserError(`This machine (${doc.self}) is disconnected from cluster ${doc.name}: ${operation} machines from one that is connected.`, ErrorCodes.conflict);
    }
    return doc;
  }

  #member(doc: ClusterDoc, machine: string): ClusterMember {
    const member = doc.shared.members.find((m) => m.name.toLowerCase() === machine.toLowerCase());
    if (!member) throw new UserError(`There is no machine named "${machine}" in cluster ${doc.name}.`, ErrorCodes.notFound);
    return member;
  }

  /** Adds a group (AsyncOS ADDGROUP): it holds no settings until a session edits it in Group mode. */
  async addGroup(name: string, by: string): Promise<void> {
    const problem = clusterNameProblem(name, 'group');
    if (problem) throw new UserError(`Invalid group name "${name}": ${problem}.`, ErrorCodes.invalidValue);
    await this.#changeShared(
      (shared, doc) => {
        const same = shared.groups.find((g) => g.toLowerCase() === name.toLowerCase());
        if (same) throw new UserError(`There is already a group named "${same}" in cluster ${doc.name}.`, ErrorCodes.conflict);
        shared.groups.push(name);
      },
      `clusterconfig: added group ${name}`,
      by,
    );
  }

  /**
   * Moves a machine into a group (AsyncOS SETGROUP). Its Group-level settings are then the new
   * group's: what it runs on changes at once, on this member and on the moved one.
   */
  async setGroup(machine: string, group: string, by: string): Promise<void> {
    await this.#changeShared(
      (shared, doc) => {
        const member = shared.members.find((m) => m.name.toLowerCase() === machine.toLowerCase());
        if (!member) throw new UserError(`There is no machine named "${machine}" in cluster ${doc.name}.`, ErrorCodes.notFound);
        const to = shared.groups.find((g) => g.toLowerCase() === group.toLowerCase());
        if (!to) throw new UserError(`There is no group named "${group}" in cluster ${doc.name}: add it first (ADDGROUP).`, ErrorCodes.notFound);
        if (member.group === to) throw new UserError(`Machine ${member.name} is already in group ${to}.`, ErrorCodes.conflict);
        member.group = to;
      },
      `clusterconfig: ${machine} moved to group ${group}`,
      by,
    );
  }

  /** A change of the shared section (membership, groups), stamped, committed and sent to the members. */
  async #changeShared(change: (shared: ClusterDoc['shared'], doc: ClusterDoc) => void, comment: string, by: string): Promise<void> {
    await this.commitLevels(
      (doc, current) => {
        const next = structuredClone(doc);
        change(next.shared, doc);
        next.shared.stamp = this.stamp(doc.shared.stamp.version, doc.self);
        return { doc: next, base: structuredClone(current) as ApplianceConfig };
      },
      comment,
      by,
    );
  }

  // ---- the service -----------------------------------------------------------------------------

  /** Starts the service when this machine is in a cluster, and catches up with the members. */
  async start(): Promise<void> {
    const doc = this.doc;
    if (!doc) return;
    // a crash between the file and config.json: the file is the truth for the levels
    if (!isDeepStrictEqual(effectiveConfig(doc, this.configuration.current), this.configuration.current)) {
      await this.#commit((d, current) => ({ doc: d, base: structuredClone(current) as ApplianceConfig }), 'cluster: levels applied at start', CLUSTER_COMMITTER);
    }
    const me = memberOf(doc, doc.self);
    try {
      await this.#startServer(me?.port ?? CCS_PORT);
    } catch (error) {
      this.problems.push(`The cluster service cannot listen on 127.0.0.1:${me?.port ?? CCS_PORT}: ${(error as Error).message}.`);
      return;
    }
    this.#startHeartbeat();
    await this.syncAll();
  }

  async stop(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    await this.#pushed.catch(() => undefined);
    await this.#stopServer();
  }

  async #startServer(port: number): Promise<void> {
    if (this.#server) return;
    this.#server = await servePeers(port, {
      identity: () => (this.doc ? { cluster: this.doc.name, secret: this.doc.secret } : null),
      handle: (request) => this.#handle(request),
    });
  }

  async #stopServer(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    this.#status.clear();
    await server?.close();
  }

  #startHeartbeat(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.syncAll(), HEARTBEAT_MS);
    this.#timer.unref();
  }

  async #handle(request: PeerRequest): Promise<PeerReply> {
    const doc = this.doc;
    if (!doc) return { err: 'This machine is not in a cluster.' };
    if ('join' in request) {
      const { name, port } = request.join;
      if (typeof name !== 'string' || !Number.isInteger(port)) return { err: 'invalid join request' };
      if (memberOf(doc, name)) return { err: `A machine named ${name} is already in cluster ${doc.name}.` };
      await this.#commit(
        (d, current) => {
          const next = structuredClone(d);
          next.shared.members.push({ name, group: DEFAULT_GROUP, host: '127.0.0.1', port });
          next.shared.stamp = this.stamp(d.shared.stamp.version, d.self);
          return { doc: next, base: structuredClone(current) as ApplianceConfig };
        },
        `clusterconfig: ${name} joined`,
        CLUSTER_COMMITTER,
      );
      this.#seen(name, null);
      this.#pushed = this.#pushAll(name);
      return { doc: replicated(this.doc!) };
    }
    const problems = docProblems(request.sync);
    if (problems.length > 0) return { err: `invalid cluster copy: ${problems.join('; ')}` };
    // a disconnected machine takes no copy but the one that reconnects it (or tells it it is disconnected)
    const away = memberOf(doc, doc.self)?.disconnected === true;
    const theirsOfMe = request.sync.shared.members.find((m) => m.name === doc.self);
    if (away && theirsOfMe && theirsOfMe.disconnected) return { err: `${doc.self} is disconnected from cluster ${doc.name}` };
    if (!away && memberOf(doc, request.from)?.disconnected && request.sync.shared.stamp.version <= doc.shared.stamp.version) {
      return { err: `${request.from} is disconnected from cluster ${doc.name}` };
    }
    await this.#merge(request.sync);
    const after = this.doc;
    if (!after) return { err: 'This machine is no longer in the cluster.' };
    if (!memberOf(after, request.from)) return { removed: true };
    this.#seen(request.from, null);
    return { doc: replicated(after) };
  }

  /** Takes another member's copy in (see mergeDocs); leaves the cluster when the merged copy no longer has this machine. */
  async #merge(theirs: ReplicatedDoc): Promise<void> {
    if (!this.doc || isDeepStrictEqual(mergeDocs(this.doc, theirs), this.doc)) return;
    await this.#commit(
      (doc, current) => {
        const merged = mergeDocs(doc, theirs);
        return { doc: memberOf(merged, doc.self) ? merged : null, base: structuredClone(current) as ApplianceConfig };
      },
      `cluster: changes from ${theirs.shared.stamp.by}`,
      CLUSTER_COMMITTER,
    );
    if (!this.doc) this.#left();
  }

  /** This machine is no longer a member: it goes on standalone with the configuration it has. */
  async #leave(): Promise<void> {
    await this.#commit((_, current) => ({ doc: null, base: structuredClone(current) as ApplianceConfig }), 'cluster: removed from the cluster', CLUSTER_COMMITTER);
    this.#left();
  }

  #left(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    // the reply that told the other member goes out first
    setImmediate(() => void this.#stopServer());
  }

  /** Exchanges copies with every other member; resolves when each has answered or failed. */
  async syncAll(): Promise<void> {
    await this.#pushAll();
  }

  async #pushAll(except?: string): Promise<void> {
    const doc = this.doc;
    // a disconnected machine exchanges with no one, and no one with it
    if (!doc || !this.#server || memberOf(doc, doc.self)?.disconnected) return;
    const others = doc.shared.members.filter((m) => m.name !== doc.self && m.name !== except && !m.disconnected);
    await Promise.all(others.map((m) => this.#exchange(m)));
  }

  async #exchange(member: ClusterMember, evenDisconnected = false): Promise<void> {
    const doc = this.doc;
    if (!doc || (member.disconnected && !evenDisconnected)) return;
    try {
      const reply = await askPeer(member, doc.name, doc.secret, doc.self, { sync: replicated(doc), from: doc.self });
      if ('err' in reply) throw new Error(reply.err);
      this.#seen(member.name, null);
      if ('removed' in reply) return await this.#leave();
      if (docProblems(reply.doc).length === 0) await this.#merge(reply.doc);
    } catch (error) {
      this.#seen(member.name, (error as Error).message);
    }
  }

  #seen(name: string, problem: string | null): void {
    const was = this.#status.get(name);
    this.#status.set(name, { connected: problem === null, problem, lastSeen: problem === null ? this.clock.now() : (was?.lastSeen ?? null) });
  }

  /** The members and whether each is connected now. */
  members(): MemberStatus[] {
    const doc = this.doc;
    if (!doc) return [];
    return doc.shared.members.map((m) => {
      const s = this.#status.get(m.name);
      const self = m.name === doc.self;
      const away = m.disconnected
        ? `disconnected by clusterconfig disconnect; "clusterconfig reconnect ${m.name}" reconnects it`
        : memberOf(doc, doc.self)?.disconnected
          ? 'this machine is disconnected from the cluster'
          : null;
      return {
        ...m,
        self,
        connected: self ? null : away ? false : (s?.connected ?? false),
        problem: self ? null : (away ?? s?.problem ?? (this.#server ? 'not reached yet' : 'this machine is not running')),
        lastSeen: s?.lastSeen ?? null,
      };
    });
  }

  /** The banner's cluster lines (none standalone). */
  describe(): string[] {
    const doc = this.doc;
    const notes = this.problems.map((p) => `  note: ${p}`);
    if (!doc) return notes;
    const where = this.#server ? `Cluster Communication Service on 127.0.0.1:${this.#server.port}` : 'Cluster Communication Service not running';
    return [`  cluster ${doc.name}, machine ${doc.self} (${doc.shared.members.length} machines), ${where}`, ...notes];
  }
}
