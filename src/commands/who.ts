import type { SessionInfo } from '../engine/sessions.js';
import type { CommandSpec } from './types.js';

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `03:27PM`, as AsyncOS's `who` prints login times. */
function loginTime(ms: number): string {
  const d = new Date(ms);
  const h = d.getHours() % 12 || 12;
  return `${pad2(h)}:${pad2(d.getMinutes())}${d.getHours() < 12 ? 'AM' : 'PM'}`;
}

/** `5s`, `3m`, `2h`, as idle times are shown. */
function idle(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return s < 60 ? `${s}s` : s < 3600 ? `${Math.floor(s / 60)}m` : `${Math.floor(s / 3600)}h`;
}

const WHAT: Record<SessionInfo['kind'], string> = { shell: 'cli', script: 'cli (script)', 'one-shot': 'cli (one-shot)', web: 'web', ssh: 'cli (ssh)' };

/** The `who` table; the running command is shown after the session's kind. */
export function renderWho(sessions: SessionInfo[], now: number, self: number): string {
  const rows = sessions.map((s) => [`${s.id}${s.id === self ? '*' : ''}`, s.user, loginTime(s.since), idle(now - s.lastActive), s.from, `${WHAT[s.kind]}${s.running ? `: ${s.running}` : ''}`]);
  const header = ['Session', 'Username', 'Login Time', 'Idle Time', 'Remote Host', 'What'];
  const widths = header.slice(0, -1).map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < widths.length ? c.padEnd(widths[i]!) : c))
      .join('  ')
      .trimEnd();
  return ['', line(header), line(header.map((h) => '='.repeat(h.length))), ...rows.map(line)].join('\n');
}

export const whoCommand: CommandSpec = {
  name: 'who',
  summary: 'List who is logged in: every session attached to this appliance.',
  help: [
    'who [--json]',
    '',
    'One line per session: the shell in this terminal, shells attached from other terminals,',
    'one-shot commands running now (segsim <command>) and web logins. * marks your own session.',
    'Remote Host is "console" for this process, "socket" for another terminal on this machine.',
  ].join('\n'),
  json: 'the sessions',
  async run(ctx) {
    const sessions = ctx.appliance.sessions.list();
    return { data: sessions, render: (io) => io.print(renderWho(sessions, ctx.appliance.clock.now(), ctx.session.id)) };
  },
};
