import { applianceIdentity } from '../engine/appliance-identity.js';
import { renderVersion } from './format/version-block.js';
import type { CommandSpec } from './types.js';

export const versionCommand: CommandSpec = {
  name: 'version',
  summary: 'View system version information.',
  help: "version\n\nThe emulated appliance's model, AsyncOS version, install date and serial number (made for this home at its first use).\nsegsim's own version: segsim -V",
  async run(ctx) {
    const id = applianceIdentity(ctx.appliance.paths, ctx.appliance.clock.now());
    if (id.problem) ctx.io.print(ctx.io.style.warn(id.problem));
    ctx.io.print(renderVersion(id));
  },
};
