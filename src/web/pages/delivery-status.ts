import type { FastifyInstance } from 'fastify';
import { count } from '../../commands/format/numbers.js';
import { HOSTSTATUS_FIGURES, hostTimes, upDown } from '../../commands/format/hoststatus-screen.js';
import type { HostStatus } from '../../engine/host-status.js';
import type { LiveAppliance } from '../../engine/live.js';
import { asyncosDate, zoneName } from '../../engine/time-format.js';
import { ErrorCodes, UserError } from '../../errors.js';
import { sendPage, type WebContext } from '../context.js';
import { html } from '../html.js';

const BASE = '/monitor/delivery-status';
/** how often the open page asks for the table again */
const REFRESH = 'every 1s';

const COLUMNS: { label: string; value: (h: HostStatus) => number }[] = [
  { label: 'Active Recipients', value: (h) => h.activeRecipients },
  { label: 'Connections Out', value: (h) => h.connectionsOut },
  { label: 'Delivered Recipients', value: (h) => h.deliveredRecipients },
  { label: 'Soft Bounced', value: (h) => h.softBouncedEvents },
  { label: 'Hard Bounced', value: (h) => h.hardBouncedRecipients },
];

function live(web: WebContext): LiveAppliance {
  const running = web.appliance.live;
  if (!running) throw new UserError('The appliance is not running.', ErrorCodes.noAppliance);
  return running;
}

/** Monitor > Delivery Status: every destination (the.tdc.queue among them), refreshed while the page is open; one destination's details. */
export function registerDeliveryStatus(app: FastifyInstance, web: WebContext): void {
  const table = () => {
    const now = web.appliance.clock.now();
    const hosts = [...live(web).hosts()].sort((a, b) => b.activeRecipients - a.activeRecipients || a.host.localeCompare(b.host));
    return html`<div id="delivery-status" hx-get="${BASE}/table" hx-trigger="${REFRESH}" hx-swap="outerHTML">
<p class="muted">Status as of: <span id="status-as-of">${asyncosDate(now)} ${zoneName(now)}</span> (refreshed every second)</p>
<table class="listing">
<caption>Delivery Status Details</caption>
<tr><th>Latest Host Status</th><th>Domain</th>${COLUMNS.map((c) => html`<th>${c.label}</th>`)}</tr>
${hosts.map(
  (h) =>
    html`<tr data-host="${h.host}"><td>${upDown(h)}</td><td><a href="${BASE}/host/${encodeURIComponent(h.host)}">${h.host}</a></td>${COLUMNS.map(
      (c) => html`<td class="num" data-column="${c.label}">${count(c.value(h))}</td>`,
    )}</tr>`,
)}
</table>
</div>`;
  };

  app.get(BASE, (request, reply) =>
    web.page(request, reply, {
      title: 'Delivery Status',
      body: html`${table()}<p class="muted">the.tdc.queue is the Threat Defense Connector's delivery queue: journal copies to Cisco Secure Email Threat Defense.</p>`,
    }),
  );
  app.get(`${BASE}/table`, (_, reply) => sendPage(reply, table()));

  app.get<{ Params: { host: string } }>(`${BASE}/host/:host`, (request, reply) => {
    const h = live(web)
      .hosts()
      .find((x) => x.host === request.params.host.toLowerCase());
    if (!h) throw new UserError(`No delivery status for "${request.params.host}": no mail has been queued for it.`, ErrorCodes.notFound);
    const now = web.appliance.clock.now();
    const times = hostTimes(h);
    return web.page(request, reply, {
      title: `Delivery Status Details: ${h.host}`,
      body: html`<table class="settings" id="host-status">
<tr><th>Host mail status for:</th><td>${h.host}</td></tr>
<tr><th>Status as of:</th><td>${asyncosDate(now)} ${zoneName(now)}</td></tr>
<tr><th>Host up/down:</th><td>${upDown(h)}</td></tr>
${HOSTSTATUS_FIGURES.map(
  (g) =>
    html`<tr><th colspan="2"><b>${g.heading}</b></th></tr>${g.figures.map(
      (f) => html`<tr><th style="padding-left:${10 + 16 * (f.depth - 1)}px">${f.label}</th><td class="num">${count(f.value(h))}</td></tr>`,
    )}`,
)}
<tr><th>Oldest Message</th><td>${times.oldest}</td></tr>
<tr><th>Last Activity</th><td>${times.last}</td></tr>
<tr><th>SMTP routes for this host</th><td>${h.routes.length > 0 ? h.routes.join(', ') : 'None'}</td></tr>
</table>
<div class="buttons"><a class="button" href="${BASE}">Back to Delivery Status</a></div>`,
    });
  });
}
