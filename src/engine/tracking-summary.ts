import type { MailEvent } from './mail/mail-events.js';

/**
 * What Message Tracking says of one MID besides its sentences, read from its events (its own and
 * its connections', as MessageTracking.events gives them): where it came from, which policy took
 * it, the connections it went through, and its status in AsyncOS's words. One place for the AsyncOS
 * API's message-tracking answers (and any other front end that shows a status).
 */
export interface TrackedFacts {
  /** the injection connection's IP address ('' when not tracked) */
  senderIp: string;
  /** the injection connections (ICIDs) that carried it */
  icids: number[];
  /** the delivery connections (DCIDs) that carried it, in order */
  dcids: number[];
  /** the incoming mail policies it matched, in order (DEFAULT included) */
  policies: string[];
  /** the Host Access Table row that accepted its connection (`ALL` when none is recorded) */
  senderGroup: string;
  /** its size in bytes when received (0 for a journal copy or when not tracked) */
  size: number;
  /** `Delivered`, `Hard Bounced`, `Soft Bounced`, `Dropped`, `Queued`, `Aborted`, `In Progress` */
  status: TrackedStatus;
}

export type TrackedStatus = 'Delivered' | 'Hard Bounced' | 'Soft Bounced' | 'Dropped' | 'Queued' | 'Aborted' | 'In Progress';

/** The facts of `mid` from its events. */
export function trackedFacts(mid: number, events: readonly MailEvent[]): TrackedFacts {
  const facts: TrackedFacts = { senderIp: '', icids: [], dcids: [], policies: [], senderGroup: 'ALL', size: 0, status: 'In Progress' };
  let icid: number | null = null;
  const opened = new Map<number, Extract<MailEvent, { type: 'icid.opened' }>>();
  // the status follows the message's last decisive event: a retry after a deferral delivers, a later bounce ends it
  let delivered = 0;
  let bounced = 0;
  for (const e of events) {
    if (e.type === 'icid.opened') opened.set(e.icid, e);
    if (!('mid' in e) || e.mid !== mid) continue;
    switch (e.type) {
      case 'message.started':
      case 'accepted':
        icid = e.icid;
        if (!facts.icids.includes(e.icid)) facts.icids.push(e.icid);
        if (e.type === 'accepted') {
          facts.size = e.size;
          facts.status = 'In Progress';
        }
        break;
      case 'policy.matched':
        if (!facts.policies.includes(e.policy)) facts.policies.push(e.policy);
        break;
      case 'queued':
        facts.status = 'Queued';
        break;
      case 'delivery.started':
        if (!facts.dcids.includes(e.dcid)) facts.dcids.push(e.dcid);
        break;
      case 'delivered':
        delivered++;
        facts.status = 'Delivered';
        break;
      case 'deferred':
        facts.status = 'Soft Bounced';
        break;
      case 'bounced':
      case 'expired':
        bounced++;
        facts.status = 'Hard Bounced';
        break;
      case 'dropped':
        facts.status = 'Dropped';
        break;
      case 'deleted':
        facts.status = 'Aborted';
        break;
      case 'receiving.aborted':
      case 'message.tooBig':
        facts.status = 'Aborted';
        break;
      case 'finished':
        if (e.how === 'aborted') facts.status = 'Aborted';
        else if (delivered > 0 || bounced > 0) facts.status = bounced > 0 && delivered === 0 ? 'Hard Bounced' : 'Delivered';
        break;
      default:
    }
  }
  const connection = icid === null ? undefined : opened.get(icid);
  if (connection) {
    facts.senderIp = connection.remoteIp;
    facts.senderGroup = connection.match ?? 'ALL';
  }
  return facts;
}
