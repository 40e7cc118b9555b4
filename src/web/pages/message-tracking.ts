import type { FastifyInstance } from 'fastify';
import { trackingDate } from '../../engine/time-format.js';
import { ErrorCodes, UserError } from '../../errors.js';
import type { WebContext } from '../context.js';
import { fieldError, formError, invalid, type FieldErrors } from '../forms.js';
import { html } from '../html.js';
import { searchTracking, trackingDetails, TRACKING_LIMIT, type TrackingRow, type TrackingSearch } from '../tracking-source.js';

const BASE = '/monitor/message-tracking';

type Query = Partial<Record<'mid' | 'sender' | 'recipient' | 'subject' | 'since' | 'until' | 'search', string>>;

/** The search form's values checked: the criteria, or the errors beside the fields. */
function parseSearch(q: Query): { search: TrackingSearch; errors: FieldErrors } {
  const errors: FieldErrors = {};
  const search: TrackingSearch = {};
  const mid = q.mid?.trim() ?? '';
  if (mid !== '') {
    if (/^\d{1,15}$/.test(mid)) search.mid = Number(mid);
    else errors.mid = 'The Message ID (MID) is a number, such as 42.';
  }
  for (const key of ['sender', 'recipient', 'subject'] as const) {
    const v = q[key]?.trim() ?? '';
    if (v.length > 256) errors[key] = 'Enter at most 256 characters.';
    else if (v) search[key] = v;
  }
  for (const key of ['since', 'until'] as const) {
    const v = q[key]?.trim() ?? '';
    if (v === '') continue;
    const t = Date.parse(v);
    if (Number.isNaN(t)) errors[key] = 'Enter a date and time such as 2024-02-16 21:00.';
    else search[key] = key === 'until' && /T?\d\d:\d\d$/.test(v) ? t + 59_999 : t;
  }
  if (search.since !== undefined && search.until !== undefined && search.since > search.until) errors.until = 'The end of the time range is before its start.';
  return { search, errors };
}

/** What a MID is besides a received message: a part split from one, or a journal copy. */
const relation = (m: TrackingRow) => (m.parent === null ? '' : m.kind === 'journal' ? `Journal copy of MID ${m.parent}` : `Split from MID ${m.parent}`);

/** A TDC tracking line without its timestamp (the column says when). */
const tdcText = (line: string) => line.replace(/^.*?\)\s+/, '');

/** Monitor > Message Tracking: search by MID, sender, recipient, subject and time range; a message's events. */
export function registerMessageTracking(app: FastifyInstance, web: WebContext): void {
  app.get<{ Querystring: Query }>(BASE, async (request, reply) => {
    const q = request.query;
    const { search, errors } = parseSearch(q);
    const searched = q.search !== undefined;
    const results = searched && Object.keys(errors).length === 0 ? await searchTracking(web.appliance, search) : null;
    const field = (name: keyof Query, label: string, type = 'text') =>
      html`<tr><th><label for="${name}">${label}</label></th><td><input type="${type}" id="${name}" name="${name}" size="40" value="${q[name] ?? ''}"${invalid(errors, name)}>${fieldError(errors, name)}</td></tr>`;
    return web.page(request, searched && results === null ? reply.code(400) : reply, {
      title: 'Message Tracking',
      body: html`${formError(errors)}
<form method="get" action="${BASE}">
<table class="settings"><caption>Search</caption>
${field('sender', 'Envelope Sender:')}
${field('recipient', 'Envelope Recipient:')}
${field('subject', 'Subject:')}
${field('mid', 'Message ID (MID):')}
${field('since', 'Message Received from:', 'datetime-local')}
${field('until', 'Message Received to:', 'datetime-local')}
</table>
<div class="buttons"><a class="button" href="${BASE}">Clear</a><button type="submit" class="primary" name="search" value="1">Search</button></div>
</form>
${
  results === null
    ? ''
    : html`<h2>Results (${results.length}${results.length === TRACKING_LIMIT ? `, the newest ${TRACKING_LIMIT}` : ''})</h2>
${
  results.length === 0
    ? html`<p>No messages match the search.</p>`
    : html`<table class="listing" id="tracking-results"><tr><th>Received</th><th>MID</th><th>Sender</th><th>Recipients</th><th>Subject</th><th>Threat Defense Connector</th><th></th></tr>
${results.map(
  (m) =>
    html`<tr data-mid="${m.mid}"><td>${trackingDate(m.receivedAt)}</td><td>${m.mid}${m.parent === null ? '' : html`<br><small class="relation">${relation(m)}</small>`}</td><td>${m.sender}</td><td>${m.recipients.join(', ')}</td><td class="subject">${m.subject}</td><td>${m.tdc ? tdcText(m.tdc) : '—'}</td><td><a href="${BASE}/${m.mid}">Show Details</a></td></tr>`,
)}</table>`
}`
}`,
    });
  });

  app.get<{ Params: { mid: string } }>(`${BASE}/:mid`, async (request, reply) => {
    if (!/^\d{1,15}$/.test(request.params.mid)) throw new UserError(`"${request.params.mid}" is not a Message ID (MID).`, ErrorCodes.invalidValue);
    const m = await trackingDetails(web.appliance, Number(request.params.mid));
    if (!m) throw new UserError(`No message with MID ${request.params.mid} in message tracking.`, ErrorCodes.notFound);
    return web.page(request, reply, {
      title: `Message Details: MID ${m.mid}`,
      body: html`<table class="settings" id="message-summary">
<tr><th>Received</th><td>${trackingDate(m.receivedAt)}</td></tr>
<tr><th>MID</th><td>${m.mid}</td></tr>
${m.parent === null ? '' : html`<tr><th>Related MID</th><td id="relation">${relation(m)}</td></tr>`}
${m.copies.length === 0 ? '' : html`<tr><th>Journal copies</th><td id="copies">${m.copies.map((c) => `MID ${c}`).join(', ')}</td></tr>`}
<tr><th>Sender</th><td id="sender">${m.sender}</td></tr>
<tr><th>Recipients</th><td id="recipients">${m.recipients.join(', ')}</td></tr>
<tr><th>Subject</th><td class="subject">${m.subject}</td></tr>
<tr><th>Message-ID</th><td id="message-id">${m.messageId}</td></tr>
</table>
<h2>Processing Details</h2>
<table class="listing" id="message-events">
${m.sentences.map((e) => html`<tr${e.tdc ? html` class="tdc-line"` : ''}><td style="white-space:nowrap"><b>${trackingDate(e.at)}</b></td><td>${e.text}</td></tr>`)}
</table>
<div class="buttons"><a class="button" href="javascript:history.back()">Back to results</a></div>`,
    });
  });
}
