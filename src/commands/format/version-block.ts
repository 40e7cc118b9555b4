import type { ApplianceIdentity } from '../../engine/appliance-identity.js';
import { ASYNCOS_BUILD_DATE, ASYNCOS_MODEL, ASYNCOS_VERSION } from '../../version.js';

const pad = (n: number) => String(n).padStart(2, '0');
/** `2024-02-16 21:19:22`, local time */
const isoLocal = (ms: number) => {
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
};

/**
 * What a virtual appliance reports of its virtual machine. The lines' form is a virtual
 * appliance's (fidelity-sources C1, C2); the C100V's figures are not in any source and are marked
 * in fixtures/fidelity.md. BIOS 6.00 is VMware's, as on the virtual appliances of C1 (a real
 * C100V's serial has VMware's `42` prefix, D2).
 */
const VIRTUAL_MACHINE = ['BIOS: 6.00', 'CPUs: 2 expected, 2 allocated', 'Memory: 8192 MB expected, 8192 MB allocated', 'Hard disk: 200 GB expected; 200 GB allocated'];

/** The rule sets every AsyncOS lists after BMC, with their versions and dates as in C2. */
const ENGINES = ['Cisco Trusted Root Certificate Bundle: 2.0 (Tue Oct 05 13:36:26 2021)', 'Cisco Certificate Blacklist: 1.3 (Tue May 04 11:37:10 2021)'];

/**
 * `version` as a virtual appliance prints it: the fields of asyncos-cli.md §1.4 / §10.9 in that
 * order, with a virtual appliance's Product line and machine lines (fidelity-sources C1, C2). A
 * virtual appliance has no RAID and no BMC to report.
 */
export function renderVersion(id: ApplianceIdentity): string {
  return [
    '',
    'Current Version',
    '===============',
    `Product: Cisco ${ASYNCOS_MODEL} Email Security Virtual Appliance`,
    `Model: ${ASYNCOS_MODEL}`,
    `Version: ${ASYNCOS_VERSION}`,
    `Build Date: ${ASYNCOS_BUILD_DATE}`,
    `Install Date: ${isoLocal(id.installedAt)}`,
    `Serial #: ${id.serial}`,
    ...VIRTUAL_MACHINE,
    'RAID: NA',
    'RAID Status: Unknown',
    'RAID Type: NA',
    'BMC: NA',
    ...ENGINES,
  ].join('\n');
}
