/**
 * The lines segsim writes to system_logs and gui_logs, worded once here (fixtures/fidelity.md
 * lists each with its source). Texts after the level; the writer adds date and level.
 */

/** Anything a client or an operator typed, on one line: a newline would forge a line of its own. */
export function oneLine(text: string, max = 1024): string {
  // the control characters (code points below 32, and DEL) as one space each run
  return text.replace(/\p{Cc}+/gu, ' ').slice(0, max);
}

/** A user name as one word (as the authentication log writes it). */
function word(text: string): string {
  const printable = text.replace(/[^\x21-\x7e]/g, '?').slice(0, 64);
  return printable === '' ? '-' : printable;
}

/** system_logs at a commit: `PID 1237: User admin commit changes: Added a second CLI log for examples`. */
export function commitLine(pid: number, user: string, comment: string): string {
  return `PID ${pid}: User ${word(user)} commit changes: ${oneLine(comment)}`;
}

/** system_logs when the appliance starts (the line mail_logs has at start). */
export const SYSTEM_STARTING = 'System is coming up.';
/** system_logs when the appliance stops (segsim's own words). */
export const SYSTEM_STOPPING = 'System is going down.';

/** One request of the web interface, as it stands in gui_logs. */
export interface GuiRequest {
  /** the client's address */
  from: string;
  /** the logged-in user, or null (the login page, a request without a login) */
  user: string | null;
  /** the login's name (never its cookie's secret), or null */
  session: string | null;
  status: number;
  method: string;
  /** the path without its query string (a query may carry what is no one's business) */
  path: string;
  /** `HTTP/1.1`, `HTTP/2.0` */
  protocol: string;
  userAgent: string | undefined;
}

/**
 * gui_logs' line for a request: `req:1.128.3.4 user:admin id:2v10z5fEuDsvhdbVE6Ck 200 GET /path HTTP/1.1 Mozilla/5.0 ...`
 * (`user:-`, `id:-` and a `-` agent when there is none). Never a query string, a form field,
 * the password or the CSRF token: only the path.
 */
export function guiRequestLine(r: GuiRequest): string {
  const path = oneLine(r.path.split('?')[0]!, 512).replace(/ /g, '%20');
  return `req:${word(r.from)} user:${r.user === null ? '-' : word(r.user)} id:${r.session ?? '-'} ${r.status} ${word(r.method)} ${path} ${word(r.protocol)} ${r.userAgent ? oneLine(r.userAgent, 512) : '-'}`;
}
