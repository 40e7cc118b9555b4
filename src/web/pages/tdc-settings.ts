import type { FastifyInstance } from 'fastify';
import { changeTdcSettings } from '../../engine/operations/tdc.js';
import type { WebContext } from '../context.js';
import { attempt, fieldError, formBody, formError, invalid, SAVED_NOTICE, type FieldErrors } from '../forms.js';
import { html } from '../html.js';
import { csrfField } from '../layout.js';
import { enabledWord, NO_INTAKE_ADDRESS } from '../words.js';

const PATH = '/security-services/threat-defense-connector';

/** Security Services > Threat Defense Connector: the global settings, as the seed shows them. */
export function registerTdcSettings(app: FastifyInstance, web: WebContext): void {
  app.get<{ Querystring: { saved?: string } }>(PATH, (request, reply) => {
    const { tdc } = request.login!.session.config.pending;
    return web.page(request, reply, {
      title: 'Threat Defense Connector',
      notice: request.query.saved ? SAVED_NOTICE : undefined,
      body: html`<table class="settings" id="tdc-settings">
<caption>Threat Defense Connector Settings</caption>
<tr><th>Threat Defense Connector:</th><td>${enabledWord(tdc.enabled)}</td></tr>
<tr><th>Message Intake Address:</th><td>${tdc.intakeAddress ?? NO_INTAKE_ADDRESS}</td></tr>
</table>
<div class="buttons"><a class="button" href="${PATH}/edit">Edit Settings...</a></div>`,
    });
  });

  const editForm = (csrf: string, values: { enabled: boolean; intakeAddress: string }, errors: FieldErrors) => html`${formError(errors)}
<form method="post" action="${PATH}/edit">
${csrfField(csrf)}
<table class="settings">
<caption>Threat Defense Connector Settings</caption>
<tr><th><label for="enabled">Enable Threat Defense Connector</label></th><td><input type="checkbox" id="enabled" name="enabled" value="on"${values.enabled ? html` checked` : ''}></td></tr>
<tr><th><label for="intakeAddress">Message Intake Address:</label></th><td><input type="text" size="60" id="intakeAddress" name="intakeAddress" value="${values.intakeAddress}"${invalid(errors, 'intakeAddress')}>${fieldError(errors, 'intakeAddress')}
<div class="muted">The address Cisco Secure Email Threat Defense shows at the end of its setup (and on its Policy page).</div></td></tr>
</table>
<div class="buttons"><a class="button" href="${PATH}">Cancel</a><button type="submit" class="primary">Submit</button></div>
</form>`;

  app.get(`${PATH}/edit`, (request, reply) => {
    const { tdc } = request.login!.session.config.pending;
    return web.page(request, reply, { title: 'Edit Threat Defense Connector Settings', body: editForm(web.csrf(reply), { enabled: tdc.enabled, intakeAddress: tdc.intakeAddress ?? '' }, {}) });
  });

  app.post(`${PATH}/edit`, (request, reply) => {
    const form = formBody(request);
    const values = { enabled: form.enabled === 'on', intakeAddress: form.intakeAddress?.trim() ?? '' };
    const errors: FieldErrors = {};
    // an emptied field clears the address (allowed while disabled): the page shows what it stored
    const saved = attempt(
      errors,
      () => changeTdcSettings({ session: request.login!.session }, { enabled: values.enabled, intakeAddress: values.intakeAddress || null }),
      { 'tdc.intakeAddress': 'intakeAddress' },
      { intakeAddress: values.intakeAddress },
    );
    if (saved) return reply.redirect(`${PATH}?saved=1`);
    return web.page(request, reply.code(400), { title: 'Edit Threat Defense Connector Settings', body: editForm(web.csrf(reply), values, errors) });
  });
}
