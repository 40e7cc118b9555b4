import { mailboxProblem, tdcNeedsAddress } from '../config/validate.js';
import type { ConfigEditor } from './config-editor.js';
import { checkSetting, SettingError } from './setting-error.js';

/** The global Message Intake Address: a mailbox (RFC 5321), as SETD issues it. */
export const intakeAddressProblem = mailboxProblem;

/**
 * Changes the Threat Defense Connector's global settings. Enabling needs an intake address, given
 * or already set; a null address clears it, which a disabled connector allows.
 */
export function changeTdcSettings(editor: ConfigEditor, change: { enabled?: boolean; intakeAddress?: string | null }): void {
  const address = change.intakeAddress ?? undefined;
  if (address !== undefined) checkSetting('tdc.intakeAddress', address, intakeAddressProblem);
  editor.session.config.edit((c) => {
    if (change.intakeAddress !== undefined) c.tdc.intakeAddress = change.intakeAddress;
    if (change.enabled !== undefined) c.tdc.enabled = change.enabled;
    if (tdcNeedsAddress(c.tdc)) throw new SettingError('tdc.intakeAddress', 'a Message Intake Address is required to enable the Threat Defense Connector', { missing: true });
  });
}
