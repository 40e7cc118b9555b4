import { TDC_QUEUE } from '../config/model.js';
import { asyncosDate } from '../time-format.js';
import { smtpCode, type Failure, type TlsCause } from './delivery/failure.js';
import type { LineLevel as LogLevel } from '../logs/log-lines.js';
import type { MailEvent } from './mail-events.js';

/*
 * Every mail_logs line, worded once, from the events (Message Tracking's sentences are in
 * ../tracking-sentences.ts). Sources: the seed (all TDC: lines), Cisco's log templates (reference
 * asyncos-cli.md §4 and §10.7). Lines no source shows are marked "invented" below; the table
 * of every line with its source and confidence is fixtures/fidelity.md (keep both in step).
 */

export const SETD = 'Cisco Secure Email Threat Defense';
const rids = (r: number[]) => `[${r.join(', ')}]`;
const isTdc = (queue: string) => queue === TDC_QUEUE;
const tdc = (queue: string) => (isTdc(queue) ? 'TDC: ' : '');

/** `details:` and `reason:` of a Connection Error line. The seed shows "details: timeout"; the rest are plausible forms (unconfirmed). */
export const CONNECTION_WORDS: Record<string, { details: string; reason: string }> = {
  timeout: { details: 'timeout', reason: 'connection timed out' },
  refused: { details: 'Connection refused', reason: 'connection refused' },
  closed: { details: 'Connection closed', reason: 'network error' },
  reset: { details: 'Connection reset by peer', reason: 'network error' },
  other: { details: '[Errno 0] Error', reason: 'network error' },
};

/** The cause after `DCID n TLS failed:` ("STARTTLS unexpected response" is a real line; the others are invented in its style). */
const TLS_CAUSES: Record<TlsCause, string> = {
  'no-starttls': 'STARTTLS unexpected response',
  untrusted: 'verify error: certificate not trusted',
  protocol: 'protocol version not supported (TLSv1.2 or later required)',
  handshake: 'handshake failure',
};

/** `('451', ['4.7.1 Try again later'])`, as AsyncOS prints an SMTP reply in bounce lines. */
function pythonReply(f: Failure): string {
  if (f.kind !== 'smtp') return `('000', ['${failureWords(f)}'])`;
  const m = /^(\d{3})[ -](.*)$/s.exec(f.reply.replace(/\r?\n\d{3}-?/g, ' '));
  return m ? `('${m[1]}', ['${m[2]!.trim()}'])` : `('000', ['${f.reply}'])`;
}

/** The enhanced status words of a bounce line, e.g. `4.0.0 - Unknown address error`. */
function bounceReason(f: Failure): string {
  if (f.kind === 'smtp') {
    const enhanced = /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(f.reply)?.[1];
    return `${enhanced ?? `${f.code >= 500 ? '5' : '4'}.0.0`} - Unknown address error`;
  }
  if (f.kind === 'lost') return '5.3.0 - Other mail system problem';
  return '4.4.1 - No answer from host';
}

/** A short reason for a failure without an SMTP reply. */
function failureWords(f: Failure): string {
  switch (f.kind) {
    case 'smtp':
      return f.reply;
    case 'connection':
      return CONNECTION_WORDS[f.cause]!.reason;
    case 'tls':
      return 'TLS Error';
    case 'dns':
      return `DNS Hard Error looking up ${f.domain} (MX) : NXDomain`;
    case 'lost':
      return 'message file lost';
  }
}

/** An event's lines as they stand in mail_logs, with date and level. */
export function mailLogEntries(e: MailEvent): string[] {
  const prefix = `${asyncosDate(e.at)} ${logLevel(e)}: `;
  return mailLogLines(e).map((line) => prefix + line);
}

const WARNINGS = new Set<MailEvent['type']>(['listener.connectionError', 'spool.writeFailed', 'spool.quarantined', 'spool.requeued', 'appliance.warning', 'workQueue.error']);

/** The level a line is written at. */
export function logLevel(e: MailEvent): LogLevel {
  return WARNINGS.has(e.type) ? 'Warning' : 'Info';
}

/** The mail_logs lines (text after `Info: `) of one event, in order; none for events the log does not show. */
export function mailLogLines(e: MailEvent): string[] {
  switch (e.type) {
    case 'icid.opened':
      return [
        `New SMTP ICID ${e.icid} interface ${e.interfaceName} (${e.bindAddress}) address ${e.remoteIp} reverse dns host unknown verified no`,
        `ICID ${e.icid} ${e.access ?? 'ACCEPT'} SG None match ${e.match ?? 'ALL'} SBRS not enabled country not enabled`,
      ];
    case 'icid.tls':
      return [`ICID ${e.icid} TLS success protocol ${e.protocol} cipher ${e.cipher}`];
    case 'icid.closed':
      return [`ICID ${e.icid} close`];
    case 'message.started':
      return [`Start MID ${e.mid} ICID ${e.icid}`, `MID ${e.mid} ICID ${e.icid} From: <${e.from}>`];
    case 'recipient.accepted':
      return [`MID ${e.mid} ICID ${e.icid} RID ${e.rid} To: <${e.address}>`];
    case 'recipient.rejected':
      return [`MID ${e.mid} ICID ${e.icid} To: <${e.address}> Rejected by RAT`];
    case 'message.tooBig':
      return [`MID ${e.mid} ICID ${e.icid} Message size ${e.size} exceeds the maximum of ${e.limit} bytes: rejected`]; // invented
    case 'receiving.aborted':
      return [`Message aborted MID ${e.mid} Receiving aborted`, `Message finished MID ${e.mid} aborted`];
    case 'accepted':
      return [...(e.messageId ? [`MID ${e.mid} Message-ID '${e.messageId}'`] : []), `MID ${e.mid} Subject '${e.subject}'`, `MID ${e.mid} ready ${e.size} bytes from <${e.from}>`];
    case 'split':
      return [`MID ${e.mid} was split creating MID ${e.newMid} due to a per-recipient policy ${e.policy} in the inbound table`];
    case 'policy.matched':
      return [`MID ${e.mid} matched all recipients for per-recipient policy ${e.policy} in the inbound table`];
    case 'scanned':
      return scanningLines(e);
    case 'dropped':
      return [`Message aborted MID ${e.mid} Dropped by ${e.by}`];
    case 'journal.enqueued':
      return [`TDC: MID ${e.mid} with Message-ID '${e.messageId}' enqueued for forwarding to ${SETD} to the message intake address ${e.intake}`];
    case 'queued':
      return [`MID ${e.mid} queued for delivery`];
    case 'dcid.opened':
      return [`${tdc(e.queue)}New SMTP DCID ${e.dcid} interface ${e.localAddress} address ${e.address} port ${e.port}`];
    case 'dcid.failed': {
      if (e.failure.kind !== 'connection') return [];
      const w = CONNECTION_WORDS[e.failure.cause]!;
      return [`${tdc(e.queue)}Connection Error: DCID ${e.dcid} domain: ${e.queue} IP: ${e.address} port: ${e.port} details: ${w.details} interface: 127.0.0.1 reason: ${w.reason}`];
    }
    case 'tls.ok':
      return [`DCID ${e.dcid} TLS success protocol ${e.protocol} cipher ${e.cipher}`];
    case 'tls.failed':
      return [`DCID ${e.dcid} TLS failed: ${TLS_CAUSES[e.cause]}`, `DCID ${e.dcid} IP ${e.address} TLS was required but could not be successfully negotiated`];
    case 'delivery.started':
      return [isTdc(e.queue) ? `TDC: Delivery start DCID ${e.dcid} MID ${e.mid}` : `Delivery start DCID ${e.dcid} MID ${e.mid} to RID ${rids(e.rids)}`];
    case 'delivered':
      if (isTdc(e.queue)) return [`TDC: MID ${e.mid} successfully delivered for scanning with ${SETD}.`];
      if (e.rids.length === 0) return [];
      return [`Message done DCID ${e.dcid} MID ${e.mid} to RID ${rids(e.rids)}`, `MID ${e.mid} RID ${rids(e.rids)} Response '${e.response.replace(/^250[ -]/, '').trim()}'`];
    case 'deferred':
      // a connection that failed has its Connection Error line; a refusal gets Delayed (RID without brackets, §10.7)
      return smtpCode(e.failure) > 0 ? [`Delayed: DCID ${e.dcid} MID ${e.mid} to RID ${e.rids.join(', ')} - ${bounceReason(e.failure)} ${pythonReply(e.failure)}`] : [];
    case 'bounced':
      return bouncedLines(e);
    case 'expired': {
      const reply = e.failure ? pythonReply(e.failure) : "('000', ['expired'])";
      const bounced = `Bounced: DCID ${e.dcid} MID ${e.mid} to RID ${e.rids.join(', ')} - 5.4.7 - Delivery expired (message too old) ${reply}`;
      if (!isTdc(e.queue)) return [bounced];
      // invented: the seed says only that a copy leaves the queue after 120 seconds
      return [`TDC: MID ${e.mid} removed from the queue after ${e.seconds} seconds: delivery to ${SETD} expired.`, `TDC: MID ${e.mid} delivery failed to ${SETD}: Hard Bounced.`, bounced];
    }
    case 'deleted':
      return [`Deleted: MID ${e.mid} to ${rids(e.rids)}`];
    case 'finished':
      return [`Message finished MID ${e.mid} ${e.how}`];
    case 'dcid.closed':
      return [`DCID ${e.dcid} close`];
    case 'system.version':
      return [`Version: ${e.version} SN: ${e.serial}`];
    case 'system.comingUp':
      return ['System is coming up.'];
    case 'listener.started':
      // also when a commit moves it (AsyncOS restarts a listener whose settings change)
      return [`SMTP listener ${e.name} starting`];
    case 'listener.connectionError':
      return [`Listener connection error: ${e.detail}`]; // invented
    case 'spool.writeFailed':
      return [`Spool write failed: ${e.detail}`]; // invented
    case 'spool.quarantined':
      return [`MID ${e.mid} moved to the spool quarantine ${e.dir}, not delivered: ${e.problem}`]; // invented
    case 'spool.requeued':
      return [`MID ${e.mid} goes through the work queue again: its ${e.problem}`]; // invented
    case 'appliance.warning':
      return [e.text];
    case 'spool.recovered':
      return [`Recovered ${e.queued} queued and ${e.received} received messages from the spool`]; // invented
    case 'workQueue.paused':
      return [`work queue paused, ${e.messages} msgs, ${e.reason}`];
    case 'workQueue.resumed':
      return [`work queue resumed, ${e.messages} msgs`];
    case 'workQueue.error':
      return [`MID ${e.mid} work queue error: ${e.detail}; it stays in the spool for the next start`]; // invented
    case 'counters.reset':
      return ['Counters reset']; // invented
    case 'queue.kicked':
      return [`Kicking destination ${e.queue}`];
    case 'queue.suspended':
      return [`Deliveries are currently suspended [${e.queue}]`];
    case 'queue.resumed':
      return [`Mail delivery resumed [${e.queue}]`];
    case 'queue.redirected':
      return [e.host === null ? 'Redirection of all mail ended' : `All mail redirected to ${e.host}`]; // invented
  }
}

/**
 * The scanning engines' lines in the appliance's order (reference §10.7): anti-spam, anti-virus,
 * AMP, graymail, outbreak filters. A virus ends the scan (the message is dropped); graymail is not
 * looked for in spam (R).
 */
function scanningLines(e: Extract<MailEvent, { type: 'scanned' }>): string[] {
  const mid = `MID ${e.mid}`;
  const lines: string[] = [];
  if (e.antispam !== null) {
    const v = e.antispam ? 'positive' : 'negative';
    lines.push(`${mid} interim verdict using engine: CASE spam ${v}`, `${mid} using engine: CASE spam ${v}`);
  }
  if (e.antivirus !== null) lines.push(`${mid} interim AV verdict using Sophos ${e.antivirus ? 'VIRAL' : 'CLEAN'}`, `${mid} antivirus ${e.antivirus ? "positive 'EICAR-AV-Test'" : 'negative'}`);
  if (e.antivirus === true) return lines;
  lines.push(`${mid} AMP file reputation verdict : ${e.attachment ? 'CLEAN' : 'SKIPPED (no attachment in message)'}`);
  if (e.antispam !== true) lines.push(`${mid} using engine: GRAYMAIL negative`);
  lines.push(`${mid} Outbreak Filters: verdict negative`);
  return lines;
}

function bouncedLines(e: Extract<MailEvent, { type: 'bounced' }>): string[] {
  const to = `MID ${e.mid} to RID ${e.rids.join(', ')}`;
  const f = e.failure;
  if (f.kind === 'dns') {
    const why = `5.1.2 - Bad destination host ('000', ['${failureWords(f)}'])`;
    return [
      `DNS Error ${f.domain} MX - NXDomain`,
      ...(isTdc(e.queue) ? [`TDC: Hard bounced - ${why}`, `TDC: MID ${e.mid} delivery failed to ${SETD}: Hard Bounced.`] : []),
      `Bounced: DCID 0 ${to} - Bounced by destination server with response: ${why}`,
    ];
  }
  const bounced = `Bounced: DCID ${e.dcid} ${to} - ${bounceReason(f)} ${pythonReply(f)}`;
  if (!isTdc(e.queue)) return [bounced];
  if (f.kind === 'tls') return [`TDC: MID ${e.mid} delivery failed to ${SETD}:TLS Error.`];
  return [`TDC: MID ${e.mid} delivery failed to ${SETD}: Hard Bounced.`, bounced];
}
