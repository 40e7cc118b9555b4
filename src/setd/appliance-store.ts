import type { Appliance } from '../engine/appliance.js';
import { SetdStore } from './store.js';

const stores = new WeakMap<Appliance, SetdStore>();

/**
 * The SETD emulator's store of an appliance, one per appliance and on its clock: commands, the web
 * portal, the labs and the intake share it, so a fault set by a command reaches the intake as an
 * event. Made when first used. It lives here, keyed by the appliance, because the engine knows
 * nothing of the SETD emulator: the SETD is a service the appliance journals to, not a part of it.
 */
export function setdStoreOf(appliance: Appliance): SetdStore {
  let store = stores.get(appliance);
  if (!store) stores.set(appliance, (store = new SetdStore(appliance.paths.setd, appliance.clock)));
  return store;
}
