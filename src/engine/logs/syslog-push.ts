import { createSocket, type Socket as DgramSocket } from 'node:dgram';
import { lookup } from 'node:dns/promises';
import { connect, isIP, type Socket } from 'node:net';
import { isSyslogFacility, syslogLine, type LineLevel, type SyslogFacility } from './syslog-format.js';

/*
 * Syslog push of log subscriptions (logconfig's "Syslog Push"): every line a subscription writes
 * to its files is also sent to its syslog host, one datagram per line over UDP, one line ended by
 * LF over TCP. The files are the record; the push is a copy that never holds anything up: lines
 * wait in a bounded queue in memory while the receiver cannot take them (down, refusing, slow),
 * the oldest dropped beyond it, and are sent when it can again.
 *
 * TCP framing: a line ended by LF (RFC 6587's non-transparent framing), the legacy BSD form
 * AsyncOS pushes (its lines begin with `<PRI>`, never with an octet count). rsyslog's imtcp reads
 * both framings; Elastic's tcp input, the Cisco integration's own, and SC4S's legacy-BSD port read
 * LF-ended lines, and would take an octet count as part of the message.
 */

/** Where a subscription's lines go. */
export interface SyslogTarget {
  host: string;
  port: number;
  protocol: 'udp' | 'tcp';
}

/** A subscription as the push reads it (the files' settings are the writer's). */
export interface PushSubscription {
  name: string;
  retrieval: { method: 'manual' } | ({ method: 'syslog'; facility: string } & SyslogTarget);
}

/** A line as the subscription wrote it to its file: its time, level word and text (the writer's LoggedLine is one). */
export interface PushedLine {
  subscription: string;
  level: LineLevel;
  /** when it was written, by the appliance clock (ms) */
  at: number;
  text: string;
}

export interface SyslogPushOptions {
  /** lines kept per subscription while its receiver cannot take them; beyond, the oldest go (10000) */
  backlog?: number;
  /** the first wait before trying a receiver again; it doubles up to maxRetryMs (1 s, 30 s) */
  retryMs?: number;
  maxRetryMs?: number;
  /** how long a TCP connection may take to open (10 s) */
  connectTimeoutMs?: number;
  /**
   * Told once when a receiver cannot take lines, once when the queue starts dropping, and when it
   * takes lines again (with the count dropped): the appliance writes it to system_logs.
   */
  notice?: (level: LineLevel, text: string) => void;
}

/** A datagram carries at most this much of a line (the largest UDP payload over IPv4). */
const MAX_DATAGRAM = 65_507;
/** UDP sends in flight at once; the rest wait in the queue. */
const UDP_IN_FLIGHT = 64;
/** Lines joined into one TCP write. */
const TCP_BATCH = 256;
/** A host name is looked up again after this long (UDP; TCP looks up at each connection). */
const LOOKUP_TTL_MS = 60_000;

const targetKey = (t: SyslogTarget) => `${t.protocol}:${t.host}:${t.port}`;
const where = (t: SyslogTarget) => `${t.host}:${t.port} (${t.protocol.toUpperCase()})`;

/**
 * The push of every subscription whose retrieval is syslog. `configure` follows the committed
 * subscriptions; `push` takes each written line (from the log writer) and returns at once.
 */
export class SyslogPush {
  readonly #routes = new Map<string, { facility: SyslogFacility; destination: SyslogDestination }>();
  readonly #options: SyslogPushOptions;

  constructor(options: SyslogPushOptions = {}) {
    this.#options = options;
  }

  /**
   * Follows the subscriptions: a subscription that keeps its host, port and protocol keeps its
   * connection and its queue (a new facility applies to the next line); one whose target changed
   * or that no longer pushes is closed, its queue sent while it can be within a moment.
   */
  configure(subscriptions: readonly PushSubscription[]): void {
    const next = new Map<string, { facility: SyslogFacility; target: SyslogTarget }>();
    for (const s of subscriptions) {
      const r = s.retrieval;
      if (r.method !== 'syslog') continue;
      // the stored file's schema allows only AsyncOS's facility names; user is syslog's own default
      next.set(s.name, { facility: isSyslogFacility(r.facility) ? r.facility : 'user', target: { host: r.host, port: r.port, protocol: r.protocol } });
    }
    for (const [name, route] of this.#routes) {
      const wanted = next.get(name);
      if (!wanted || targetKey(wanted.target) !== targetKey(route.destination.target)) {
        void route.destination.close(1000);
        this.#routes.delete(name);
      }
    }
    for (const [name, { facility, target }] of next) {
      const route = this.#routes.get(name);
      if (route) route.facility = facility;
      else this.#routes.set(name, { facility, destination: new SyslogDestination(name, target, this.#options) });
    }
  }

  /** Whether any subscription pushes (nobody need hand lines over otherwise). */
  get pushing(): boolean {
    return this.#routes.size > 0;
  }

  /** Sends a written line on, if its subscription pushes; never waits. */
  push(line: PushedLine): void {
    const route = this.#routes.get(line.subscription);
    if (!route) return;
    route.destination.send(syslogLine(line.subscription, route.facility, line.level, line.at, line.text));
  }

  /** Each pushing subscription: where to, whether its receiver takes lines now, what waits and what was dropped. */
  status(): PushStatus[] {
    return [...this.#routes].map(([name, r]) => ({ subscription: name, ...r.destination.target, ...r.destination.state() }));
  }

  /** Sends what waits while it can within `graceMs`, then closes every connection. */
  async stop(graceMs = 1000): Promise<void> {
    const closing = [...this.#routes.values()].map((r) => r.destination.close(graceMs));
    this.#routes.clear();
    await Promise.all(closing);
  }
}

export interface PushStatus extends SyslogTarget {
  subscription: string;
  /** the receiver took the last line sent (TCP: the connection is open) */
  up: boolean;
  queued: number;
  /** lines dropped from a full queue since the appliance started */
  dropped: number;
  /** why the receiver cannot take lines now */
  problem: string | null;
}

/**
 * One subscription's receiver: a queue of formatted lines and the socket that sends them. All
 * work is callbacks on the event loop; nothing here waits for the network.
 */
class SyslogDestination {
  readonly #queue: string[] = [];
  #head = 0;
  readonly #backlog: number;
  readonly #retryMs: number;
  readonly #maxRetryMs: number;
  readonly #connectTimeoutMs: number;
  readonly #notice: (level: LineLevel, text: string) => void;
  #retryWait: number;
  #timer: NodeJS.Timeout | null = null;
  #closed = false;
  /** why lines cannot be sent, while they cannot (said once per outage) */
  #problem: string | null = null;
  /** dropped since the last report, and in all */
  #droppedNow = 0;
  #dropped = 0;
  // TCP
  #tcp: Socket | null = null;
  #connected = false;
  #draining = false;
  // UDP
  #udp: DgramSocket | null = null;
  #address: { address: string; family: 4 | 6; until: number } | null = null;
  #resolving = false;
  #inFlight = 0;
  #idle: (() => void) | null = null;

  constructor(
    readonly name: string,
    readonly target: SyslogTarget,
    options: SyslogPushOptions,
  ) {
    this.#backlog = Math.max(1, options.backlog ?? 10_000);
    this.#retryMs = options.retryMs ?? 1000;
    this.#maxRetryMs = Math.max(this.#retryMs, options.maxRetryMs ?? 30_000);
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.#retryWait = this.#retryMs;
    this.#notice = options.notice ?? (() => undefined);
  }

  get #length(): number {
    return this.#queue.length - this.#head;
  }

  state(): { up: boolean; queued: number; dropped: number; problem: string | null } {
    const up = this.#problem === null && (this.target.protocol === 'udp' || this.#connected);
    return { up, queued: this.#length, dropped: this.#dropped, problem: this.#problem };
  }

  send(line: string): void {
    if (this.#closed) return;
    this.#queue.push(line);
    if (this.#length > this.#backlog) {
      const drop = this.#length - this.#backlog;
      const first = this.#droppedNow === 0;
      this.#head += drop;
      this.#droppedNow += drop;
      this.#dropped += drop;
      if (first)
        this.#say(
          'Warning',
          `Log Error: Subscription ${this.name}: ${this.#backlog} lines wait for ${where(this.target)}; the oldest are dropped until it takes lines again. The log files keep every line.`,
        );
    }
    this.#pump();
  }

  #shift(): string | undefined {
    if (this.#head >= this.#queue.length) return undefined;
    const line = this.#queue[this.#head++];
    // the array is compacted now and then, not at every line
    if (this.#head > 4096 && this.#head * 2 > this.#queue.length) {
      this.#queue.splice(0, this.#head);
      this.#head = 0;
    }
    return line;
  }

  #unshift(line: string): void {
    if (this.#head > 0) this.#queue[--this.#head] = line;
    else this.#queue.unshift(line);
  }

  #pump(): void {
    if (this.#closed && !this.#idle) return;
    if (this.#timer) return; // waiting before trying again
    if (this.target.protocol === 'tcp') this.#pumpTcp();
    else this.#pumpUdp();
  }

  // --- TCP: one connection, LF-ended lines, written in batches while the socket takes them

  #pumpTcp(): void {
    if (!this.#tcp) {
      if (this.#length > 0 || !this.#closed) this.#connect();
      return;
    }
    if (!this.#connected || this.#draining) return;
    const socket = this.#tcp;
    while (this.#length > 0) {
      const batch: string[] = [];
      for (let line = this.#shift(); line !== undefined; line = batch.length < TCP_BATCH ? this.#shift() : undefined) batch.push(line);
      if (!socket.write(`${batch.join('\n')}\n`)) {
        this.#draining = true;
        socket.once('drain', () => {
          this.#draining = false;
          this.#pump();
        });
        return;
      }
    }
    this.#idle?.();
  }

  #connect(): void {
    const { host, port } = this.target;
    const socket = connect({ host, port });
    this.#tcp = socket;
    this.#connected = false;
    socket.setTimeout(this.#connectTimeoutMs, () => socket.destroy(new Error('connection timed out')));
    socket.setKeepAlive(true, 30_000);
    socket.resume(); // a receiver says nothing; whatever it sends is read and dropped
    let failure: string | null = null;
    socket.on('connect', () => {
      socket.setTimeout(0);
      this.#connected = true;
      this.#up();
      this.#pump();
    });
    socket.on('error', (error: NodeJS.ErrnoException) => {
      failure = error.code && !error.message.includes(error.code) ? `${error.message} (${error.code})` : error.message;
    });
    socket.on('close', () => {
      const wasConnected = this.#connected;
      this.#tcp = null;
      this.#connected = false;
      this.#draining = false;
      if (this.#closed) {
        this.#idle?.();
        return;
      }
      this.#down(failure ?? (wasConnected ? 'the connection was closed by the receiver' : 'the connection was closed'));
    });
  }

  // --- UDP: one datagram per line, a bounded number in flight

  #pumpUdp(): void {
    const now = Date.now();
    if (!this.#address || this.#address.until < now) {
      this.#resolve();
      return;
    }
    const { address, family } = this.#address;
    if (!this.#udp) {
      const udp = createSocket(family === 6 ? 'udp6' : 'udp4');
      // an error of the socket itself (not of one send): a new one is made at the next attempt
      udp.on('error', (error) => {
        udp.close();
        if (this.#udp === udp) this.#udp = null;
        this.#down(error.message);
      });
      this.#udp = udp;
    }
    const udp = this.#udp;
    while (this.#length > 0 && this.#inFlight < UDP_IN_FLIGHT) {
      const line = this.#shift()!;
      let datagram = Buffer.from(line);
      if (datagram.length > MAX_DATAGRAM) datagram = datagram.subarray(0, MAX_DATAGRAM);
      this.#inFlight++;
      udp.send(datagram, this.target.port, address, (error) => {
        this.#inFlight--;
        if (error) {
          // kept for the next attempt (first in line again); a local fault (no route, buffers full)
          this.#unshift(line);
          this.#down(error.message);
          return;
        }
        if (this.#problem !== null) this.#up();
        if (this.#length > 0) this.#pump();
        else if (this.#inFlight === 0) this.#idle?.();
      });
    }
  }

  #resolve(): void {
    if (this.#resolving) return;
    const { host } = this.target;
    const family = isIP(host);
    if (family !== 0) {
      this.#address = { address: host, family: family as 4 | 6, until: Infinity };
      this.#pump();
      return;
    }
    this.#resolving = true;
    // one address for a datagram socket: IPv4 first, where receivers listen most (TCP tries every address)
    lookup(host, { order: 'ipv4first' }).then(
      ({ address, family: f }) => {
        this.#resolving = false;
        if (this.#udp && this.#address?.family !== f) {
          this.#udp.close();
          this.#udp = null;
        }
        this.#address = { address, family: f as 4 | 6, until: Date.now() + LOOKUP_TTL_MS };
        this.#pump();
      },
      (error: NodeJS.ErrnoException) => {
        this.#resolving = false;
        this.#down(`${host} cannot be looked up (${error.code ?? error.message})`);
      },
    );
  }

  /**
   * Tells `notice` after the work at hand: the appliance writes it to system_logs, whose line may
   * come back here to be pushed (system_logs pushed to the same receiver), and must find this
   * destination's state already changed.
   */
  #say(level: LineLevel, text: string): void {
    queueMicrotask(() => this.#notice(level, text));
  }

  // --- outages: said once, tried again later, and the recovery said with what was dropped

  #down(problem: string): void {
    if (this.#closed) {
      this.#idle?.();
      return;
    }
    if (this.#problem === null) {
      this.#problem = problem;
      this.#say('Critical', `Log Error: Subscription ${this.name}: Failed to send to ${where(this.target)}: ${problem}. Lines are kept (up to ${this.#backlog}) and sent when it takes them again.`);
    }
    this.#timer ??= setTimeout(() => {
      this.#timer = null;
      this.#pump();
    }, this.#retryWait);
    this.#timer.unref();
    this.#retryWait = Math.min(this.#retryWait * 2, this.#maxRetryMs);
  }

  #up(): void {
    this.#retryWait = this.#retryMs;
    if (this.#problem === null && this.#droppedNow === 0) return;
    const dropped = this.#droppedNow;
    this.#problem = null;
    this.#droppedNow = 0;
    this.#say('Info', `Subscription ${this.name}: ${where(this.target)} takes lines again${dropped > 0 ? `; ${dropped} lines were dropped while it could not` : ''}.`);
  }

  /**
   * Stops taking lines; sends what waits while the receiver takes it within `graceMs`, then
   * closes the socket. Resolves by then whatever the receiver does.
   */
  close(graceMs: number): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = null;
    return new Promise<void>((resolve) => {
      const finish = () => {
        clearTimeout(deadline);
        this.#idle = null;
        this.#tcp?.destroy();
        this.#tcp = null;
        this.#udp?.close();
        this.#udp = null;
        resolve();
      };
      const deadline = setTimeout(finish, graceMs);
      deadline.unref();
      const emptied = () => {
        if (this.#length > 0) return;
        if (this.#tcp && this.#connected) {
          // everything is written: end the connection once the kernel has it
          const socket = this.#tcp;
          this.#idle = null;
          socket.end(() => finish());
          return;
        }
        if (this.#inFlight === 0) finish();
      };
      this.#idle = emptied;
      if (this.#length === 0 && this.#inFlight === 0 && !this.#connected) {
        finish();
        return;
      }
      // what waits goes out (a connection is opened or awaited for it); the pump calls `emptied`
      this.#pump();
    });
  }
}
