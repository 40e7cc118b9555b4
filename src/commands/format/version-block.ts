import type { ApplianceIdentity } from '../../engine/appliance-identity.js';
import { ASYNCOS_BUILD_DATE, ASYNCOS_MODEL, ASYNCOS_VERSION } from '../../version.js';

const pad = (n: number) => String(n).padStart(2, '0');
/** `2024-02-16 21:19:22`, local time */
const isoLocal = (ms: number) => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
};

/**
 * `version` as a virtual appliance prints it: the fields of asyncos-cli.md §1.4 / §10.9, in that
 * order. A virtual appliance has no BIOS version of its own, no RAID and no BMC to report.
 */
export function renderVersion(id: ApplianceIdentity): string {
  return [
    '',
    'Current Version',
    '===============',
    `Model: ${ASYNCOS_MODEL}`,
    `Version: ${ASYNCOS_VERSION}`,
    `Build Date: ${ASYNCOS_BUILD_DATE}`,
    `Install Date: ${isoLocal(id.installedAt)}`,
    `Serial #: ${id.serial}`,
    'BIOS: NA',
    'RAID: NA',
    'RAID Status: Unknown',
    'RAID Type: NA',
    'BMC: NA',
  ].join('\n');
}
