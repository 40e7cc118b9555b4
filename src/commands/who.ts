import { ADMIN_USER } from '../engine/admin-account.js';
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

/** A session as `who` lists it: any kind of front end, those added later included. */
export type WhoSession = Omit<SessionInfo, 'kind'> & { kind: string };

/** The role of each account, as AsyncOS names it; segsim's one account is the appliance's admin. */
const ROLES: Record<string, string> = { [ADMIN_USER]: 'Administrator' };

/** What a session is, in the appliance's word: `CLI` for every command line, `GUI` for the web interface. */
const CHANNELS: Record<string, string> = { web: 'GUI', api: 'API' };
/** Kinds the appliance itself has (a console or SSH login, a web login); segsim's own kinds are named after the word. */
const APPLIANCE_KINDS = new Set(['shell', 'ssh', 'web', 'api']);

function what(kind: string): string {
  return `${CHANNELS[kind] ?? 'CLI'}${APPLIANCE_KINDS.has(kind) ? '' : ` (${kind})`}`;
}

/**
 * The `who` table as the appliance prints it (fidelity-sources C1): Username, Role, Login Time,
 * Idle Time, Remote Host, What, each column at least as wide as the appliance's and ruled to its
 * width.
 */
export function renderWho(sessions: readonly WhoSession[], now: number): string {
  const columns: [string, number][] = [
    ['Username', 8],
    ['Role', 13],
    ['Login Time', 10],
    ['Idle Time', 9],
    ['Remote Host', 12],
    ['What', 4],
  ];
  const rows = sessions.map((s) => [s.user, ROLES[s.user] ?? s.user, loginTime(s.since), idle(now - s.lastActive), s.from, what(s.kind)]);
  const widths = columns.map(([header, min], i) => Math.max(min, header.length, ...(i < columns.length - 1 ? rows.map((r) => r[i]!.length) : [])));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i < widths.length - 1 ? c.padEnd(widths[i]!) : c))
      .join('  ')
      .trimEnd();
  return ['', line(columns.map(([header]) => header)), line(widths.map((w, i) => '='.repeat(i < widths.length - 1 ? w : columns[i]![0].length))), ...rows.map(line)].join('\n');
}

export const whoCommand: CommandSpec = {
  name: 'who',
  summary: 'List who is logged in: every session attached to this appliance.',
  help: [
    'who [--json]',
    '',
    "One line per session, with the appliance's columns: the shell in this terminal, shells",
    'attached from other terminals, one-shot commands running now (segsim <command>), SSH and web',
    'logins. Remote Host is the client\'s address, "console" for this process, "socket" for another',
    "terminal on this machine. What is CLI or GUI; segsim's own kinds of session follow in",
    "parentheses. --json also gives each session's id and the command it runs.",
  ].join('\n'),
  json: 'the sessions',
  async run(ctx) {
    const sessions = ctx.appliance.sessions.list();
    return { data: sessions, render: (io) => io.print(renderWho(sessions, ctx.appliance.clock.now())) };
  },
};
