import { writeJsonAtomic } from '../atomic-file.js';
import { join } from 'node:path';
import { keepAside, readJsonFile, type ProblemReport } from '../state-file.js';
import { jsonShape } from '../json-shape.js';
import { idsSchema, type IdsFile } from '../state-schema.js';
import { validateIds } from '../state-schema.generated.js';

export type IdKind = 'mid' | 'icid' | 'dcid';
export type IdSet = Record<IdKind, number>;
const BLOCK = 1000;
const IDS_FILE = jsonShape<IdsFile>(idsSchema, validateIds);

/** What the allocator needs when ids.json cannot be used. */
export interface IdRecovery {
  now: () => number;
  report: ProblemReport;
  /** the highest ID of each kind in the spool and mail_logs (0 when none); read only when needed */
  highestUsed: () => IdSet;
}

/** The larger of two ID sets, kind by kind. */
export function maxIds(a: IdSet, b: IdSet): IdSet {
  return { mid: Math.max(a.mid, b.mid), icid: Math.max(a.icid, b.icid), dcid: Math.max(a.dcid, b.dcid) };
}

/**
 * ICIDs, MIDs and DCIDs that never repeat, also across restarts and crashes, and that go on with
 * the next one after a restart. Intake pays no write per ID: while the appliance runs, the state
 * file holds a high-water mark reserved a block ahead, synced before any ID of a new block is used.
 * A clean stop writes the next IDs themselves (`stopped`), so the next start continues exactly.
 * After a crash the file still holds the reservation: IDs resume above the highest one the spool
 * and mail_logs hold, and never below the start of the last reserved block (every ID under it was
 * issued); an ID issued in the last moments that left no trace in either may be issued again.
 * A missing or bad file (kept aside, reported) is rebuilt a block above the highest ID in the spool
 * and mail_logs, since nothing then bounds what was issued.
 */
export class IdAllocator {
  readonly #file: string;
  #next: IdSet;
  #reserved: IdSet;

  constructor(stateDir: string, recovery: IdRecovery) {
    this.#file = join(stateDir, 'ids.json');
    const read = readJsonFile(this.#file, IDS_FILE);
    if (read.state === 'ok') {
      const { mid, icid, dcid, stopped } = read.value;
      const marks: IdSet = { mid, icid, dcid };
      // after a crash (or a file of an older segsim): above what was used, within the last block
      this.#next = stopped ? marks : maxIds(plusOne(recovery.highestUsed()), { mid: mid - BLOCK, icid: icid - BLOCK, dcid: dcid - BLOCK });
      // the first ID issued reserves a block (and marks the file as running again)
      this.#reserved = { ...this.#next };
      return;
    }
    const used = recovery.highestUsed();
    const fresh = used.mid === 0 && used.icid === 0 && used.dcid === 0;
    const resume: IdSet = fresh ? { mid: 1, icid: 1, dcid: 1 } : { mid: used.mid + 1 + BLOCK, icid: used.icid + 1 + BLOCK, dcid: used.dcid + 1 + BLOCK };
    this.#next = { ...resume };
    this.#reserved = { ...resume };
    if (read.state === 'missing' && fresh) return; // a new home
    const why = read.state === 'bad' ? `is ${read.problem}; kept as ${keepAside(this.#file, recovery.now())}` : 'is missing';
    this.#persist();
    recovery.report(`State file ${this.#file} ${why}. IDs resume at MID ${resume.mid}, ICID ${resume.icid}, DCID ${resume.dcid}, above every ID in the spool and mail_logs.`);
  }

  next(kind: IdKind): number {
    if (this.#next[kind] >= this.#reserved[kind]) {
      this.#reserved[kind] = this.#next[kind] + BLOCK;
      this.#persist();
    }
    return this.#next[kind]++;
  }

  /** The last ID issued of a kind (0 before the first). */
  last(kind: IdKind): number {
    return this.#next[kind] - 1;
  }

  /**
   * At a clean stop, once no more IDs are issued: records the next IDs, so that the next start
   * continues with them. An ID asked for after this reserves a block again, as at any time.
   */
  close(): void {
    this.#reserved = { ...this.#next };
    writeJsonAtomic(this.#file, { ...this.#next, stopped: true }, { compact: true });
  }

  #persist(): void {
    writeJsonAtomic(this.#file, this.#reserved, { compact: true });
  }
}

const plusOne = (ids: IdSet): IdSet => ({ mid: ids.mid + 1, icid: ids.icid + 1, dcid: ids.dcid + 1 });
