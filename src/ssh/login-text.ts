import { asyncosDate } from '../engine/time-format.js';
import { ASYNCOS_MODEL, ASYNCOS_VERSION } from '../version.js';

/** AsyncOS's CLI idle timeout by default: the NOTE of the login says it (ytti/oxidized#1172). */
export const SSH_IDLE_MINUTES = 30;

/** A CLI screen's date: the day zero-padded (`Fri Mar 04 16:13:11 2022`), unlike mail_logs. */
function cliDate(ms: number): string {
  return asyncosDate(ms).replace(/^(\w{3} \w{3}) {2}(\d) /, '$1 0$2 ');
}

/**
 * What an SSH login shows before the first prompt, line for line as a C100V shows it
 * (fidelity-turn3.md #1, ytti/oxidized#1172): the previous login, the release, the welcome and the
 * idle NOTE, wrapped as the appliance wraps it for an 80-column terminal.
 */
export function loginText(lastLogin: { at: number; from: string }, idleMinutes = SSH_IDLE_MINUTES): string {
  const [release, build] = ASYNCOS_VERSION.split('-');
  return [
    `Last login: ${cliDate(lastLogin.at)} from ${lastLogin.from}`,
    `AsyncOS ${release} for Cisco ${ASYNCOS_MODEL} build ${build}`,
    '',
    `Welcome to the Cisco ${ASYNCOS_MODEL} Email Security Virtual Appliance`,
    '',
    `NOTE: This session will expire if left idle for ${idleMinutes} minutes. Any uncommitted`,
    'configuration changes will be lost. Commit the configuration changes as soon as',
    'they are made.',
    '',
    '',
  ].join('\n');
}
