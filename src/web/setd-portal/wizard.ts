import type { FastifyInstance, FastifyRequest } from 'fastify';
import { findRegion, REGIONS } from '../../setd/regions.js';
import {
  ACCEPTED,
  DEFAULT_SEG_HEADER,
  DIRECTION_QUESTION,
  HEADER_QUESTION,
  headerProblem,
  SEG_QUESTION,
  SEG_TYPE_QUESTION,
  SOURCE_QUESTION,
  VISIBILITY_QUESTION,
  WIZARD_STEPS,
} from '../../setd/wizard-steps.js';
import { UserError } from '../../errors.js';
import { sendPage, type WebContext } from '../context.js';
import { fieldError, formBody, formError, type FieldErrors } from '../forms.js';
import { html, type Html } from '../html.js';
import { csrfField } from '../layout.js';
import { intakeWithCopy, portalLayout } from './layout.js';
import { setdStoreOf } from '../../setd/appliance-store.js';

/** The wizard's answers, carried from step to step in the URL (nothing is stored before the last step). */
type Answers = Partial<Record<'seg' | 'segType' | 'headerChoice' | 'header' | 'source' | 'direction' | 'visibility' | 'region' | 'name', string>>;
const KEYS = ['seg', 'segType', 'headerChoice', 'header', 'source', 'direction', 'visibility', 'region', 'name'] as const;

const query = (a: Answers) => new URLSearchParams(KEYS.flatMap((k): [string, string][] => (a[k] ? [[k, a[k]!]] : []))).toString();
const hidden = (a: Answers, except: readonly string[]) => KEYS.filter((k) => a[k] && !except.includes(k)).map((k) => html`<input type="hidden" name="${k}" value="${a[k]}">`);

function steps(current: number): Html {
  return html`<ol class="wizard-steps">${WIZARD_STEPS.map((s, i) => html`<li class="${i + 1 === current ? 'current' : i + 1 < current ? 'done' : ''}"><span class="n">${i + 1}</span>${s}</li>`)}</ol>`;
}

function radios(name: string, q: { choices: readonly { key: string; label: string; group?: string }[] }, value: string | undefined): Html {
  let group = '';
  return html`${q.choices.map((c) => {
    const heading = c.group && c.group !== group ? html`<div class="muted" style="margin-top:6px">${(group = c.group)}</div>` : '';
    return html`${heading}<label><input type="radio" name="${name}" value="${c.key}"${value === c.key ? html` checked` : ''}> ${c.label}</label>`;
  })}`;
}

/** Checks the answers up to a step; the problems by field. */
function problems(a: Answers, upTo: number): FieldErrors {
  const e: FieldErrors = {};
  if (upTo >= 1) {
    if (a.seg !== ACCEPTED.seg) e.seg = a.seg ? SEG_QUESTION.refusal : 'Choose an answer.';
    if (!SEG_TYPE_QUESTION.choices.some((c) => c.key === a.segType)) e.segType = 'Choose the type of SEG.';
    if (a.headerChoice === 'custom') {
      const p = headerProblem(a.header ?? '');
      if (p) e.header = `Invalid header: ${p}.`;
    } else if (a.headerChoice !== 'default') e.headerChoice = 'Choose the header.';
  }
  if (upTo >= 2) {
    if (a.source !== ACCEPTED.source) e.source = a.source ? SOURCE_QUESTION.refusal : 'Choose the message source.';
    if (a.direction !== ACCEPTED.direction) e.direction = a.direction ? DIRECTION_QUESTION.refusal : 'Choose the message direction.';
  }
  if (upTo >= 3) {
    if (a.visibility !== ACCEPTED.visibility) e.visibility = a.visibility ? VISIBILITY_QUESTION.refusal : 'Choose visibility and remediation.';
    if (!findRegion(a.region ?? '')) e.region = 'Choose a region.';
    if ((a.name ?? '').length > 64) e.name = 'Enter at most 64 characters.';
  }
  return e;
}

/** The setup wizard of the SETD portal: four steps, ending on the Message Intake Address with a copy button. */
export function registerSetdWizard(app: FastifyInstance, web: WebContext): void {
  const store = setdStoreOf(web.appliance);

  app.get('/setd/setup', (_, reply) =>
    sendPage(
      reply,
      portalLayout(
        'Welcome to Cisco Secure Email Threat Defense',
        html`${steps(0)}<p>Set up this account to receive messages from a Secure Email Gateway. At the end you get the Message Intake Address to enter on the gateway.</p>
<div class="buttons"><a class="button primary" href="/setd/setup/1" id="get-started">Get Started</a></div>`,
      ),
    ),
  );

  const stepPage = (n: number, a: Answers, errors: FieldErrors, csrf: string): Html => {
    let body: Html;
    if (n === 1) {
      body = html`<form method="get" action="/setd/setup/1">
<input type="hidden" name="next" value="1">
<fieldset><legend>${SEG_QUESTION.prompt}</legend>${radios('seg', SEG_QUESTION, a.seg)}${fieldError(errors, 'seg')}</fieldset>
<fieldset><legend>${SEG_TYPE_QUESTION.prompt}</legend>${radios('segType', SEG_TYPE_QUESTION, a.segType)}${fieldError(errors, 'segType')}
<div style="margin-top:8px">${radios('headerChoice', HEADER_QUESTION, a.headerChoice)}${fieldError(errors, 'headerChoice')}
<label style="margin-left:24px">Custom SEG header: <input type="text" name="header" value="${a.header ?? ''}" placeholder="X-Custom-RemoteIP"></label>${fieldError(errors, 'header')}</div></fieldset>
<div class="buttons"><button type="submit" class="primary">Next</button></div></form>`;
    } else if (n === 2) {
      body = html`<form method="get" action="/setd/setup/2">
<input type="hidden" name="next" value="1">${hidden(a, ['source', 'direction'])}
<fieldset><legend>${SOURCE_QUESTION.prompt}</legend>${radios('source', SOURCE_QUESTION, a.source)}${fieldError(errors, 'source')}</fieldset>
<fieldset><legend>Message Direction</legend>${radios('direction', DIRECTION_QUESTION, a.direction)}${fieldError(errors, 'direction')}</fieldset>
<div class="buttons"><a class="button" href="/setd/setup/1?${query(a)}">Back</a><button type="submit" class="primary">Next</button></div></form>`;
    } else {
      body = html`${formError(errors)}<form method="post" action="/setd/setup">
${csrfField(csrf)}${hidden(a, ['visibility', 'region', 'name'])}
<fieldset><legend>Visibility &amp; Remediation</legend>${radios('visibility', VISIBILITY_QUESTION, a.visibility)}${fieldError(errors, 'visibility')}</fieldset>
<fieldset><legend>Account (emulator)</legend>
<label>Region: <select name="region">${REGIONS.map((r) => html`<option value="${r.key}"${(a.region ?? 'north-america') === r.key ? html` selected` : ''}>${r.name}</option>`)}</select></label>${fieldError(errors, 'region')}
<label>Label (optional): <input type="text" name="name" value="${a.name ?? ''}" maxlength="64"></label>${fieldError(errors, 'name')}</fieldset>
<div class="buttons"><a class="button" href="/setd/setup/2?${query(a)}">Back</a><button type="submit" class="primary">Next</button></div></form>`;
    }
    return portalLayout('Welcome to Cisco Secure Email Threat Defense', html`${steps(n)}${body}`);
  };

  for (const n of [1, 2, 3]) {
    app.get<{ Querystring: Answers & { next?: string } }>(`/setd/setup/${n}`, (request, reply) => {
      const a = request.query;
      const errors = a.next ? problems(a, n) : {};
      if (a.next && Object.keys(errors).length === 0) return reply.redirect(`/setd/setup/${n + 1}?${query(a)}`);
      return sendPage(Object.keys(errors).length > 0 ? reply.code(400) : reply, stepPage(n, a, errors, reply.generateCsrf()));
    });
  }

  app.post('/setd/setup', (request: FastifyRequest, reply) => {
    const form = formBody(request) as Answers;
    const errors = problems(form, 3);
    if (Object.keys(errors).length === 0) {
      try {
        const header = form.headerChoice === 'custom' ? form.header! : DEFAULT_SEG_HEADER;
        const account = store.createAccount({ name: form.name?.trim() || undefined, region: form.region, segType: form.segType as 'cisco' | 'other', header });
        return reply.redirect(`/setd/setup/4?account=${encodeURIComponent(account.id)}`);
      } catch (error) {
        if (!(error instanceof UserError)) throw error;
        errors[''] = error.message;
      }
    }
    const step = errors.seg || errors.segType || errors.header || errors.headerChoice ? 1 : errors.source || errors.direction ? 2 : 3;
    return sendPage(reply.code(400), stepPage(step, form, errors, reply.generateCsrf()));
  });

  app.get<{ Querystring: { account?: string } }>('/setd/setup/4', (request, reply) => {
    const account = store.account(request.query.account ?? '');
    return sendPage(
      reply,
      portalLayout(
        'Welcome to Cisco Secure Email Threat Defense',
        html`${steps(4)}
<p>Enter this address in the Threat Defense Connector settings of your Secure Email Gateway: it journals clean incoming messages to it for analysis.</p>
<p><b>Message Intake Address:</b> ${intakeWithCopy(account.intakeAddress)}</p>
<p class="muted">You can find it again on the <a href="/setd/policy">Policy</a> page.</p>
<div class="buttons"><a class="button primary" href="/setd/messages?account=${account.id}">Done</a></div>`,
      ),
    );
  });
}
