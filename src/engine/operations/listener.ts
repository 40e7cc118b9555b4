import { isIP } from 'node:net';
import type { ApplianceConfig, ListenerConfig } from '../config/model.js';
import { HAT_SENDER, LISTENER_NAME, RAT_ENTRY } from '../config/validate.js';
import { DEFAULT_HOST_ACCESS, HAT_BEHAVIORS, type HatBehavior, type HostAccessTable } from '../host-access.js';
import { ErrorCodes } from '../../errors.js';
import type { ConfigEditor } from './config-editor.js';
import { checkSetting, SettingError } from './setting-error.js';

/*
 * The listener's operations: its own settings, its Host Access Table (HAT) and its Recipient
 * Access Table (RAT), for listenerconfig's flags and dialogs and any other front end.
 */

/** The listener's address: an IP address. */
export const bindAddressProblem = (value: string): string | null => (isIP(value) ? null : 'enter an IP address such as 127.0.0.1');

/** The effective HAT of a listener (one made before the HAT has the default: ALL ACCEPT). */
export const hostAccessOf = (l: Readonly<ListenerConfig>): HostAccessTable => l.hostAccess ?? { ...DEFAULT_HOST_ACCESS, entries: [] };

/** A behaviour as the operator types it (any case). */
export function hatBehavior(value: string): HatBehavior {
  const behavior = HAT_BEHAVIORS.find((b) => b === value.toUpperCase());
  if (!behavior) throw new SettingError('listener.hat.behavior', `enter one of ${HAT_BEHAVIORS.join(', ')}`, { value });
  return behavior;
}

/** A HAT row's senders, refused when the rule or the table says no; a row for them must not be there yet. */
export function checkNewHatSender(l: Readonly<ListenerConfig>, sender: string): string {
  checkSetting('listener.hat.sender', sender, HAT_SENDER.problem);
  if (hostAccessOf(l).entries.some((e) => e.sender === sender)) throw new SettingError('listener.hat.sender', `${sender} is already in the table`, { value: sender, code: ErrorCodes.conflict });
  return sender;
}

/**
 * Changes the pending HAT: created on first change, and gone again when it is back to the
 * default (so that a listener made before the HAT shows no change for an edit undone).
 */
function editHat(editor: ConfigEditor, change: (hat: HostAccessTable) => void): void {
  editor.session.config.edit((c) => {
    const hat = (c.listener.hostAccess ??= { ...DEFAULT_HOST_ACCESS, entries: [] });
    change(hat);
    if (hat.entries.length === 0 && hat.defaultBehavior === DEFAULT_HOST_ACCESS.defaultBehavior) delete c.listener.hostAccess;
  });
}

export function addHatEntry(editor: ConfigEditor, sender: string, behavior: HatBehavior): void {
  checkNewHatSender(editor.session.config.pending.listener, sender);
  editHat(editor, (hat) => void hat.entries.push({ sender, behavior }));
}

export function removeHatEntry(editor: ConfigEditor, sender: string): void {
  checkSetting('listener.hat.sender', sender, HAT_SENDER.problem);
  if (!hostAccessOf(editor.session.config.pending.listener).entries.some((e) => e.sender === sender)) {
    throw new SettingError('listener.hat.sender', `the HAT has no entry for ${sender}`, { code: ErrorCodes.notFound });
  }
  editHat(editor, (hat) => void (hat.entries = hat.entries.filter((e) => e.sender !== sender)));
}

/** The behaviour for all other senders (the ALL row). */
export function setHatDefault(editor: ConfigEditor, behavior: HatBehavior): void {
  editHat(editor, (hat) => void (hat.defaultBehavior = behavior));
}

/** An accepted domain as the RAT keeps it (lower case). */
export const ratDomain = (d: string): string => checkSetting('listener.rat.domain', d, RAT_ENTRY.problem).toLowerCase();

/**
 * The RAT's changes on a draft: domains to add are checked at once, domains to remove when the
 * change runs (the edit is then refused whole).
 */
function ratChange(add: string[], remove: string[]): (c: ApplianceConfig) => void {
  const adding = add.map(ratDomain);
  const removing = remove.map((d) => d.toLowerCase());
  return (c) => {
    for (const d of removing) {
      if (!c.listener.acceptDomains.includes(d)) throw new SettingError('listener.rat.domain', `the listener does not accept ${d}`, { code: ErrorCodes.notFound });
      c.listener.acceptDomains.splice(c.listener.acceptDomains.indexOf(d), 1);
    }
    for (const d of adding) if (!c.listener.acceptDomains.includes(d)) c.listener.acceptDomains.push(d);
  };
}

/** Accepts mail for more domains, or for fewer, in one edit. */
export function changeAcceptedDomains(editor: ConfigEditor, add: string[], remove: string[]): void {
  editor.session.config.edit(ratChange(add, remove));
}

/** The listener's own settings (numbers come checked against their ranges by the front end's parsing); the RAT's domains in the same edit. */
export function changeListener(
  editor: ConfigEditor,
  change: { name?: string; bindAddress?: string; port?: number; maxMessageSize?: number; acceptDomains?: string[]; removeDomains?: string[] },
): void {
  if (change.bindAddress !== undefined) checkSetting('listener.bindAddress', change.bindAddress, bindAddressProblem);
  if (change.name !== undefined) checkSetting('listener.name', change.name, LISTENER_NAME.problem);
  const rat = ratChange(change.acceptDomains ?? [], change.removeDomains ?? []);
  editor.session.config.edit((c) => {
    if (change.name !== undefined) c.listener.name = change.name;
    if (change.bindAddress !== undefined) c.listener.bindAddress = change.bindAddress;
    if (change.port !== undefined) c.listener.port = change.port;
    if (change.maxMessageSize !== undefined) c.listener.maxMessageSize = change.maxMessageSize;
    rat(c);
  });
}
