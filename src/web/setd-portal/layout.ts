import { html, type Html } from '../html.js';
import { document } from '../layout.js';

const NAV = [
  { label: 'Messages', href: '/setd/messages' },
  { label: 'Policy', href: '/setd/policy' },
  { label: 'Setup', href: '/setd/setup' },
];

/** A page of the SETD portal (the emulator's own site, beside the gateway's). */
export function portalLayout(title: string, body: Html): Html {
  return document(
    `${title} - Cisco Secure Email Threat Defense`,
    html`<header class="top"><div class="product">Cisco Secure Email Threat Defense <span class="host">segsim emulator</span></div></header>
<nav class="menus">${NAV.map((n) => html`<div class="menu"><a class="menu-label" href="${n.href}">${n.label}</a></div>`)}</nav>
<main><h1>${title}</h1>${body}</main>`,
    'setd',
  );
}

/** An intake address with a button that copies it (the seed's copy icon). */
export function intakeWithCopy(address: string, id = 'intake-address'): Html {
  return html`<span class="intake" id="${id}">${address}</span>
<button type="button" class="copy" data-copy="${address}" onclick="navigator.clipboard.writeText(this.dataset.copy).then(() => { this.textContent = 'Copied'; })" title="Copy the Message Intake Address">Copy</button>`;
}
