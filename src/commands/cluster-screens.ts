import type { MemberStatus } from '../engine/cluster/cluster-node.js';
import type { ClusterDoc } from '../engine/cluster/cluster-state.js';
import { LEVELED_KEYS, type LeveledKey } from '../engine/cluster/levels.js';
import { asyncosDate } from '../engine/time-format.js';

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
    const seen = m.lastSeen === null ? 'never since this machine started' : asyncosDate(m.lastSeen);
    lines.push(m.connected ? `Machine ${m.name} (${m.host} port ${m.port}): Connected` : `Machine ${m.name} (${m.host} port ${m.port}): Disconnected (${m.problem ?? 'no answer'}); last seen ${seen}`);
  }
  return lines.join('\n');
}

/** Which level holds each setting: the cluster's, every group's, every machine's. */
export function renderLevels(doc: ClusterDoc): string {
  const held = (settings: Record<string, unknown>) => LEVELED_KEYS.filter((k) => settings[k] !== undefined).map((k) => KEY_LABELS[k]);
  const block = (title: string, settings: Record<string, unknown>) => {
    const keys = held(settings);
    return [`${title}:`, ...(keys.length ? keys.map((k) => `  ${k}`) : ['  (no settings at this level)'])];
  };
  return [
    ...block(`Cluster ${doc.name}`, doc.shared.cluster),
    ...doc.shared.groups.flatMap((g) => block(`Group ${g}`, doc.shared.groups_settings[g] ?? {})),
    ...doc.shared.members.flatMap((m) => block(`Machine ${m.name}`, doc.machines[m.name]?.settings ?? {})),
  ].join('\n');
}
