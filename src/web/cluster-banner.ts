import { KEY_LABELS } from '../commands/cluster-screens.js';
import { modeText, sessionMode } from '../engine/operations/cluster-mode.js';
import type { Appliance } from '../engine/appliance.js';
import { holderOf } from '../engine/cluster/cluster-state.js';
import { LEVELED_KEYS, sameMode, type ClusterMode } from '../engine/cluster/levels.js';
import type { Session } from '../engine/sessions.js';
import { html, type Html } from './html.js';
import { csrfField } from './layout.js';

/** Where Change Mode posts; the form says where to come back to. */
export const CHANGE_MODE_PATH = '/cluster-mode';

/** `Cluster: Hosted_Cluster`, `Group: Main_Group`, `Machine: esa1.example.com`: the web's words for a mode (the seed's banner). */
export function modeLabel(mode: ClusterMode, clusterName: string): string {
  if (mode.level === 'cluster') return `Cluster: ${clusterName}`;
  return `${mode.level === 'group' ? 'Group' : 'Machine'}: ${mode.name}`;
}

/**
 * The Centralized Management bar of a clustered appliance, as the seed's screenshots show it
 * above every page: `Mode — Cluster: Hosted_Cluster`, the Change Mode... list (it moves this web
 * login's level, as `clustermode` moves a CLI session's) and Centralized Management Options (where
 * each setting seen from this mode is held). Nothing on a standalone appliance.
 */
export function clusterBanner(appliance: Appliance, session: Session, csrf: string, back: string): Html | '' {
  const doc = appliance.cluster.doc;
  const mode = sessionMode(appliance, session);
  if (!doc || !mode) return '';
  const modes: ClusterMode[] = [
    { level: 'cluster' },
    ...doc.shared.groups.map((name) => ({ level: 'group', name }) as const),
    ...doc.shared.members.map((m) => ({ level: 'machine', name: m.name }) as const),
  ];
  const held = LEVELED_KEYS.map((key) => {
    const holder = holderOf(doc, mode, key);
    const where = !holder ? 'not configured at any level' : sameMode(holder, mode) ? 'this mode' : modeLabel(holder, doc.name);
    return html`<tr><td>${KEY_LABELS[key]}</td><td>${where}</td></tr>`;
  });
  return html`<div class="cluster-mode" id="cluster-mode">
  <span class="mode-label">Mode — <b id="current-mode">${modeLabel(mode, doc.name)}</b></span>
  <form method="post" action="${CHANGE_MODE_PATH}" class="inline">${csrfField(csrf)}<input type="hidden" name="back" value="${back}">
    <select name="mode" id="change-mode" aria-label="Change Mode" onchange="this.form.submit()">
      <option value="" selected disabled>Change Mode...</option>
      ${modes.map((m) => html`<option value="${modeText(m)}"${sameMode(m, mode) ? html` disabled` : ''}>${modeLabel(m, doc.name)}</option>`)}
    </select>
    <noscript><button type="submit">Change Mode</button></noscript>
  </form>
  <details class="cm-options" id="cm-options"><summary>Centralized Management Options</summary>
    <table class="listing"><caption>Settings seen from ${modeLabel(mode, doc.name)}: where each is held</caption>
    <tr><th>Settings</th><th>Held at</th></tr>${held}</table>
    <p class="muted">Saving a page at this mode makes this mode hold those settings (copied from where they were held, with your change).</p>
  </details>
</div>`;
}
