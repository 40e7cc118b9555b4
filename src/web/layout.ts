import type { Session } from '../engine/sessions.js';
import { html, type Html } from './html.js';
import { menuButtons } from './menus.js';
import { describeWebChange } from './words.js';

export interface GatewayPage {
  title: string;
  body: Html;
  /** a success or error message shown above the page */
  notice?: { kind: 'success' | 'error'; text: string };
}

export interface PageFrame {
  hostname: string;
  session: Session;
  csrf: string;
  /** the Centralized Management bar under the title (clustered appliances: cluster-banner.ts) */
  clusterBar?: Html | '';
}

/** A hidden field with the form's CSRF token; every form carries one. */
export const csrfField = (token: string) => html`<input type="hidden" name="_csrf" value="${token}">`;

/** The full page: header with the host and user, menus, the Commit Changes button and the pending-changes banner. */
export function gatewayLayout(frame: PageFrame, page: GatewayPage): Html {
  const pending = frame.session.config.changes();
  const commit =
    pending.length > 0
      ? html`<a class="commit pending" href="/commit" title="${pending.map(describeWebChange).join('\n')}">Commit Changes</a>`
      : html`<span class="commit none">No Changes Pending</span>`;
  return document(
    `${page.title} - Cisco Secure Email Gateway`,
    html`<header class="top">
  <div class="product">Cisco Secure Email Gateway <span class="host">${frame.hostname}</span></div>
  <div class="user">Logged in as: <b>${frame.session.user}</b>
    <form method="post" action="/logout" class="inline">${csrfField(frame.csrf)}<button type="submit" class="link">Log Out</button></form>
  </div>
</header>
<nav class="menus" aria-label="Main menus">
  ${menuButtons()}
  <div class="menu"><a class="menu-label" href="/setd/" target="_blank" rel="noopener">SETD portal (emulator)</a></div>
  <div class="commit-box">${commit}</div>
</nav>
${pending.length > 0 ? html`<div class="banner pending-changes">Uncommitted Changes: you have ${pending.length} change${pending.length === 1 ? '' : 's'} not yet committed. <a href="/commit">Commit or abandon them</a>.</div>` : ''}
<main>
  <h1>${page.title}</h1>
  ${frame.clusterBar ?? ''}
  ${page.notice ? html`<div class="notice ${page.notice.kind}">${page.notice.kind === 'success' ? 'Success' : 'Error'} — ${page.notice.text}</div>` : ''}
  ${page.body}
</main>`,
  );
}

/** An HTML document with the shared stylesheet and htmx (served from node_modules, never a CDN). */
export function document(title: string, body: Html, bodyClass = 'gateway'): Html {
  return html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${title}</title>
<link rel="stylesheet" href="/static/segsim.css">
<script src="/static/htmx.min.js"></script>
</head>
<body class="${bodyClass}">
${body}
</body>
</html>`;
}
