import { TDC_QUEUE } from './config/model.js';
import { CONNECTION_WORDS, SETD } from './mail/mail-log-lines.js';
import type { MailEvent } from './mail/mail-events.js';
import type { Failure } from './mail/delivery/failure.js';
import { trackingDate } from './time-format.js';

/*
 * Every Message Tracking sentence, worded once, from the events: the web's message details,
 * findevent's TDC lines and (next) the AsyncOS API's message-tracking/details `summary`
 * descriptions read them here. Sources: the seed (the TDC line), and the `summary` of real
 * message-tracking/details answers of AsyncOS 14/15 quoted in public integrations' docs
 * (demisto/content, Packs/CiscoSMA and Packs/CiscoESA READMEs: "Start message n on incoming
 * connection (ICID m).", ...). Each sentence's source and confidence is in fixtures/fidelity.md
 * (section "Message Tracking sentences"); lines marked invented there have no source.
 */

const isTdc = (queue: string) => queue === TDC_QUEUE;

/** The recipient addresses of RIDs of a message (a RID not known is shown as such). */
export type RecipientsOf = (mid: number, rids: readonly number[]) => string[];

function reason(f: Failure | null): string {
  if (!f) return 'no attempt was made';
  switch (f.kind) {
    case 'smtp':
      return `remote SMTP response '${f.reply.trim()}'`;
    case 'connection':
      return CONNECTION_WORDS[f.cause]!.reason;
    case 'tls':
      return 'TLS Error';
    case 'dns':
      return `DNS Hard Error looking up ${f.domain} (MX): NXDomain`;
    case 'lost':
      return 'message file lost';
  }
}

/** The TDC sentence of a journal copy's delivery event (the seed's one line), or null. */
export function tdcSentence(e: MailEvent): string | null {
  switch (e.type) {
    case 'delivered':
      return isTdc(e.queue) ? `TDC: Message ${e.mid} was successfully delivered for scanning with ${SETD}.` : null;
    case 'bounced':
      return isTdc(e.queue) ? `TDC: Message ${e.mid} could not be delivered to ${SETD}: ${e.failure.kind === 'tls' ? 'TLS Error' : 'Hard Bounced'}.` : null;
    case 'expired':
      return isTdc(e.queue) ? `TDC: Message ${e.mid} could not be delivered to ${SETD}: expired after ${e.seconds} seconds.` : null;
    case 'dcid.failed':
      return isTdc(e.queue) && e.failure.kind === 'connection' ? `TDC: Message ${e.mid} delivery attempt failed: ${CONNECTION_WORDS[e.failure.cause]!.reason}.` : null;
    default:
      return null;
  }
}

/**
 * The Message Tracking line of a TDC delivery event, with its tracking timestamp
 * (`16 Feb 2024 21:19:24 (GMT -06:00)  TDC: Message n was ...`); null for other events.
 */
export function trackingLine(e: MailEvent): string | null {
  const sentence = tdcSentence(e);
  return sentence === null ? null : `${trackingDate(e.at)}  ${sentence}`;
}

/** A scan's verdict sentences, in the appliance's order of engines. */
function scanned(e: Extract<MailEvent, { type: 'scanned' }>): string[] {
  const m = `Message ${e.mid}`;
  const out: string[] = [];
  if (e.antispam !== null) out.push(`${m} scanned by Anti-Spam engine: CASE. Final verdict: ${e.antispam ? 'Positive' : 'Negative'}`);
  if (e.antivirus !== null) out.push(`${m} scanned by Anti-Virus engine. Final verdict: ${e.antivirus ? 'Positive' : 'Negative'}`);
  if (e.antivirus === true) return out;
  out.push(`${m} scanned by Advanced Malware Protection engine. Final verdict: ${e.attachment ? 'CLEAN' : 'SKIPPED(no attachment in message)'}`);
  out.push(`${m} scanned by Outbreak Filters. Verdict: Negative`);
  return out;
}

/**
 * The Message Tracking sentences of one event (without timestamp), as AsyncOS's message details
 * list them; none for events tracking does not show. A journal copy's delivery is the seed's one
 * TDC sentence ("Message Tracking simply displays a single line").
 */
export function trackingSentences(e: MailEvent, recipientsOf: RecipientsOf): string[] {
  const to = (mid: number, rids: readonly number[]) => recipientsOf(mid, rids).join(', ');
  switch (e.type) {
    case 'icid.opened':
      return [
        `Protocol SMTP interface ${e.interfaceName} (IP ${e.bindAddress}) on incoming connection (ICID ${e.icid}) from sender IP ${e.remoteIp}. Reverse DNS host unknown verified no.`,
        `(ICID ${e.icid}) ${e.access ?? 'ACCEPT'} sender group None match ${e.match ?? 'ALL'} SBRS not enabled`,
      ];
    case 'icid.tls':
      return [`Incoming connection (ICID ${e.icid}) successfully accepted TLS protocol ${e.protocol} cipher ${e.cipher}.`];
    case 'icid.closed':
      return [`Incoming connection (ICID ${e.icid}) lost.`];
    case 'message.started':
      return [`Start message ${e.mid} on incoming connection (ICID ${e.icid}).`, `Message ${e.mid} enqueued on incoming connection (ICID ${e.icid}) from ${e.from}.`];
    case 'recipient.accepted':
      return [`Message ${e.mid} on incoming connection (ICID ${e.icid}) added recipient (${e.address}).`];
    case 'recipient.rejected':
      return [`Message ${e.mid} on incoming connection (ICID ${e.icid}) rejected recipient (${e.address}) by the Recipient Access Table.`];
    case 'message.tooBig':
      return [`Message ${e.mid} on incoming connection (ICID ${e.icid}) rejected: its size (${e.size} bytes) exceeds the maximum of ${e.limit} bytes.`];
    case 'receiving.aborted':
      return [`Message ${e.mid} on incoming connection (ICID ${e.icid}) aborted: receiving aborted.`];
    case 'accepted':
      return [
        ...(e.messageId ? [`Message ${e.mid} contains message ID header '${e.messageId}'.`] : []),
        `Message ${e.mid} original subject on injection: ${e.subject}`,
        `Message ${e.mid} (${e.size} bytes) from ${e.from} ready.`,
      ];
    case 'split':
      return [`Message ${e.mid} was split creating message ${e.newMid} due to a per-recipient policy ${e.policy} in the inbound table.`];
    case 'policy.matched':
      return [`Message ${e.mid} matched per-recipient policy ${e.policy} for inbound mail policies.`];
    case 'scanned':
      return scanned(e);
    case 'dropped':
      return [`Message ${e.mid} dropped by Anti-Virus engine.`];
    case 'queued':
      return [`Message ${e.mid} queued for delivery.`];
    case 'dcid.opened':
      return [`SMTP delivery connection (DCID ${e.dcid}) opened from Cisco IronPort interface ${e.localAddress} to IP address ${e.address} on port ${e.port}.`];
    case 'tls.ok':
      return [`Delivery connection (DCID ${e.dcid}) successfully accepted TLS protocol ${e.protocol} cipher ${e.cipher}.`];
    case 'tls.failed':
      return [`Delivery connection (DCID ${e.dcid}) to IP address ${e.address}: TLS was required but could not be successfully negotiated.`];
    case 'delivery.started':
      return [`(DCID ${e.dcid}) Delivery started for message ${e.mid} to ${to(e.mid, e.rids)}.`];
    case 'delivered':
      if (isTdc(e.queue)) return [tdcSentence(e)!];
      return recipientsOf(e.mid, e.rids).flatMap((r) => [
        `(DCID ${e.dcid}) Delivery details: Message ${e.mid} sent to ${r}`,
        `Message ${e.mid} to ${r} received remote SMTP response '${e.response.trim()}'.`,
      ]);
    case 'deferred':
      return [`Message ${e.mid} to ${to(e.mid, e.rids)} delayed: ${reason(e.failure)}. It will be retried.`];
    case 'bounced':
      return isTdc(e.queue) ? [tdcSentence(e)!] : [`Message ${e.mid} to ${to(e.mid, e.rids)} bounced: ${reason(e.failure)}.`];
    case 'expired':
      return isTdc(e.queue) ? [tdcSentence(e)!] : [`Message ${e.mid} to ${to(e.mid, e.rids)} bounced: delivery expired after ${e.seconds} seconds in the queue (${reason(e.failure)}).`];
    case 'dcid.failed':
      return isTdc(e.queue)
        ? [tdcSentence(e) ?? `TDC: Message ${e.mid} delivery attempt failed: ${reason(e.failure)}.`]
        : [`Delivery connection (DCID ${e.dcid}) to IP address ${e.address} on port ${e.port} failed: ${reason(e.failure)}.`];
    case 'deleted':
      return [`Message ${e.mid} to ${to(e.mid, e.rids)} deleted from the queue ${e.queue} by an administrator.`];
    case 'spool.quarantined':
      return [`Message ${e.mid} could not be read whole (${e.problem}) and was kept aside in ${e.dir}.`];
    case 'spool.requeued':
      return [`Message ${e.mid} went through the work queue again: ${e.problem}.`];
    case 'workQueue.error':
      return [`Message ${e.mid} could not be processed: ${e.detail}.`];
    default:
      // journal.enqueued, finished, dcid.closed and the appliance's own events: tracking shows no sentence
      return [];
  }
}
