import type { Appliance } from '../engine/appliance.js';
import type { ApplianceConfig } from '../engine/config/model.js';
import { ErrorCodes, UserError } from '../errors.js';

/** What a front end that listens on a port of its own gives back once it listens. */
export interface DoorHandle {
  stop(): Promise<void>;
}

/** A front end served on a port of the configuration (the web interface, SSH, the API). */
export interface DoorSpec<T extends DoorHandle> {
  /** who says a problem, as the start banner and a refused commit word it: `The web interface` */
  part: string;
  /** its port in the committed configuration (a default when absent) */
  port(config: Readonly<ApplianceConfig>): number;
  /** the configuration change path that moves it (`lab.webPort`) */
  setting: string;
  /** starts it listening on 127.0.0.1:port (0: any free port); what it throws is its problem */
  open(port: number): Promise<T>;
}

/** A front end of the running appliance: what listens now, or why nothing does. */
export interface Door<T extends DoorHandle> {
  readonly handle: T | null;
  /** why it is not running (a port in use, a bad file), for the banner */
  readonly problem: string | null;
  /** the port it was asked to take */
  readonly port: number;
  close(): Promise<void>;
}

/**
 * Opens a front end as one part among others: when it cannot start, the problem is said and the
 * appliance runs without it. A committed port takes effect: a port that cannot be bound is
 * refused at commit, and after the commit the front end moves there (its logins end).
 */
export async function openDoor<T extends DoorHandle>(appliance: Appliance, spec: DoorSpec<T>): Promise<Door<T>> {
  let state: { handle: T | null; problem: string | null; port: number } = await start(spec, spec.port(appliance.configuration.current));
  let moving = Promise.resolve();
  const unguard = appliance.configuration.guard(async (next, previous) => {
    const port = spec.port(next);
    if (port === spec.port(previous) || port === 0) return;
    const { bindProblem } = await import('../engine/bind-probe.js');
    const problem = await bindProblem('127.0.0.1', port);
    if (problem) throw new UserError(`${spec.part} cannot listen on 127.0.0.1:${port} (${problem}).`, ErrorCodes.unavailable);
  });
  const unlisten = appliance.configuration.onCommit((_, record) => {
    if (!record.changes.some((c) => c.path === spec.setting)) return;
    // one move at a time; close() waits for it
    moving = moving
      .then(async () => {
        await state.handle?.stop();
        state = await start(spec, spec.port(appliance.configuration.current));
      })
      .catch(() => undefined);
  });
  return {
    get handle() {
      return state.handle;
    },
    get problem() {
      return state.problem;
    },
    get port() {
      return state.port;
    },
    async close() {
      unguard();
      unlisten();
      await moving;
      await state.handle?.stop();
      state = { ...state, handle: null };
    },
  };
}

async function start<T extends DoorHandle>(spec: DoorSpec<T>, port: number): Promise<{ handle: T | null; problem: string | null; port: number }> {
  try {
    return { handle: await spec.open(port), problem: null, port };
  } catch (error) {
    const e = error as NodeJS.ErrnoException & { address?: string; port?: number };
    // a port that cannot be taken is the operator's to fix, said by the part that wanted it
    if (e?.syscall === 'listen' && e.code) return { handle: null, problem: `${spec.part} cannot listen on ${e.address ?? '127.0.0.1'}:${e.port ?? port} (${e.code}).`, port };
    return { handle: null, problem: error instanceof Error ? error.message : String(error), port };
  }
}
