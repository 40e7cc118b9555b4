import type { ClusterMode } from './cluster/levels.js';
import type { CommitRecord, CommittedConfig } from './config/committed.js';
import { ConfigSession, type ConfigSource } from './config/session.js';

/** The kinds of front end a session comes from. */

/** AsyncOS's default inactivity timeout of a login (web interface and AsyncOS API tokens alike). */
export const SESSION_TIMEOUT_MS = 30 * 60 * 1000;
export type SessionKind = 'shell' | 'script' | 'one-shot' | 'web' | 'ssh' | 'api';

export interface SessionInfo {
  id: number;
  kind: SessionKind;
  user: string;
  /** where it comes from: `console` (this process), `socket` (another terminal), an IP address */
  from: string;
  since: number;
  lastActive: number;
  /** the command running now, or null at the prompt */
  running: string | null;
}

/** One front end attached to the appliance: its own pending configuration changes and its `who` line. */
export class Session {
  readonly config: ConfigSession;
  /** the cluster mode configuration commands edit (clustermode); null on a standalone appliance */
  mode: ClusterMode | null = null;
  #running: string | null = null;
  #lastActive: number;

  constructor(
    readonly id: number,
    readonly kind: SessionKind,
    readonly from: string,
    readonly since: number,
    /** where its configuration comes from: given, or made for this session (its cluster level) */
    source: ConfigSource | ((session: Session) => ConfigSource),
    private readonly now: () => number,
    private readonly onClose: (session: Session) => void,
    readonly user = 'admin',
  ) {
    this.#lastActive = since;
    this.config = new ConfigSession(typeof source === 'function' ? source(this) : source, `${kind} ${id}`);
  }

  /** The session starts running a command line (null: back at the prompt). */
  running(command: string | null): void {
    this.#running = command;
    this.#lastActive = this.now();
  }

  info(): SessionInfo {
    return { id: this.id, kind: this.kind, user: this.user, from: this.from, since: this.since, lastActive: this.#lastActive, running: this.#running };
  }

  /** Leaves the appliance; uncommitted changes are dropped. */
  close(): void {
    this.config.clear();
    this.onClose(this);
  }
}

/** How sessions of a clustered appliance read and commit their cluster level (src/engine/cluster). */
export interface SessionLevels {
  source(session: Session): ConfigSource;
  /** the mode a new session of this kind starts in on a clustered appliance (null standalone) */
  initialMode(kind: SessionKind): ClusterMode | null;
}

/** The sessions attached to one appliance (what `who` lists). */
export class SessionRegistry {
  readonly #open = new Map<number, Session>();
  readonly #commitListeners = new Set<(session: Session, record: CommitRecord) => void>();
  #nextId = 1;

  constructor(
    private readonly committed: CommittedConfig,
    private readonly now: () => number,
    private readonly levels?: SessionLevels,
  ) {}

  open(kind: SessionKind, from: string): Session {
    const levels = this.levels;
    const source = levels ? (s: Session) => levels.source(s) : this.committed;
    const session = new Session(this.#nextId++, kind, from, this.now(), source, this.now, (s) => this.#open.delete(s.id));
    session.mode = levels?.initialMode(kind) ?? null;
    session.config.onCommitted = (record) => {
      for (const listener of this.#commitListeners) listener(session, record);
    };
    this.#open.set(session.id, session);
    return session;
  }

  /** Told after every commit a session makes, whatever its front end, with the session (its user and address). */
  onCommit(listener: (session: Session, record: CommitRecord) => void): () => void {
    this.#commitListeners.add(listener);
    return () => void this.#commitListeners.delete(listener);
  }

  list(): SessionInfo[] {
    return [...this.#open.values()].map((s) => s.info());
  }
}
