import type { LogChannel } from './logs/appliance-logs.js';

/** The front ends a user logs in through; they share the accounts, the rules and this log. */
export type LoginFrontEnd = 'web' | 'ssh' | 'api';

/** The connection each front end's lines name, as AsyncOS words it. */
const CONNECTION: Record<LoginFrontEnd, string> = { web: 'HTTPS', api: 'HTTPS', ssh: 'SSH' };

/**
 * A user name as typed at a login can hold anything; in the log it stays one word on one line
 * (a name with a newline would forge a line of its own).
 */
function userOf(user: string): string {
  const printable = user.replace(/[^\x21-\x7e]/g, '?').slice(0, 64);
  return printable === '' ? '(none)' : printable;
}

/**
 * The authentication log: every login, failed login, lock and logout, with the user and the
 * client's address, in AsyncOS's text form (`Fri Mar 25 20:50:10 2022 Info: text`) and wording
 * (fixtures/fidelity.md). Written to the appliance's subscriptions of type authentication
 * (logs/authentication/authentication.current), buffered and rolled over as every log is; lines
 * carry the appliance clock's time.
 */
export class AuthLog {
  constructor(private readonly log: LogChannel) {}

  loggedOn(user: string, frontEnd: LoginFrontEnd, from: string): void {
    this.log.info(`The user ${userOf(user)} successfully logged on from ${from} with privilege admin using an ${CONNECTION[frontEnd]} connection.`);
  }

  failed(user: string, frontEnd: LoginFrontEnd, from: string): void {
    this.log.info(`An authentication attempt by the user ${userOf(user)} from ${from} failed using an ${CONNECTION[frontEnd]} connection.`);
  }

  /** The account is locked after `failures` failed logins in a row, for `minutes`. */
  locked(user: string, failures: number, minutes: number): void {
    this.log.write('Warning', `The user ${userOf(user)} is locked out for ${minutes} minutes after ${failures} failed authentication attempts.`);
  }

  /** A logout, or (idle) the end of a login for inactivity; `session` names the login (never its secret). */
  loggedOut(user: string, frontEnd: LoginFrontEnd, from: string, session: string, idle = false): void {
    const name = userOf(user);
    if (frontEnd === 'ssh') this.log.info(idle ? `CLI: User ${name} logged out from ${from} because of inactivity timeout` : `User ${name} logged out of SSH session ${from}`);
    else this.log.info(idle ? `GUI: User ${name} logged out from session ${session} because of inactivity timeout` : `logout:${from} user:${name} session:${session}`);
  }

  /** Writes what is buffered now (at stop; lines are otherwise written within 50 ms). */
  flush(): void {
    this.log.flush();
  }
}
