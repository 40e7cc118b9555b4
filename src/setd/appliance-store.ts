import { resolve } from 'node:path';
import type { Appliance } from '../engine/appliance.js';
import type { Clock } from '../engine/clock.js';
import { sharedSetdOf } from '../engine/cluster/shared-setd.js';
import { SetdStore } from './store.js';

const stores = new WeakMap<Appliance, SetdStore>();
/** the last store made in this process for each directory: the members of a lab cluster find their SETD's here */
const byDir = new Map<string, WeakRef<SetdStore>>();

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
    store = link ? sharedSetdStore(link.store, appliance.clock) : remember(appliance.paths.setd, new SetdStore(appliance.paths.setd, appliance.clock));
    stores.set(appliance, store);
  }
  return store;
}

/**
 * The store in `dir` this process already has (the SETD's of a lab cluster, or the embedded one
 * of the machine whose SETD a lab's cluster shares), else a new one on `clock`.
 */
export function sharedSetdStore(dir: string, clock: Clock): SetdStore {
  return byDir.get(resolve(dir))?.deref() ?? remember(dir, new SetdStore(dir, clock));
}

function remember(dir: string, store: SetdStore): SetdStore {
  byDir.set(resolve(dir), new WeakRef(store));
  return store;
}
