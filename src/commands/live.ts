import type { LiveAppliance } from '../engine/live.js';
import { ErrorCodes, UserError } from '../errors.js';
import type { CommandContext } from './types.js';

/** The running appliance, or a clear error that says how to start one. */
export function requireLive(ctx: CommandContext, command: string): LiveAppliance {
  if (ctx.appliance.live) return ctx.appliance.live;
  throw new UserError(
    `${command} needs a running appliance, and none is running on ${ctx.appliance.paths.root}. ` + 'Start one with "segsim start" (headless) or open the shell with "segsim", then run this again.',
    ErrorCodes.noAppliance,
  );
}

/** Resolves after ms, or early when the signal aborts; returns whether it was aborted. */
export function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(false);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(true);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
