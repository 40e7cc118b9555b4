import type { FastifyInstance } from 'fastify';
import { modeFromText, switchMode } from '../../engine/operations/cluster-mode.js';
import { ErrorCodes, UserError } from '../../errors.js';
import { CHANGE_MODE_PATH } from '../cluster-banner.js';
import type { WebContext } from '../context.js';
import { formBody } from '../forms.js';
import { html } from '../html.js';

/** Only a path of this site: a form cannot send the browser elsewhere. */
const samePath = (back: string | undefined) => (back && /^\/(?![/\\])/.test(back) ? back : '/');

/**
 * Change Mode: moves this web login's cluster level (its session's mode), as `clustermode` does
 * in the CLI; the pages then show and edit that level. Refused, saying why, while the login has
 * uncommitted changes (they belong to the mode they were made in).
 */
export function registerClusterMode(app: FastifyInstance, web: WebContext): void {
  app.post(CHANGE_MODE_PATH, (request, reply) => {
    const form = formBody(request);
    const back = samePath(form.back);
    try {
      const doc = web.appliance.cluster.doc;
      if (!doc) throw new UserError('Change Mode is only available on a cluster system: this machine is not in a cluster.', ErrorCodes.conflict);
      switchMode(web.appliance, request.login!.session, modeFromText(doc, form.mode ?? ''));
    } catch (error) {
      if (!(error instanceof UserError)) throw error;
      return web.page(request, reply.code(409), {
        title: 'Change Mode',
        notice: { kind: 'error', text: error.message },
        body: html`<p><a href="${back}">Back</a> · <a href="/commit">Commit or abandon the changes</a></p>`,
      });
    }
    return reply.redirect(back);
  });
}
