/**
 * The SETD setup wizard as data, as the seed walks it: the four steps, their questions and
 * choices, and what the emulator refuses (it has no Microsoft 365 tenant). The CLI's `setd setup`
 * and the portal's pages both follow this one description.
 */
import { HEADER_NAME } from '../engine/config/validate.js';

export const WIZARD_STEPS = ['Secure Email Gateway', 'Message Source', 'Visibility & Remediation', 'Message Intake'] as const;

export const SEG_QUESTION = {
  prompt: 'Do you have a Secure Email Gateway (SEG)?',
  choices: [
    { key: 'yes', label: 'Yes, Secure Email Gateway is present.' },
    { key: 'no', label: 'No, Secure Email Gateway is not present.' },
  ],
  refusal: 'Without a SEG, Microsoft 365 is the message source, and this emulator has no Microsoft 365 tenant. Journaling from a gateway needs the answer Yes.',
} as const;

export const SEG_TYPE_QUESTION = {
  prompt: 'Indicate type of SEG and header',
  choices: [
    { key: 'cisco', label: 'Cisco SEG' },
    { key: 'other', label: 'Non-Cisco SEG' },
  ],
} as const;

/** The header SETD reads the original sender's IP address from. */
export const DEFAULT_SEG_HEADER = 'X-IronPort-RemoteIP';

export const HEADER_QUESTION = {
  prompt: 'Which header carries the original sender IP?',
  choices: [
    { key: 'default', label: `Use Cisco SEG default header ${DEFAULT_SEG_HEADER}` },
    { key: 'custom', label: 'Use Custom SEG header' },
  ],
  customPrompt: 'Enter the custom SEG header.',
} as const;

/** A header name SETD can be told to read (letters, digits and hyphens). */
export function headerProblem(name: string): string | null {
  return HEADER_NAME.problem(name);
}

export const SOURCE_QUESTION = {
  prompt: 'Message Source',
  choices: [
    { key: 'microsoft-365', label: 'Microsoft 365' },
    { key: 'gateway', label: 'Gateway (for incoming messages only)' },
  ],
  refusal: 'Microsoft 365 needs a Microsoft 365 tenant, which the emulator does not have. Choose Gateway.',
} as const;

export const DIRECTION_QUESTION = {
  prompt: 'Message Direction (a gateway message source is incoming only):',
  choices: [
    { key: 'incoming', label: 'Incoming' },
    { key: 'internal', label: 'Internal' },
    { key: 'outgoing', label: 'Outgoing' },
  ],
  refusal: 'A Secure Email Gateway sends incoming messages only: choose Incoming.',
} as const;

export const VISIBILITY_QUESTION = {
  prompt: 'Visibility & Remediation:',
  choices: [
    { key: 'read-write', group: 'Microsoft 365 Authentication', label: 'Read/Write (Recommended)' },
    { key: 'read', group: 'Microsoft 365 Authentication', label: 'Read' },
    { key: 'visibility-only', group: 'No Authentication', label: 'Visibility Only' },
  ],
  refusal: 'Microsoft 365 authentication needs a Microsoft 365 tenant, which the emulator does not have. Choose No Authentication.',
} as const;

/** The choice the emulator accepts, for each question that has only one. */
export const ACCEPTED = { seg: 'yes', source: 'gateway', direction: 'incoming', visibility: 'visibility-only' } as const;
