import type { Clock } from '../../clock.js';
import type { DestinationControl } from '../../config/model.js';
import type { IdAllocator } from '../ids.js';
import type { MailEvents } from '../mail-events.js';
import type { QueueRecord } from '../spool.js';
import type { Destination } from './destination.js';
import type { Failure } from './failure.js';
import { expiresAt } from './queue-policy.js';
import type { Target } from './resolver.js';
import { sameTarget, type Router } from './router.js';
import { DeliveryFailure, SmtpClient } from './smtp-client.js';

/** An open connection of a pool. */
export interface Connection {
  client: SmtpClient;
  dcid: number;
}

/** What the pool asks of the delivery queues for each record it takes. */
export interface PoolHandlers {
  /** sends one record on an open connection; resolves false when the connection is no longer usable */
  send(dest: Destination, connection: Connection, record: QueueRecord): Promise<boolean>;
  /** the record's attempt failed before it could be sent (no route, no connection) */
  failed(dest: Destination, record: QueueRecord, failure: Failure, dcid: number): void;
  /** the route is /dev/null */
  discarded(dest: Destination, record: QueueRecord): void;
}

export interface PoolDeps {
  clock: Clock;
  ids: IdAllocator;
  events: MailEvents;
  router: Router;
  control: (dest: Destination) => DestinationControl;
  hostname: () => string;
  /** the lab CA, trusted for STARTTLS */
  ca: string;
}

/** A record past its queue's deadline mid-attempt: the attempt is cut, as if timed out. */
const CUT: Failure = { kind: 'connection', cause: 'timeout', detail: 'cut at the queue deadline' };

/**
 * The connections of every destination: opened as records become due (at least the policy's
 * minimum while there are any), reused for several records to one target, closed when the queue
 * has nothing more for them.
 */
export class ConnectionPool {
  readonly #workers = new Set<Promise<void>>();
  /** records whose attempt was cut at their deadline */
  readonly #cut = new WeakSet<QueueRecord>();
  #stopping = false;

  constructor(
    private readonly deps: PoolDeps,
    private readonly handlers: PoolHandlers,
  ) {}

  async stop(destinations: Iterable<Destination>): Promise<void> {
    this.#stopping = true;
    for (const d of destinations) d.retryTimer?.cancel();
    await Promise.allSettled([...this.#workers]);
  }

  /** Whether a record's last attempt was cut at its queue's deadline. */
  wasCut(record: QueueRecord): boolean {
    return this.#cut.has(record);
  }

  /** Opens connections while due records outnumber what the open ones will carry. */
  kick(dest: Destination): void {
    if (this.#stopping) return;
    const now = this.deps.clock.now();
    const control = this.deps.control(dest);
    const min = dest.policy().minConnections;
    // counting further than one more connection's worth is wasted: kick runs at every enqueue,
    // so under a burst connections are added one by one while the queue may hold thousands
    const cap = Math.min(control.maxConnections, Math.max(dest.connections + 1, min)) * control.maxMessagesPerConnection;
    const ready = dest.connections >= control.maxConnections ? 0 : dest.readyCount(now, cap);
    const wanted = ready === 0 ? 0 : Math.min(control.maxConnections, Math.max(min, Math.ceil(ready / control.maxMessagesPerConnection)));
    for (let open = dest.connections; open < wanted; open++) {
      const worker = this.#work(dest).finally(() => this.#workers.delete(worker));
      this.#workers.add(worker);
    }
    this.scheduleRetry(dest, now);
  }

  /** Wakes the destination when its next waiting record is due. */
  scheduleRetry(dest: Destination, now: number): void {
    dest.retryTimer?.cancel();
    dest.retryTimer = null;
    const next = dest.nextRetryAt(now);
    if (Number.isFinite(next) && !this.#stopping) dest.retryTimer = this.deps.clock.setTimeout(() => this.kick(dest), next - now + 5);
  }

  /** One connection: takes due records for one target and sends them, up to the per-connection limit. */
  async #work(dest: Destination): Promise<void> {
    const { clock, router } = this.deps;
    dest.connections++;
    dest.pending++;
    let connection: Connection | null = null;
    let target: Target | null = null;
    let sent = 0;
    const limit = this.deps.control(dest).maxMessagesPerConnection;
    try {
      for (;;) {
        const record = dest.take(clock.now(), (r) => !target || sameTarget(router.resolve(dest.name, r), target));
        if (!record) break;
        const resolution = router.resolve(dest.name, record);
        if (resolution.kind === 'hosts') dest.routes = [resolution.route];
        if (resolution.kind === 'devnull') {
          this.handlers.discarded(dest, record);
          continue;
        }
        if (resolution.kind === 'nxdomain') {
          this.handlers.failed(dest, record, { kind: 'dns', cause: 'nxdomain', domain: resolution.domain }, 0);
          continue;
        }
        if (!connection) {
          target = resolution.targets[0]!;
          const dcid = this.deps.ids.next('dcid');
          const client = this.#client(dest, target);
          try {
            await this.#withDeadline(dest, record, client, client.connect());
          } catch (error) {
            dest.hostDown = true;
            this.#openFailed(dest, record, target, client, dcid, error);
            client.close();
            break;
          }
          connection = { client, dcid };
          dest.pending--;
          this.#opened(dest, connection, target);
        }
        const ok = await this.#withDeadline(dest, record, connection.client, this.handlers.send(dest, connection, record));
        if (!ok || ++sent >= limit) break;
      }
    } finally {
      if (connection) {
        connection.client.quit();
        this.deps.events.emit({ type: 'dcid.closed', dcid: connection.dcid });
      } else dest.pending--;
      dest.connections--;
      this.kick(dest);
    }
  }

  #client(dest: Destination, target: Target): SmtpClient {
    const policy = dest.policy();
    // timeouts run on the appliance's clock, so a lab that compresses time shortens them too
    const scale = 1 / (this.deps.clock.factor ?? 1);
    const t = policy.timeouts;
    return new SmtpClient(target, {
      name: this.deps.hostname(),
      requireTLS: policy.requireTls,
      ca: this.deps.ca,
      timeouts: { connect: t.connect * scale, greeting: t.greeting * scale, socket: t.socket * scale },
    });
  }

  /**
   * Runs one step of a record's attempt. Under a policy with a deadline, the step is cut when the
   * record's time in the queue runs out: the connection is closed and the step fails as timed out.
   */
  async #withDeadline<T>(dest: Destination, record: QueueRecord, client: SmtpClient, step: Promise<T>): Promise<T> {
    const policy = dest.policy();
    if (!policy.deadline) return step;
    const left = expiresAt(record, policy) - this.deps.clock.now();
    const timer = this.deps.clock.setTimeout(
      () => {
        this.#cut.add(record);
        client.abort(CUT);
      },
      Math.max(0, left),
    );
    try {
      return await step;
    } finally {
      timer.cancel();
    }
  }

  #opened(dest: Destination, connection: Connection, target: Target): void {
    const { events } = this.deps;
    dest.hostDown = false;
    events.emit({ type: 'dcid.opened', dcid: connection.dcid, queue: dest.name, localAddress: connection.client.localAddress(), address: target.host, port: target.port });
    const tls = connection.client.tls();
    if (tls) events.emit({ type: 'tls.ok', dcid: connection.dcid, protocol: tls.protocol, cipher: tls.cipher });
  }

  #openFailed(dest: Destination, record: QueueRecord, target: Target, client: SmtpClient, dcid: number, error: unknown): void {
    const { events } = this.deps;
    const failure: Failure = error instanceof DeliveryFailure ? error.failure : { kind: 'connection', cause: 'other', detail: String(error) };
    if (failure.kind === 'connection') events.emit({ type: 'dcid.failed', dcid, mid: record.mid, queue: dest.name, address: target.host, port: target.port, failure });
    // a TLS error comes after the TCP connection opened: the DCID has its New SMTP and close lines around it
    if (failure.kind === 'tls') {
      events.emit({ type: 'dcid.opened', dcid, queue: dest.name, localAddress: client.localAddress(), address: target.host, port: target.port });
      events.emit({ type: 'tls.failed', dcid, mid: record.mid, address: target.host, cause: failure.cause });
    }
    this.handlers.failed(dest, record, failure, dcid);
    if (failure.kind === 'tls') events.emit({ type: 'dcid.closed', dcid });
  }
}
