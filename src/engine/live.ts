import type { HostStatus } from './host-status.js';

/**
 * The live parts of a running appliance, as operator commands see them. Present on the
 * Appliance only while it runs in this process (the shell's embedded one, or `segsim start`).
 */
export interface LiveAppliance {
  /** every destination with counters, the.tdc.queue included */
  hosts(): HostStatus[];
}
