import { zonedDate } from '../../engine/time-format.js';

/** The line a commit ends with, its date in the appliance's zone: `Changes committed: Fri Feb 16 21:19:22 2024 EDT`. */
export const changesCommitted = (at: number) => `Changes committed: ${zonedDate(at)}`;

/** The question `commit` asks after the comment (asyncos-cli.md §1.3, §10.5). */
export const ROLLBACK_QUESTION = 'Do you want to save the current configuration for rollback?';
