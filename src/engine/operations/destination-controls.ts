import { DEFAULT_DESTINATION, defaultControlOf, type DestinationControl } from '../config/model.js';
import { isDomain } from '../config/validate.js';
import { ErrorCodes } from '../../errors.js';
import type { ConfigEditor } from './config-editor.js';
import { checkSetting, SettingError, type SettingKey } from './setting-error.js';

/*
 * The destination controls' operations (destconfig): per destination domain, at most so many
 * connections and so many messages on each; Default stands for every domain without an entry.
 */

/** Connections and messages per connection: the range the stored file's schema allows too. */
export const CONTROL_LIMIT = { min: 1, max: 1000 } as const;

/** A destination of its own entry: a domain (Default is not typed as one, it is always there). */
export const controlDomainProblem = (d: string): string | null => (isDomain(d) ? null : 'enter a domain');

/** A destination as the table keeps it: Default (any case), else a domain in lower case. */
function controlDomain(domain: string): string {
  if (domain.toLowerCase() === DEFAULT_DESTINATION.toLowerCase()) return DEFAULT_DESTINATION;
  return checkSetting('destination.domain', domain, controlDomainProblem).toLowerCase();
}

/** A limit outside the range, for front ends that do not parse numbers by it themselves. */
function checkLimit(setting: SettingKey, n: number | undefined): void {
  if (n !== undefined && !(Number.isInteger(n) && n >= CONTROL_LIMIT.min && n <= CONTROL_LIMIT.max)) {
    throw new SettingError(setting, `enter a whole number from ${CONTROL_LIMIT.min} to ${CONTROL_LIMIT.max}`, { value: String(n) });
  }
}

/** One entry per destination, whatever case the stored file or the user gave it in. */
const entryIndex = (controls: readonly DestinationControl[], domain: string): number => controls.findIndex((c) => c.domain.toLowerCase() === domain.toLowerCase());

export interface ControlLimits {
  maxConnections?: number;
  maxMessagesPerConnection?: number;
}

/**
 * Sets the limits of a destination (Default included): its entry is made when it has none,
 * starting from Default's limits; a limit not given is left as it is.
 */
export function setDestinationControl(editor: ConfigEditor, domain: string, limits: ControlLimits): void {
  const d = controlDomain(domain);
  checkLimit('destination.maxConnections', limits.maxConnections);
  checkLimit('destination.maxMessagesPerConnection', limits.maxMessagesPerConnection);
  editor.session.config.edit((c) => {
    let entry = c.destinationControls[entryIndex(c.destinationControls, d)];
    if (!entry) {
      const defaults = defaultControlOf(c.destinationControls);
      entry = { domain: d, maxConnections: defaults.maxConnections, maxMessagesPerConnection: defaults.maxMessagesPerConnection };
      c.destinationControls.push(entry);
    }
    if (limits.maxConnections !== undefined) entry.maxConnections = limits.maxConnections;
    if (limits.maxMessagesPerConnection !== undefined) entry.maxMessagesPerConnection = limits.maxMessagesPerConnection;
  });
}

/** Deletes a destination's entry: its mail then follows Default, which itself cannot be deleted. */
export function deleteDestinationControl(editor: ConfigEditor, domain: string): void {
  const d = domain.toLowerCase();
  if (d === DEFAULT_DESTINATION.toLowerCase()) throw new SettingError('destination.domain', `the ${DEFAULT_DESTINATION} entry cannot be deleted`);
  editor.session.config.edit((c) => {
    const i = entryIndex(c.destinationControls, d);
    if (i < 0) throw new SettingError('destination.domain', `${d} was not found in the destination control table`, { code: ErrorCodes.notFound, startsWithName: true });
    c.destinationControls.splice(i, 1);
  });
}
