import { serviceCell, TDC_CHOICE_NAMES } from '../commands/format/policy-table.js';
import { changeDescriber } from '../engine/config/changes.js';
import type { ServiceSetting, TdcPolicyMode } from '../engine/config/model.js';

/**
 * The web interface's words for values, in one place: the pages show them and the Uncommitted
 * Changes list speaks them (`Use Global Settings`, not the stored `global`). showchanges in the
 * CLI keeps its own words.
 */
export const enabledWord = (on: boolean) => (on ? 'Enabled' : 'Disabled');

/** The global Message Intake Address when none is set. */
export const NO_INTAKE_ADDRESS = 'Not configured';

/** A value in the words of the page that sets it; undefined leaves the neutral words. */
function pageWords(value: unknown, segments: string[]): string | undefined {
  const policy = segments[0] === 'incomingPolicies' || segments[0] === 'outgoingPolicies';
  const setting = segments.slice(policy ? 2 : 0).join('.');
  if (policy && setting === 'tdc.mode' && typeof value === 'string') return TDC_CHOICE_NAMES[value as TdcPolicyMode];
  if (policy && (setting === 'antispam' || setting === 'antivirus') && typeof value === 'string') return serviceCell(value as ServiceSetting);
  if (!policy && setting === 'tdc.enabled' && typeof value === 'boolean') return enabledWord(value);
  if (!policy && setting === 'tdc.intakeAddress' && value === null) return NO_INTAKE_ADDRESS;
  return undefined;
}

/** One pending change a line, in the pages' words: `Incoming Mail Policy partner: Threat Defense Connector: Use Default Settings -> Use Global Settings`. */
export const describeWebChange = changeDescriber(pageWords);
