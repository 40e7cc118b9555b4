import type { MemberStatus } from '../engine/cluster/cluster-node.js';
import { holderOf, levelSettings, type ClusterDoc } from '../engine/cluster/cluster-state.js';
import { modeName, type ClusterMode, type LeveledKey } from '../engine/cluster/levels.js';
import { screenDate } from '../engine/time-format.js';

/** The settings' names as the screens show them. */
export const KEY_LABELS: Record<LeveledKey, string> = {
  tdc: 'Threat Defense Connector (tdcconfig)',
  incomingPolicies: 'Incoming Mail Policies (policyconfig)',
  outgoingPolicies: 'Outgoing Mail Policies (policyconfig)',
  smtpRoutes: 'SMTP routes (smtproutes)',
  destinationControls: 'Destination controls (destconfig)',
  bounceProfile: 'Bounce profile',
};

/** `clusterconfig list`: the cluster, its groups and their machines, each with its connection state. */
export function renderClusterList(doc: ClusterDoc, members: MemberStatus[]): string {
  const lines = [`Cluster ${doc.name}`];
  for (const group of doc.shared.groups) {
    lines.push(`Group ${group}:`);
    for (const m of members.filter((x) => x.group === group)) lines.push(`Machine ${m.name} (${m.host} port ${m.port})${m.self ? ' (this machine)' : m.connected ? '' : ' (disconnected)'}`);
  }
  return lines.join('\n');
}

/** `clusterconfig connstatus` and `clustercheck`: one line per other member. */
export function renderConnections(doc: ClusterDoc, members: MemberStatus[]): string {
  const others = members.filter((m) => !m.self);
  if (others.length === 0) return `Machine ${doc.self} is the only machine in cluster ${doc.name}.`;
  const lines = [`Connection status of the machines in cluster ${doc.name}, seen from ${doc.self}:`];
  for (const m of others) {
    const seen = m.lastSeen === null ? 'never since this machine started' : screenDate(m.lastSeen);
    lines.push(m.connected ? `Machine ${m.name} (${m.host} port ${m.port}): Connected` : `Machine ${m.name} (${m.host} port ${m.port}): Disconnected (${m.problem ?? 'no answer'}); last seen ${seen}`);
  }
  return lines.join('\n');
}

/** Where each of `keys` is held, and which level each machine uses: CLUSTERSHOW's data. */
export interface SettingsPlacement {
  settings: string;
  /** the levels that hold it, Cluster first */
  heldAt: string[];
  /** machine -> the level it uses ("none" when no level holds it) */
  used: Record<string, string>;
}

export function settingsPlacement(doc: ClusterDoc, keys: readonly LeveledKey[]): SettingsPlacement[] {
  const modes: ClusterMode[] = [
    { level: 'cluster' },
    ...doc.shared.groups.map((name) => ({ level: 'group', name }) as const),
    ...doc.shared.members.map((m) => ({ level: 'machine', name: m.name }) as const),
  ];
  return keys.map((key) => ({
    settings: KEY_LABELS[key],
    heldAt: modes.filter((m) => levelSettings(doc, m)[key] !== undefined).map((m) => modeName(m, doc.name)),
    used: Object.fromEntries(
      doc.shared.members.map((m) => {
        const holder = holderOf(doc, { level: 'machine', name: m.name }, key);
        return [m.name, holder ? modeName(holder, doc.name) : 'none'];
      }),
    ),
  }));
}

/** CLUSTERSHOW: for each setting, the levels that hold it and the one each machine uses. */
export function renderPlacement(placement: SettingsPlacement[]): string {
  return placement.flatMap((p) => [`${p.settings}:`, `  held at: ${p.heldAt.join(', ') || 'no level'}`, ...Object.entries(p.used).map(([machine, level]) => `  ${machine} uses ${level}`)]).join('\n');
}
