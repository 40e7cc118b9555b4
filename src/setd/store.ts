import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureDir } from '../engine/home.js';
import { ErrorCodes, UserError } from '../errors.js';
import { findRegion, REGIONS, type RegionKey } from './regions.js';
import type { Verdict } from './verdicts.js';

/** One SETD tenant, as the setup wizard creates it. */
export interface SetdAccount {
  id: string;
  /** an optional label (labs name their accounts: primary, secondary) */
  name: string;
  region: RegionKey;
  segPresent: true;
  segType: 'cisco' | 'other';
  /** the header carrying the original sender IP (Cisco default X-IronPort-RemoteIP) */
  header: string;
  direction: 'Incoming';
  visibility: 'Visibility Only';
  intakeAddress: string;
  createdAt: number;
}

/** A journaled message as the dashboard shows it. */
export interface ReceivedJournal {
  id: string;
  account: string;
  receivedAt: number;
  sender: string;
  senderIp: string;
  /** the IP came from the SEG header (false: the gateway's own address, as the real service warns) */
  ipFromHeader: boolean;
  recipients: string[];
  subject: string;
  messageId: string;
  gatewayMid: string;
  verdict: Verdict;
  size: number;
}

export type FaultMode = 'none' | '4xx' | '5xx' | 'tls' | 'timeout' | 'refuse' | 'slow';

export interface Fault {
  /** the account it applies to; connection-level modes affect the whole intake server */
  account: string | null;
  mode: Exclude<FaultMode, 'none'>;
  code?: number;
  at?: 'rcpt' | 'data';
  /** slow: milliseconds of delay per command */
  delayMs?: number;
  /** scheduled: until this time, or for this many more messages/connections */
  until?: number;
  remaining?: number;
}

const HEADER = /^[A-Za-z0-9-]{1,76}$/;

/**
 * Parsed store files, shared by every SetdStore of this process: the intake asks for accounts and
 * faults on every SMTP command, so a file is read again only when its size or mtime changed, and
 * looked at (one stat) at most every REVALIDATE_MS. Writes from this process update the cache at
 * once; a change made by another process is seen within REVALIDATE_MS.
 */
const REVALIDATE_MS = 250;
const cache = new Map<string, { stamp: string; checkedAt: number; value: unknown }>();
/** told when this process writes the fault file (the emulator applies `refuse` at once) */
const faultWatchers = new Set<() => void>();

/** Calls `changed` after every fault change made in this process; returns the unsubscribe. */
export function watchFaults(changed: () => void): () => void {
  faultWatchers.add(changed);
  return () => faultWatchers.delete(changed);
}

const stampOf = (path: string) => {
  const st = statSync(path, { throwIfNoEntry: false });
  return st ? `${st.size}:${st.mtimeMs}` : 'missing';
};

/** Accounts, received journals and faults of the SETD emulator, on disk under setd/. */
export class SetdStore {
  readonly #dir: string;

  constructor(dir: string) {
    this.#dir = ensureDir(dir);
    ensureDir(join(dir, 'messages'));
  }

  accounts(): SetdAccount[] {
    return this.#read<SetdAccount[]>('accounts.json', []);
  }

  /** An account by id, name or intake address. */
  account(ref: string): SetdAccount {
    const r = ref.toLowerCase();
    const hit = this.accounts().find((a) => a.id === r || a.name.toLowerCase() === r || a.intakeAddress.toLowerCase() === r);
    if (!hit) throw new UserError(`No SETD account "${ref}". Create one with "setd setup", list them with "setd accounts".`, ErrorCodes.notFound);
    return hit;
  }

  byIntakeAddress(address: string): SetdAccount | undefined {
    const wanted = address.toLowerCase();
    const hit = this.#cached<SetdAccount[]>('accounts.json', []).find((a) => a.intakeAddress.toLowerCase() === wanted);
    return hit && structuredClone(hit);
  }

  createAccount(opts: { name?: string; region?: string; segType?: 'cisco' | 'other'; header?: string }): SetdAccount {
    const region = findRegion(opts.region ?? 'north-america');
    if (!region) throw new UserError(`Unknown region "${opts.region}". Regions: ${REGIONS.map((r) => r.key).join(', ')}.`, ErrorCodes.invalidValue);
    const header = opts.header ?? 'X-IronPort-RemoteIP';
    if (!HEADER.test(header)) throw new UserError(`Invalid header name "${header}": use letters, digits and hyphens.`, ErrorCodes.invalidValue);
    const accounts = this.accounts();
    const name = opts.name ?? '';
    if (name && accounts.some((a) => a.name.toLowerCase() === name.toLowerCase())) throw new UserError(`There is already an account named "${name}".`, ErrorCodes.conflict);
    const uuid = globalThis.crypto.randomUUID(); // the global: node:crypto costs one-shot runs its load time
    const account: SetdAccount = {
      id: uuid.slice(0, 8),
      name,
      region: region.key,
      segPresent: true,
      segType: opts.segType ?? 'cisco',
      header,
      direction: 'Incoming',
      visibility: 'Visibility Only',
      intakeAddress: `${uuid}@${region.intakeDomain}`,
      createdAt: Date.now(),
    };
    this.#write('accounts.json', [...accounts, account]);
    return account;
  }

  /**
   * Appends a received journal to its account's file; resolves once it is synced (before the SMTP
   * reply). Journals arriving together share one append and one fsync (group commit).
   */
  saveMessage(m: ReceivedJournal): Promise<void> {
    let batch = this.#batches.get(m.account);
    if (!batch) {
      const lines: string[] = [];
      const written = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
        this.#batches.delete(m.account);
        const handle = await open(join(this.#dir, 'messages', `${m.account}.jsonl`), 'a');
        try {
          await handle.appendFile(lines.join(''));
          await handle.sync();
        } finally {
          await handle.close();
        }
      });
      batch = { lines, written };
      this.#batches.set(m.account, batch);
    }
    batch.lines.push(`${JSON.stringify(m)}\n`);
    return batch.written;
  }

  readonly #batches = new Map<string, { lines: string[]; written: Promise<void> }>();

  messages(account?: string): ReceivedJournal[] {
    const ids = account ? [account] : this.accounts().map((a) => a.id);
    return ids
      .flatMap((id) => {
        const file = join(this.#dir, 'messages', `${id}.jsonl`);
        if (!existsSync(file)) return [];
        return readFileSync(file, 'utf8')
          .split('\n')
          .filter(Boolean)
          .flatMap((l) => {
            try {
              return [JSON.parse(l) as ReceivedJournal];
            } catch {
              return []; // a line torn by a crash mid-write
            }
          });
      })
      .sort((a, b) => a.receivedAt - b.receivedAt);
  }

  faults(): Fault[] {
    return this.#read<Fault[]>('faults.json', []);
  }

  /** Sets the fault of an account (or of the whole server), replacing its previous one; 'none' clears it. */
  setFault(fault: Fault | { account: string | null; mode: 'none' }): void {
    const others = this.faults().filter((f) => f.account !== fault.account);
    this.#write('faults.json', fault.mode === 'none' ? others : [...others, fault as Fault]);
  }

  saveFaults(faults: Fault[]): void {
    this.#write('faults.json', faults);
  }

  /** The parsed file; callers get their own copy, so changing it changes nothing stored. */
  #read<T>(file: string, empty: T): T {
    return structuredClone(this.#cached(file, empty));
  }

  /** The shared parsed file: read only. */
  #cached<T>(file: string, empty: T): T {
    const path = join(this.#dir, file);
    const now = Date.now();
    let hit = cache.get(path);
    if (!hit || now - hit.checkedAt >= REVALIDATE_MS) {
      const stamp = stampOf(path);
      if (!hit || hit.stamp !== stamp) hit = { stamp, checkedAt: now, value: stamp === 'missing' ? empty : this.#parse(path) };
      hit.checkedAt = now;
      cache.set(path, hit);
    }
    return hit.value as T;
  }

  #parse(path: string): unknown {
    try {
      return JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new UserError(`SETD store file ${path} is corrupt: ${(error as Error).message}.`, ErrorCodes.configCorrupt);
    }
  }

  #write(file: string, data: unknown): void {
    const path = join(this.#dir, file);
    writeFileSync(`${path}.tmp`, JSON.stringify(data, null, 2));
    const fd = openSync(`${path}.tmp`, 'r');
    fsyncSync(fd);
    closeSync(fd);
    renameSync(`${path}.tmp`, path);
    cache.set(path, { stamp: stampOf(path), checkedAt: Date.now(), value: structuredClone(data) });
    if (file === 'faults.json') for (const changed of faultWatchers) changed();
  }
}
