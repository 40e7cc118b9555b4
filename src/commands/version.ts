import { ASYNCOS_VERSION, SEGSIM_VERSION } from '../version.js';
import type { CommandSpec } from './types.js';

export const versionCommand: CommandSpec = {
  name: 'version',
  summary: 'View system version information.',
  help: 'version',
  async run(ctx) {
    ctx.io.print(
      [
        'Current Version',
        '===============',
        'Product: Cisco Secure Email Gateway (segsim emulator)',
        'Model: C100V',
        `Version: ${ASYNCOS_VERSION}`,
        `Build Date: 2024-01-15`,
        `Install Date: ${new Date(ctx.appliance.clock.now()).toISOString().slice(0, 10)}`,
        'Serial #: 4229A1B2C3D4-SEGSIM0001',
        'BIOS: segsim',
        'RAID: NA',
        'RAID Status: NA',
        'RAID Type: NA',
        'BMC: NA',
        `segsim: ${SEGSIM_VERSION}`,
      ].join('\n'),
    );
  },
};
