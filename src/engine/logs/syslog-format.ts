/*
 * The syslog form of a log subscription's lines, as AsyncOS pushes them (ecosystem.md §3; the
 * samples of Elastic's cisco_secure_email_gateway package):
 *
 *   <166>Mar 17 18:24:37 mail_logs: Info: Start MID 6 ICID 5
 *
 * An RFC 3164 header with no HOSTNAME field: the log's name stands where a syslog program's tag
 * stands, so that receivers (rsyslog, syslog-ng, Elastic's grok `%{DATA:category}: %{WORD:level}:`)
 * take the log name as the tag and the host from the packet's source. Pure: no I/O here.
 */

import { SYSLOG_FACILITIES } from '../config/model.js';
import type { LineLevel } from './log-lines.js';

export type { LineLevel };

export type SyslogFacility = (typeof SYSLOG_FACILITIES)[number];

/** The facility codes (RFC 3164 and the BSD syslog.h AsyncOS is built on: ntp 12, security 13, console 14). */
const FACILITY_CODE: Record<SyslogFacility, number> = {
  auth: 4,
  authpriv: 10,
  console: 14,
  daemon: 3,
  ftp: 11,
  local0: 16,
  local1: 17,
  local2: 18,
  local3: 19,
  local4: 20,
  local5: 21,
  local6: 22,
  local7: 23,
  mail: 2,
  ntp: 12,
  security: 13,
  user: 1,
};

export const isSyslogFacility = (name: string): name is SyslogFacility => (SYSLOG_FACILITIES as readonly string[]).includes(name);

/** A line's severity in the PRI: critical 2, warning 4, informational 6, debug 7 (trace is debug to syslog). */
const SEVERITY: Record<LineLevel, number> = { Critical: 2, Warning: 4, Info: 6, Debug: 7, Trace: 7 };

/** The PRI of a line: facility * 8 + severity (`mail_logs: Info:` on local4 is 166). */
export function syslogPriority(facility: SyslogFacility, level: LineLevel): number {
  return FACILITY_CODE[facility] * 8 + (SEVERITY[level] ?? SEVERITY.Info);
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/**
 * RFC 3164's TIMESTAMP, `Mmm dd hh:mm:ss` in the appliance's local time as its files are: a day
 * below 10 is space-padded (`Mar  7`), as the RFC asks and rsyslog and Elastic's SYSLOGTIMESTAMP read.
 */
export function syslogTimestamp(ms: number): string {
  const d = new Date(ms);
  return `${MONTHS[d.getMonth()]} ${String(d.getDate()).padStart(2, ' ')} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/**
 * One pushed line, without framing: `<PRI>Mmm dd hh:mm:ss <logname>: <Level>: <text>`. A line
 * break in the text (never in a written line, but a line is one event) becomes a space: over
 * TCP a line break ends the event.
 */
export function syslogLine(logName: string, facility: SyslogFacility, level: LineLevel, time: number, text: string): string {
  return `<${syslogPriority(facility, level)}>${syslogTimestamp(time)} ${logName}: ${level}: ${text.replace(/[\r\n]+/g, ' ')}`;
}
