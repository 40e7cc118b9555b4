import { EventEmitter } from 'node:events';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock, type Clock } from '../engine/clock.js';
import { ensureDir } from '../engine/home.js';
import { ErrorCodes, UserError } from '../errors.js';
import { appendLines } from './line-file.js';
import { CheckedJsonFile, describeProblem, type FileProblem } from './checked-file.js';
import { checkValue, HEADER_NAME } from '../engine/config/validate.js';
import { findRegion, REGION } from './regions.js';
import { jsonShape } from '../engine/json-shape.js';
import { accountsSchema, faultsSchema, type Fault, type SetdAccount } from './store-schemas.js';
import { validateAccounts, validateFaults } from './store-schemas.generated.js';
import type { Verdict } from './verdicts.js';

export type { Fault, SetdAccount };

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

const ACCOUNTS_FILE = jsonShape<SetdAccount[]>(accountsSchema, validateAccounts);
const FAULTS_FILE = jsonShape<Fault[]>(faultsSchema, validateFaults);

/** A fault cleared by `setd fault none`: of one account, or (account null) every fault. */
export type FaultClearing = { account: string | null; mode: 'none' };

/** Events of a store: `faults` after any change of the faults (this process or another); `problem` when a file is set aside. */
type StoreEvents = { faults: []; problem: [FileProblem] };

/**
 * Accounts, received journals and faults of the SETD emulator, on disk under setd/. One store per
 * appliance (setdStoreOf in appliance-store.ts), on the appliance's clock: fault expiry, creation and reception
 * times all read it. Faults set here are told at once (`faults` event); faults set by another
 * process are seen when a read finds the file changed (CheckedJsonFile looks at most every 250 ms).
 * A corrupt or misshapen accounts.json or faults.json is set aside and reported, never thrown at
 * the intake: see `problems()`.
 */
export class SetdStore extends EventEmitter<StoreEvents> {
  readonly clock: Clock;
  readonly #dir: string;
  readonly #accounts: CheckedJsonFile<SetdAccount[]>;
  readonly #faults: CheckedJsonFile<Fault[]>;

  constructor(dir: string, clock: Clock = systemClock) {
    super();
    this.clock = clock;
    this.#dir = ensureDir(dir);
    ensureDir(join(dir, 'messages'));
    const now = () => this.clock.now();
    const setAside = (problem: FileProblem) => this.emit('problem', problem);
    this.#accounts = new CheckedJsonFile(join(dir, 'accounts.json'), { label: 'accounts', shape: ACCOUNTS_FILE, empty: () => [], now, setAside });
    this.#faults = new CheckedJsonFile(join(dir, 'faults.json'), { label: 'faults', shape: FAULTS_FILE, empty: () => [], now, setAside, changed: () => this.emit('faults') });
  }

  /** The store files found bad (set aside), each with its problem; empty when all is well. */
  problems(): FileProblem[] {
    return [this.#accounts.problem(), this.#faults.problem()].filter((p): p is FileProblem => p !== null);
  }

  /** The accounts; throws, naming the file and its problem, while accounts.json is bad. */
  accounts(): SetdAccount[] {
    return structuredClone(this.#readAccounts());
  }

  /** An account by id, name or intake address. */
  account(ref: string): SetdAccount {
    const r = ref.toLowerCase();
    const hit = this.accounts().find((a) => a.id === r || a.name.toLowerCase() === r || a.intakeAddress.toLowerCase() === r);
    if (!hit) throw new UserError(`No SETD account "${ref}". Create one with "setd setup", list them with "setd accounts".`, ErrorCodes.notFound);
    return hit;
  }

  /**
   * The account of an intake address (shared: read only), for the intake, which asks at every
   * RCPT; never throws. 'unavailable' while accounts.json is bad, so that the intake can answer
   * with a temporary error instead of calling a known address unknown.
   */
  byIntakeAddress(address: string): SetdAccount | undefined | 'unavailable' {
    const accounts = this.#accounts.read();
    if (this.#accounts.problem()) return 'unavailable';
    const wanted = address.toLowerCase();
    return accounts.find((a) => a.intakeAddress.toLowerCase() === wanted);
  }

  createAccount(opts: { name?: string; region?: string; segType?: 'cisco' | 'other'; header?: string }): SetdAccount {
    const region = findRegion(checkValue(REGION, opts.region ?? 'north-america'))!;
    const header = opts.header ?? 'X-IronPort-RemoteIP';
    checkValue(HEADER_NAME, header);
    const accounts = this.#readAccounts();
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
      createdAt: this.clock.now(),
    };
    this.#accounts.write([...accounts, account]);
    return structuredClone(account);
  }

  /**
   * Takes in an account made by another appliance's SETD emulator, same id and intake address: the
   * members of a lab cluster each run an emulator, and together they stand for one SETD tenant.
   */
  adoptAccount(account: SetdAccount): void {
    const accounts = this.#readAccounts();
    if (accounts.some((a) => a.id === account.id || a.intakeAddress.toLowerCase() === account.intakeAddress.toLowerCase())) return;
    this.#accounts.write([...accounts, structuredClone(account)]);
  }

  /** The shared parsed accounts (read only); throws while the file is bad. */
  #readAccounts(): SetdAccount[] {
    const accounts = this.#accounts.read();
    const problem = this.#accounts.problem();
    if (problem) throw new UserError(describeProblem(problem), ErrorCodes.configCorrupt);
    return accounts;
  }

  /**
   * Appends a received journal to its account's file; resolves once it is synced (before the SMTP
   * reply), rejects when it could not be stored (a full disk: the intake answers 451, and the
   * sender tries again). Journals arriving together share one append and one fsync (group
   * commit); the appends to one file run one after the other, each after the last has settled.
   */
  saveMessage(m: ReceivedJournal): Promise<void> {
    let batch = this.#batches.get(m.account);
    if (!batch) {
      const lines: string[] = [];
      const previous = this.#appends.get(m.account) ?? Promise.resolve();
      const written = previous
        .then(() => new Promise<void>((resolve) => setImmediate(resolve)))
        .then(async () => {
          this.#batches.delete(m.account);
          await appendLines(join(this.#dir, 'messages', `${m.account}.jsonl`), lines.join(''));
        });
      const settled = written.catch(() => undefined);
      this.#appends.set(m.account, settled);
      void settled.then(() => {
        if (this.#appends.get(m.account) === settled) this.#appends.delete(m.account);
      });
      batch = { lines, written };
      this.#batches.set(m.account, batch);
    }
    batch.lines.push(`${JSON.stringify(m)}\n`);
    return batch.written;
  }

  readonly #batches = new Map<string, { lines: string[]; written: Promise<void> }>();
  /** the last append of each account's file, settled either way */
  readonly #appends = new Map<string, Promise<void>>();

  /** The journals received, of one account or of all (by their files: readable while accounts.json is bad). */
  messages(account?: string): ReceivedJournal[] {
    const ids = account ? [account] : readdirSync(join(this.#dir, 'messages')).flatMap((f) => (f.endsWith('.jsonl') ? [f.slice(0, -'.jsonl'.length)] : []));
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

  /** Every stored fault, expired ones included; none while faults.json is bad. */
  faults(): Fault[] {
    return structuredClone(this.#faults.read());
  }

  /** The faults in force now, on the store's clock (shared: read only). The intake asks on every command. */
  activeFaults(): readonly Fault[] {
    const now = this.clock.now();
    return this.#faults.read().filter((f) => (f.until === undefined || f.until > now) && (f.remaining === undefined || f.remaining > 0));
  }

  /**
   * Sets the fault of an account (or of the whole server), replacing its previous one. 'none'
   * with an account clears that account's fault; without one, it clears every fault.
   */
  setFault(fault: Fault | FaultClearing): void {
    if (fault.mode === 'none' && fault.account === null) return this.#saveFaults([]);
    const others = this.activeFaults().filter((f) => f.account !== fault.account);
    this.#saveFaults(fault.mode === 'none' ? [...others] : [...others, fault]);
  }

  /** Counts one use of a "next N" fault, on disk so that every process sees it. */
  consumeFault(fault: Fault): void {
    if (fault.remaining === undefined) return;
    this.#saveFaults(this.activeFaults().map((f) => (f === fault ? { ...f, remaining: f.remaining! - 1 } : f)));
  }

  #saveFaults(faults: Fault[]): void {
    this.#faults.write(structuredClone(faults));
    this.emit('faults');
  }
}
