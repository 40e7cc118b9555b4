import type { Appliance } from '../engine/appliance.js';
import type { Clock } from '../engine/clock.js';
import { sharedSetdOf } from '../engine/cluster/shared-setd.js';
import { SetdStore } from './store.js';

const stores = new WeakMap<Appliance, SetdStore>();
/** the stores of lab clusters' SETDs in this process, by directory: every member there shares one */
const shared = new Map<string, SetdStore>();

/**
 * The SETD emulator's store of an appliance, one per appliance and on its clock: commands, the web
 * portal, the labs and the intake share it, so a fault set by a command reaches the intake as an
 * event. Made when first used. It lives here, keyed by the appliance, because the engine knows
 * nothing of the SETD emulator: the SETD is a service the appliance journals to, not a part of it.
 * A member of a lab cluster journals to the cluster's one SETD: its store is that one's
 * (sharedSetdStore), the same object for every member this process runs.
 */
export function setdStoreOf(appliance: Appliance): SetdStore {
  let store = stores.get(appliance);
  if (!store) {
    const link = sharedSetdOf(appliance.paths);
    store = link ? sharedSetdStore(link.store, appliance.clock) : new SetdStore(appliance.paths.setd, appliance.clock);
    stores.set(appliance, store);
  }
  return store;
}

/** The store of a lab cluster's SETD in `dir`, one per directory in this process (on the clock of the first to use it). */
export function sharedSetdStore(dir: string, clock: Clock): SetdStore {
  let store = shared.get(dir);
  if (!store) shared.set(dir, (store = new SetdStore(dir, clock)));
  return store;
}
