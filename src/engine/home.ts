import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import envPaths from 'env-paths';

/** Where everything of one appliance lives. Tests always use a temporary home. */
export interface HomePaths {
  root: string;
  config: string;
  state: string;
  spool: string;
  logs: string;
  tracking: string;
  tls: string;
  mailboxes: string;
  setd: string;
  socket: string;
  lock: string;
  /** the output of an appliance started with `segsim start --detach` */
  detachedLog: string;
}

/** The home directory: --home, else SEGSIM_HOME, else the per-user configuration directory (env-paths). */
export function resolveHome(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  return explicit ?? env.SEGSIM_HOME ?? envPaths('segsim', { suffix: '' }).config;
}

export function homePaths(root: string): HomePaths {
  return {
    root,
    config: join(root, 'config.json'),
    state: join(root, 'state'),
    spool: join(root, 'spool'),
    logs: join(root, 'logs'),
    tracking: join(root, 'tracking'),
    tls: join(root, 'tls'),
    mailboxes: join(root, 'mailboxes'),
    setd: join(root, 'setd'),
    socket: join(root, 'segsim.sock'),
    lock: join(root, 'segsim.pid'),
    detachedLog: join(root, 'segsim.log'),
  };
}

export function ensureDir(path: string): string {
  mkdirSync(path, { recursive: true, mode: 0o700 });
  return path;
}
