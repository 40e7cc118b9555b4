import type { FastifyInstance } from 'fastify';
import type { WebContext } from '../context.js';
import { UserError } from '../../errors.js';
import { formBody, formError, type FieldErrors } from '../forms.js';
import { html } from '../html.js';
import { csrfField } from '../layout.js';
import { describeWebChange } from '../words.js';

const NOTICES: Record<string, { kind: 'success'; text: string }> = {
  committed: { kind: 'success', text: 'Your changes have been committed.' },
  abandoned: { kind: 'success', text: 'Your uncommitted changes have been abandoned.' },
};

/**
 * Uncommitted Changes: this login's pending changes, Commit Changes with a comment, Abandon
 * Changes. The commit is the session's, as `commit` in a shell: it merges with what other
 * sessions committed, and a setting another session changed meanwhile is refused by name.
 */
export function registerCommit(app: FastifyInstance, web: WebContext): void {
  const page = (csrf: string, changes: string[], comment: string, errors: FieldErrors) =>
    changes.length === 0
      ? html`<p>There are no uncommitted changes.</p>`
      : html`${formError(errors)}
<p>You have uncommitted changes. These changes will not go into effect until you commit them.</p>
<table class="listing" id="pending-changes"><caption>Uncommitted Changes</caption>${changes.map((c) => html`<tr><td>${c}</td></tr>`)}</table>
<form method="post" action="/commit">
${csrfField(csrf)}
<table class="settings"><tr><th><label for="comment">Comment (optional):</label></th><td><textarea id="comment" name="comment" rows="3" cols="60" maxlength="255">${comment}</textarea></td></tr></table>
<div class="buttons"><a class="button" href="/">Cancel</a><button type="submit" formaction="/abandon" id="abandon">Abandon Changes</button><button type="submit" class="primary commit-changes">Commit Changes</button></div>
</form>`;

  app.get<{ Querystring: { done?: string } }>('/commit', (request, reply) => {
    const changes = request.login!.session.config.changes().map(describeWebChange);
    return web.page(request, reply, { title: 'Uncommitted Changes', notice: NOTICES[request.query.done ?? ''], body: page(web.csrf(reply), changes, '', {}) });
  });

  app.post('/commit', async (request, reply) => {
    const session = request.login!.session;
    const comment = (formBody(request).comment ?? '').trim();
    const errors: FieldErrors = {};
    try {
      await session.config.commit(comment);
      return reply.redirect('/commit?done=committed');
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      errors[''] = error.message; // refused: nothing was committed, the changes stay pending
    }
    return web.page(request, reply.code(409), { title: 'Uncommitted Changes', body: page(web.csrf(reply), session.config.changes().map(describeWebChange), comment, errors) });
  });

  app.post('/abandon', (request, reply) => {
    request.login!.session.config.clear();
    return reply.redirect('/commit?done=abandoned');
  });
}
