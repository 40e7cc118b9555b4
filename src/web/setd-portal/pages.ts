import type { FastifyInstance } from 'fastify';
import { count } from '../../commands/format/numbers.js';
import { asyncosDate } from '../../engine/time-format.js';
import { REGIONS } from '../../setd/regions.js';
import type { ReceivedJournal, SetdAccount } from '../../setd/store.js';
import { VERDICTS } from '../../setd/verdicts.js';
import { DEFAULT_SEG_HEADER, SEG_TYPE_QUESTION } from '../../setd/wizard-steps.js';
import { sendPage, type WebContext } from '../context.js';
import { fieldError, type FieldErrors } from '../forms.js';
import { html } from '../html.js';
import { intakeWithCopy, portalLayout } from './layout.js';
import { setdStoreOf } from '../../setd/appliance-store.js';

const THREATS = new Set(['BEC', 'Scam', 'Phishing', 'Malicious']);
/** the newest messages the dashboard shows (SETD shows up to 100 a page) */
const PAGE = 100;

type Filters = { account?: string; verdict?: string; sender?: string };

const label = (a: SetdAccount) => (a.name ? `${a.name} (${a.id})` : a.id);

/** The SETD portal's Policy page (where the intake address is found again) and Messages dashboard. */
export function registerSetdPages(app: FastifyInstance, web: WebContext): void {
  const store = setdStoreOf(web.appliance);

  app.get('/setd', (_, reply) => reply.redirect('/setd/'));
  app.get('/setd/', (_, reply) => reply.redirect(store.accounts().length === 0 ? '/setd/setup' : '/setd/messages'));

  app.get('/setd/policy', (_, reply) => {
    const accounts = store.accounts();
    return sendPage(
      reply,
      portalLayout(
        'Policy',
        accounts.length === 0
          ? html`<p>No account is set up yet. <a href="/setd/setup">Set one up</a>.</p>`
          : html`${accounts.map(
              (a) => html`<table class="settings" data-account="${a.id}">
<caption>Account ${label(a)}</caption>
<tr><th>Secure Email Gateway (SEG)</th><td>SEG is present: ${SEG_TYPE_QUESTION.choices.find((c) => c.key === a.segType)?.label}, ${a.header === DEFAULT_SEG_HEADER ? `Use Cisco SEG default header (${a.header})` : `Use Custom SEG header (${a.header})`}</td></tr>
<tr><th>Message Source</th><td>Gateway (for ${a.direction.toLowerCase()} messages only)</td></tr>
<tr><th>Visibility &amp; Remediation</th><td>No Authentication (${a.visibility})</td></tr>
<tr><th>Region</th><td>${REGIONS.find((r) => r.key === a.region)?.name ?? a.region}</td></tr>
<tr><th>Message Intake Address</th><td>${intakeWithCopy(a.intakeAddress, `intake-${a.id}`)}</td></tr>
</table><br>`,
            )}`,
      ),
    );
  });

  /** The filters checked; an unknown account or verdict is an error beside its field. */
  const readFilters = (q: Filters) => {
    const errors: FieldErrors = {};
    const accounts = store.accounts();
    const account = q.account ? accounts.find((a) => a.id === q.account) : undefined;
    if (q.account && !account) errors.account = `No account "${q.account}".`;
    const verdict = q.verdict ? VERDICTS.find((v) => v === q.verdict) : undefined;
    if (q.verdict && !verdict) errors.verdict = `Unknown verdict "${q.verdict}".`;
    return { accounts, account, verdict, sender: (q.sender ?? '').trim().toLowerCase(), errors };
  };

  const table = (q: Filters) => {
    const f = readFilters(q);
    const all = Object.keys(f.errors).length > 0 ? [] : store.messages(f.account?.id);
    const shown = all.filter((m) => (!f.verdict || m.verdict === f.verdict) && (!f.sender || m.sender.toLowerCase().includes(f.sender)));
    const newest = shown.slice(-PAGE).reverse();
    const names = new Map(f.accounts.map((a) => [a.id, label(a)]));
    const params = new URLSearchParams(Object.entries(q).filter(([, v]) => v) as [string, string][]).toString();
    const row = (m: ReceivedJournal) =>
      html`<tr data-mid="${m.gatewayMid}"><td>${asyncosDate(m.receivedAt)}</td><td>${m.sender}</td><td>${m.senderIp}${m.ipFromHeader ? '' : ' (no SEG header)'}</td><td>${m.recipients.join(', ')}</td><td class="subject">${m.subject}</td><td><span class="verdict${THREATS.has(m.verdict) ? ' threat' : ''}">${m.verdict}</span></td><td>${m.gatewayMid}</td><td>${names.get(m.account) ?? m.account}</td></tr>`;
    return html`<div id="setd-messages" hx-get="/setd/messages/table?${params}" hx-trigger="every 1s" hx-swap="outerHTML">
<p id="verdict-totals">${count(shown.length)} messages. ${VERDICTS.map((v) => html`<span class="verdict${THREATS.has(v) ? ' threat' : ''}" data-verdict="${v}">${v} ${count(all.filter((m) => m.verdict === v).length)}</span> `)}</p>
<table class="listing"><tr><th>Received</th><th>Sender</th><th>Sender IP</th><th>Recipients</th><th>Subject</th><th>Verdict</th><th>SEG MID</th><th>Account</th></tr>
${newest.map(row)}
</table>
${shown.length > PAGE ? html`<p class="muted">The newest ${PAGE} of ${count(shown.length)}.</p>` : ''}
</div>`;
  };

  app.get<{ Querystring: Filters }>('/setd/messages', (request, reply) => {
    const q = request.query;
    const f = readFilters(q);
    return sendPage(
      Object.keys(f.errors).length > 0 ? reply.code(400) : reply,
      portalLayout(
        'Messages',
        html`<form method="get" action="/setd/messages" class="filters">
<fieldset><legend>Filters</legend>
<label>Account: <select name="account"><option value="">All accounts</option>${f.accounts.map((a) => html`<option value="${a.id}"${q.account === a.id ? html` selected` : ''}>${label(a)}</option>`)}</select></label>${fieldError(f.errors, 'account')}
<label>Verdict: <select name="verdict"><option value="">All verdicts</option>${VERDICTS.map((v) => html`<option${q.verdict === v ? html` selected` : ''}>${v}</option>`)}</select></label>${fieldError(f.errors, 'verdict')}
<label>Sender contains: <input type="text" name="sender" value="${q.sender ?? ''}"></label>
<div class="buttons"><a class="button" href="/setd/messages">Reset Filters</a><button type="submit" class="primary">Apply</button></div>
</fieldset></form>
${table(q)}`,
      ),
    );
  });
  app.get<{ Querystring: Filters }>('/setd/messages/table', (request, reply) => sendPage(reply, table(request.query)));
}
