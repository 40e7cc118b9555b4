import { html, type Html } from './html.js';

/** The gateway's menus, as on AsyncOS (only the pages segsim has). */
export const MENUS = [
  {
    label: 'Monitor',
    items: [
      { label: 'Delivery Status', href: '/monitor/delivery-status' },
      { label: 'Message Tracking', href: '/monitor/message-tracking' },
    ],
  },
  { label: 'Mail Policies', items: [{ label: 'Incoming Mail Policies', href: '/mail-policies/incoming' }] },
  { label: 'Security Services', items: [{ label: 'Threat Defense Connector', href: '/security-services/threat-defense-connector' }] },
] as const;

/** Where the menus' script is served. */
export const MENUS_SCRIPT_PATH = '/static/menus.js';

const slug = (label: string) => label.toLowerCase().replace(/[^a-z0-9]+/g, '-');

/**
 * The menus as menu buttons (the WAI-ARIA pattern): each a button in the tab order that says
 * whether its menu is open, the menu's links its items. MENUS_SCRIPT gives them their keys.
 */
export function menuButtons(): Html {
  return html`${MENUS.map((m) => {
    const id = `menu-${slug(m.label)}`;
    return html`<div class="menu" data-menu>
<button type="button" class="menu-label" id="${id}-button" aria-haspopup="menu" aria-expanded="false" aria-controls="${id}">${m.label}</button>
<ul role="menu" id="${id}" aria-labelledby="${id}-button">${m.items.map((i) => html`<li role="none"><a role="menuitem" tabindex="-1" href="${i.href}">${i.label}</a></li>`)}</ul>
</div>`;
  })}<script src="${MENUS_SCRIPT_PATH}" defer></script>`;
}

/**
 * The keys of the menus: Enter, Space or Down on a menu's button opens it on its first item, Up on
 * its last; Up/Down/Home/End move within it; Left/Right go to the menu beside it; Escape closes it
 * and gives the focus back to its button; Tab or a click elsewhere closes it. The mouse opens a
 * menu by hovering (the stylesheet) or clicking its button.
 */
export const MENUS_SCRIPT = `(() => {
  const menus = [...document.querySelectorAll('nav.menus [data-menu]')];
  const partsOf = (menu) => ({ button: menu.querySelector('button.menu-label'), list: menu.querySelector('[role=menu]'), items: [...menu.querySelectorAll('[role=menuitem]')] });
  const isOpen = (menu) => menu.classList.contains('open');
  function close(menu, refocus) {
    if (!isOpen(menu)) return;
    menu.classList.remove('open');
    const { button } = partsOf(menu);
    button.setAttribute('aria-expanded', 'false');
    if (refocus) button.focus();
  }
  function open(menu, where) {
    for (const other of menus) if (other !== menu) close(other, false);
    const { button, items } = partsOf(menu);
    menu.classList.add('open');
    button.setAttribute('aria-expanded', 'true');
    if (where === 'first') items[0].focus();
    if (where === 'last') items[items.length - 1].focus();
  }
  menus.forEach((menu, i) => {
    const { button, list, items } = partsOf(menu);
    const beside = (key) => menus[(i + (key === 'ArrowRight' ? 1 : -1) + menus.length) % menus.length];
    // a click from the keyboard has detail 0: the keydown below has already handled it
    button.addEventListener('click', (e) => {
      if (e.detail === 0) return;
      if (isOpen(menu)) close(menu, false);
      else open(menu, null);
    });
    button.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' || e.key === ' ' || e.key === 'ArrowDown') open(menu, 'first');
      else if (e.key === 'ArrowUp') open(menu, 'last');
      else if (e.key === 'Escape') close(menu, true);
      else if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') partsOf(beside(e.key)).button.focus();
      else return;
      e.preventDefault();
    });
    list.addEventListener('keydown', (e) => {
      const at = items.indexOf(document.activeElement);
      const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: items.length - 1 }[e.key];
      if (to !== undefined) items[(to + items.length) % items.length].focus();
      else if (e.key === 'Escape') close(menu, true);
      else if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') open(beside(e.key), 'first');
      else if (e.key === ' ') document.activeElement.click();
      else {
        if (e.key === 'Tab') close(menu, false);
        return;
      }
      e.preventDefault();
    });
    menu.addEventListener('focusout', (e) => {
      if (!menu.contains(e.relatedTarget)) close(menu, false);
    });
  });
  document.addEventListener('click', (e) => {
    for (const menu of menus) if (!menu.contains(e.target)) close(menu, false);
  });
})();
`;
