import { readFileSync, statfsSync, statSync } from 'node:fs';
import { cpus, freemem, totalmem } from 'node:os';

/** The System gauges of `status`, measured on the machine segsim runs on. */
export interface SystemGauges {
  /** percent of memory in use on the machine */
  ramUtilization: number;
  /** percent of all CPUs busy on the machine ("Overall CPU load average") */
  cpuLoad: number;
  /** percent of all CPUs segsim's own process takes (the mail system: MGA on the appliance) */
  mgaCpu: number;
  /** percent of the time the disk that holds the home was busy; 0 where the system does not say */
  diskIoUtilization: number;
  /** percent of the logs' filesystem in use */
  loggingDiskUsage: number;
  /** bytes free on the logs' filesystem */
  loggingDiskAvailable: number;
  /** kilobytes free on the spool's filesystem: room left for the queue */
  kilobytesFree: number;
}

interface Sample {
  at: number;
  cpuBusy: number;
  cpuTotal: number;
  processMicros: number;
  ioTicks: number | null;
}

/** Below this, a new sample is too short to say anything: the previous figures stand. */
const MIN_INTERVAL_MS = 1000;

const percent = (part: number, whole: number) => (whole > 0 ? Math.min(100, Math.max(0, Math.round((part / whole) * 100))) : 0);

/**
 * Samples the machine. The CPU and disk figures are rates: each `read` measures since the
 * previous one (at least a second before; the first since the sampler was made).
 */
export class SystemSampler {
  #last: Sample;
  #rates = { cpuLoad: 0, mgaCpu: 0, diskIoUtilization: 0 };
  readonly #device: string | null;

  constructor(
    private readonly paths: { logs: string; spool: string },
    private readonly now: () => number = Date.now,
  ) {
    this.#device = deviceOf(paths.spool);
    this.#last = this.#sample();
  }

  #sample(): Sample {
    let busy = 0;
    let total = 0;
    for (const c of cpus()) {
      const t = c.times;
      busy += t.user + t.nice + t.sys + t.irq;
      total += t.user + t.nice + t.sys + t.irq + t.idle;
    }
    const usage = process.cpuUsage();
    return { at: this.now(), cpuBusy: busy, cpuTotal: total, processMicros: usage.user + usage.system, ioTicks: this.#device ? ioTicks(this.#device) : null };
  }

  read(): SystemGauges {
    const next = this.#sample();
    const wall = next.at - this.#last.at;
    if (wall >= MIN_INTERVAL_MS) {
      const prev = this.#last;
      this.#rates = {
        cpuLoad: percent(next.cpuBusy - prev.cpuBusy, next.cpuTotal - prev.cpuTotal),
        mgaCpu: percent((next.processMicros - prev.processMicros) / 1000, wall * Math.max(1, cpus().length)),
        diskIoUtilization: next.ioTicks !== null && prev.ioTicks !== null ? percent(next.ioTicks - prev.ioTicks, wall) : 0,
      };
      this.#last = next;
    }
    const logs = statfsSync(this.paths.logs);
    const spool = statfsSync(this.paths.spool);
    return {
      ramUtilization: percent(totalmem() - freemem(), totalmem()),
      ...this.#rates,
      loggingDiskUsage: percent(logs.blocks - logs.bfree, logs.blocks),
      loggingDiskAvailable: logs.bavail * logs.bsize,
      kilobytesFree: Math.floor((spool.bavail * spool.bsize) / 1024),
    };
  }
}

/** The `major:minor` of the disk holding a path, when /proc/diskstats knows it (Linux). */
function deviceOf(path: string): string | null {
  try {
    const dev = statSync(path).dev;
    // Linux dev_t: major in bits 8-19, minor in bits 0-7 and 20-31
    const id = `${(dev >> 8) & 0xfff}:${(dev & 0xff) | ((dev >> 12) & 0xfff00)}`;
    return ioTicks(id) === null ? null : id;
  } catch {
    return null;
  }
}

/** Milliseconds the device spent doing I/O since boot (/proc/diskstats, io_ticks), or null. */
function ioTicks(device: string): number | null {
  let text: string;
  try {
    text = readFileSync('/proc/diskstats', 'utf8');
  } catch {
    return null;
  }
  for (const line of text.split('\n')) {
    const f = line.trim().split(/\s+/);
    if (`${f[0]}:${f[1]}` === device && f.length > 12) return Number(f[12]);
  }
  return null;
}
