import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CUSTOM_INTAKE_NOTE, members, serviceCell, tdcCell, tdcChoices } from '../../commands/format/policy-table.js';
import { DEFAULT_POLICY, type MailPolicy } from '../../engine/config/model.js';
import { inOneEdit } from '../../engine/operations/config-editor.js';
import { createPolicy, deletePolicy, findPolicy, movePolicy, renamePolicy, replaceMembers, setPolicyTdc, splitMembers } from '../../engine/operations/policies.js';
import type { WebContext } from '../context.js';
import { attempt, fieldError, formBody, formError, invalid, SAVED_NOTICE, type FieldErrors, type SettingFields } from '../forms.js';
import { html } from '../html.js';
import { csrfField } from '../layout.js';

const BASE = '/mail-policies/incoming';
const policyPath = (name: string) => `${BASE}/${encodeURIComponent(name)}`;
const TABLE = 'incoming';

function policyOf(request: FastifyRequest<{ Params: { name: string } }>): MailPolicy {
  return findPolicy(request.login!.session.config.pending, TABLE, request.params.name);
}

/** Where the policy forms show a refused setting. */
const POLICY_FIELDS: SettingFields = { 'policy.name': 'name', 'policy.position': 'position', 'policy.senders': 'senders', 'policy.recipients': 'recipients' };
const TDC_FIELDS: SettingFields = { 'policy.tdc.intakeAddress': 'intakeAddress' };

/** Mail Policies > Incoming Mail Policies: the table, a policy's Threat Defense Connector page, add/edit/delete. */
export function registerMailPolicies(app: FastifyInstance, web: WebContext): void {
  app.get<{ Querystring: { saved?: string } }>(BASE, (request, reply) => {
    const config = request.login!.session.config.pending;
    const policies = config.incomingPolicies;
    const csrf = web.csrf(reply);
    const row = (p: MailPolicy, i: number) => html`<tr data-policy="${p.name}">
<td class="num">${p.name === DEFAULT_POLICY ? '' : i + 1}</td>
<td>${p.name === DEFAULT_POLICY ? html`<b>${p.name}</b>` : html`<a href="${policyPath(p.name)}/edit">${p.name}</a>`}<div class="muted">${members(p)}</div></td>
<td>${serviceCell(p.antispam)}</td>
<td>${serviceCell(p.antivirus)}</td>
<td class="tdc"><a href="${policyPath(p.name)}/threat-defense-connector">${tdcCell(p, config)}</a></td>
<td>${p.name === DEFAULT_POLICY ? '' : html`<form method="post" action="${policyPath(p.name)}/delete" class="inline">${csrfField(csrf)}<button type="submit" class="link" title="Delete policy ${p.name}" onclick="return confirm('Delete the policy ${p.name}?')">Delete</button></form>`}</td>
</tr>`;
    return web.page(request, reply, {
      title: 'Incoming Mail Policies',
      notice: request.query.saved ? SAVED_NOTICE : undefined,
      body: html`<table class="listing" id="policies">
<caption>Policies</caption>
<tr><th>Order</th><th>Policy Name</th><th>Anti-Spam</th><th>Anti-Virus</th><th>Threat Defense Connector</th><th>Delete</th></tr>
${policies.map(row)}
</table>
<div class="buttons"><a class="button" href="${BASE}/new">Add Policy...</a></div>
${config.tdc.enabled ? '' : html`<p class="note">The Threat Defense Connector is disabled globally: policies that use the global settings do not journal (Security Services &gt; <a href="/security-services/threat-defense-connector">Threat Defense Connector</a>).</p>`}`,
    });
  });

  // ---- a policy's Threat Defense Connector ----

  const tdcForm = (csrf: string, policy: MailPolicy, config: Parameters<typeof tdcChoices>[0], values: { mode: string; intakeAddress: string }, errors: FieldErrors) => html`${formError(errors)}
<form method="post" action="${policyPath(policy.name)}/threat-defense-connector">
${csrfField(csrf)}
<table class="settings">
<caption>Threat Defense Connector Settings</caption>
<tr><th></th><td>Policy: <b>${policy.name}</b></td></tr>
<tr><th>Enable Threat Defense Connector for This Policy:</th><td>
${tdcChoices(config, policy).map(
  (c) =>
    html`<div><label><input type="radio" name="mode" value="${c.mode}"${values.mode === c.mode ? html` checked` : ''}> ${c.label}</label>${
      c.takesAddress
        ? html`<div style="margin-left:24px"><label for="intakeAddress">Message Intake Address:</label> <span class="muted" title="The address a second SETD account issued: journals of this policy go there.">(?)</span><br><input type="text" size="60" id="intakeAddress" name="intakeAddress" value="${values.intakeAddress}"${invalid(errors, 'intakeAddress')}>${fieldError(errors, 'intakeAddress')}</div>`
        : ''
    }</div>`,
)}
</td></tr>
</table>
<p class="note"><b>Note:</b> ${CUSTOM_INTAKE_NOTE.replace(/^Note: /, '')}</p>
<div class="buttons"><a class="button" href="${BASE}">Cancel</a><button type="submit" class="primary">Submit</button></div>
</form>`;

  app.get<{ Params: { name: string } }>(`${BASE}/:name/threat-defense-connector`, (request, reply) => {
    const policy = policyOf(request);
    const values = { mode: policy.tdc.mode, intakeAddress: policy.tdc.intakeAddress ?? '' };
    return web.page(request, reply, { title: 'Mail Policies: Threat Defense Connector', body: tdcForm(web.csrf(reply), policy, request.login!.session.config.pending, values, {}) });
  });

  app.post<{ Params: { name: string } }>(`${BASE}/:name/threat-defense-connector`, (request, reply) => {
    const policy = policyOf(request);
    const config = request.login!.session.config.pending;
    const form = formBody(request);
    const values = { mode: form.mode ?? '', intakeAddress: (form.intakeAddress ?? '').trim() };
    const errors: FieldErrors = {};
    const choice = tdcChoices(config, policy).find((c) => c.mode === values.mode);
    if (!choice) errors[''] = 'Choose one of the options.';
    const session = request.login!.session;
    const change = () => setPolicyTdc({ session }, TABLE, policy.name, choice!.mode, choice!.takesAddress ? values.intakeAddress : undefined);
    if (choice && attempt(errors, change, TDC_FIELDS, values)) {
      return reply.redirect(`${BASE}?saved=1`);
    }
    return web.page(request, reply.code(400), { title: 'Mail Policies: Threat Defense Connector', body: tdcForm(web.csrf(reply), policy, config, values, errors) });
  });

  // ---- add and edit a policy: name, order, senders and recipients ----

  interface PolicyValues {
    name: string;
    position: string;
    senders: string;
    recipients: string;
  }

  const policyForm = (csrf: string, action: string, count: number, values: PolicyValues, errors: FieldErrors) => html`${formError(errors)}
<form method="post" action="${action}">
${csrfField(csrf)}
<table class="settings">
<caption>Policy Settings</caption>
<tr><th><label for="name">Policy Name:</label></th><td><input type="text" id="name" name="name" size="40" value="${values.name}"${invalid(errors, 'name')}>${fieldError(errors, 'name')}</td></tr>
<tr><th><label for="position">Order:</label></th><td><select id="position" name="position">${Array.from({ length: count }, (_, i) => String(i + 1)).map((n) => html`<option value="${n}"${n === values.position ? html` selected` : ''}>${n}</option>`)}</select>
<div class="muted">Policies are matched from the top; the DEFAULT policy is always last.</div></td></tr>
<tr><th><label for="senders">Senders:</label></th><td><textarea id="senders" name="senders" rows="3" cols="50"${invalid(errors, 'senders')}>${values.senders}</textarea>${fieldError(errors, 'senders')}
<div class="muted">Addresses (user@example.com), domains (example.com), partial domains (.example.com) or user@; one a line or separated by commas. Empty: any sender.</div></td></tr>
<tr><th><label for="recipients">Recipients:</label></th><td><textarea id="recipients" name="recipients" rows="3" cols="50"${invalid(errors, 'recipients')}>${values.recipients}</textarea>${fieldError(errors, 'recipients')}
<div class="muted">As for senders. Empty: any recipient.</div></td></tr>
</table>
<div class="buttons"><a class="button" href="${BASE}">Cancel</a><button type="submit" class="primary">Submit</button></div>
</form>`;

  const readValues = (request: FastifyRequest): PolicyValues => {
    const form = formBody(request);
    return { name: (form.name ?? '').trim(), position: form.position ?? '', senders: form.senders ?? '', recipients: form.recipients ?? '' };
  };

  app.get(`${BASE}/new`, (request, reply) => {
    const count = request.login!.session.config.pending.incomingPolicies.length;
    return web.page(request, reply, {
      title: 'Add Incoming Mail Policy',
      body: policyForm(web.csrf(reply), `${BASE}/new`, count, { name: '', position: String(count), senders: '', recipients: '' }, {}),
    });
  });

  app.post(`${BASE}/new`, (request, reply) => {
    const session = request.login!.session;
    const count = session.config.pending.incomingPolicies.length;
    const values = readValues(request);
    const errors: FieldErrors = {};
    const ok = attempt(
      errors,
      () =>
        inOneEdit(session.config, (editor) => {
          createPolicy(editor, TABLE, values.name, splitMembers(values.senders), splitMembers(values.recipients));
          const position = Number(values.position);
          if (position !== count) movePolicy(editor, TABLE, values.name, position);
        }),
      POLICY_FIELDS,
      { ...values },
    );
    if (ok) return reply.redirect(`${BASE}?saved=1`);
    return web.page(request, reply.code(400), { title: 'Add Incoming Mail Policy', body: policyForm(web.csrf(reply), `${BASE}/new`, count, values, errors) });
  });

  app.get<{ Params: { name: string } }>(`${BASE}/:name/edit`, (request, reply) => {
    const policy = policyOf(request);
    const policies = request.login!.session.config.pending.incomingPolicies;
    if (policy.name === DEFAULT_POLICY) return reply.redirect(`${policyPath(policy.name)}/threat-defense-connector`);
    const values = { name: policy.name, position: String(policies.indexOf(policy) + 1), senders: policy.senders.join('\n'), recipients: policy.recipients.join('\n') };
    return web.page(request, reply, { title: `Edit Incoming Mail Policy: ${policy.name}`, body: policyForm(web.csrf(reply), `${policyPath(policy.name)}/edit`, policies.length - 1, values, {}) });
  });

  app.post<{ Params: { name: string } }>(`${BASE}/:name/edit`, (request, reply) => {
    const policy = policyOf(request);
    const session = request.login!.session;
    const policies = session.config.pending.incomingPolicies;
    const values = readValues(request);
    const errors: FieldErrors = {};
    const ok = attempt(
      errors,
      () =>
        inOneEdit(session.config, (editor) => {
          let name = policy.name;
          if (values.name !== name) {
            renamePolicy(editor, TABLE, name, values.name);
            name = values.name;
          }
          replaceMembers(editor, TABLE, name, splitMembers(values.senders), splitMembers(values.recipients));
          const position = Number(values.position);
          if (position !== policies.indexOf(policy) + 1) movePolicy(editor, TABLE, name, position);
        }),
      POLICY_FIELDS,
      { ...values },
    );
    if (ok) return reply.redirect(`${BASE}?saved=1`);
    return web.page(request, reply.code(400), {
      title: `Edit Incoming Mail Policy: ${policy.name}`,
      body: policyForm(web.csrf(reply), `${policyPath(policy.name)}/edit`, policies.length - 1, values, errors),
    });
  });

  app.post<{ Params: { name: string } }>(`${BASE}/:name/delete`, (request, reply) => {
    const policy = policyOf(request);
    deletePolicy({ session: request.login!.session }, TABLE, policy.name);
    return reply.redirect(`${BASE}?saved=1`);
  });
}
