import type { AddressInfo } from 'node:net';
// ssh2 is CommonJS whose exports Node's ESM loader cannot name: taken from its default export
import ssh2, { type AuthContext, type Connection, type PublicKeyAuthContext, type ServerChannel } from 'ssh2';
import { History } from '../conversation/history.js';
import type { LineIO } from '../conversation/line-io.js';
import { Pager, pagedLineIO } from '../conversation/pager.js';
import type { Appliance } from '../engine/appliance.js';
import { loginGuardOf } from '../engine/login-guard.js';
import { authorizedKeyFor } from '../engine/ssh-keys.js';
import type { Session } from '../engine/sessions.js';
import { splitBatch } from './batch.js';
import { loginText, SSH_IDLE_MINUTES } from './login-text.js';
import { runScp } from './scp.js';
import { ChannelTerminal, type TerminalSize } from './terminal.js';

const { Server, utils } = ssh2;

/** The command loop an SSH channel runs: the shell of src/cli/execute.ts, built by the composition root. */
export interface SshShell {
  /** prompts and runs commands until quit or end of input */
  run(): Promise<void>;
  /** runs one command line; resolves its exit status (0 done, 1 refused, 2 usage, 130 cancelled) */
  execute(line: string): Promise<number>;
  /** Ctrl-C: ends the running command */
  interrupt(): void;
  /** the shell ends after the command that runs now */
  exit(): void;
}

export interface ShellRequest {
  io: LineIO;
  /** the session the channel is: its pending changes, its `who` line */
  session: Session;
  /** true for a login's shell (it asks questions); false for an exec command (batch forms) */
  interactive: boolean;
  /** printed once when the shell opens */
  banner?: string;
  /** end of input (Ctrl-D) is the user leaving: it asks as `quit` does */
  endOfInputQuits?: boolean;
  /** where the text of a failed command goes; the channel's output by default */
  reportError?: (text: string) => void;
}

export type OpenShell = (request: ShellRequest) => SshShell;

export interface SshServerOptions {
  /** 0: any free port */
  port: number;
  /** the host's private key, OpenSSH format (ensureHostKey) */
  hostKey: string;
  openShell: OpenShell;
  /** how long a login's shell may stay idle (30 minutes, as the login's NOTE says) */
  idleMs?: number;
  /** how long a connection may take to log in, as OpenSSH's LoginGraceTime */
  loginGraceMs?: number;
}

export interface SshServer {
  readonly port: number;
  /** Stops listening and ends every connection (their sessions end, pending changes dropped). */
  stop(): Promise<void>;
}

/** The login methods offered: a user key (sshconfig), a password typed either way OpenSSH and paramiko send it. */
const METHODS: AuthContext['method'][] = ['publickey', 'password', 'keyboard-interactive'];
/** The longest exec command taken: a batch of commands is far shorter. */
export const MAX_EXEC_COMMAND = 16_384;
const LOGIN_GRACE_MS = 120_000;
/** Sessions (shells, exec commands) one connection may hold open at once, as OpenSSH's MaxSessions. */
const MAX_SESSIONS = 10;

/**
 * What is wrong with an exec command before any of it runs: too long, or holding control
 * characters (a binary blob is no command line), in AsyncOS's words for arguments it cannot take.
 */
export function execProblem(command: string): string | null {
  if (command.length > MAX_EXEC_COMMAND) return `Invalid arguments when processing: the command is ${command.length} characters long; at most ${MAX_EXEC_COMMAND} are taken.`;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000a-\u001f\u007f\ufffd]/.test(command)) return 'Invalid arguments when processing: the command holds control characters or bytes that are not text.';
  return null;
}

/**
 * The appliance's SSH server (ssh2) on 127.0.0.1: logins with the admin account through the login
 * guard (slowed, counted, locked, logged as SSH), a login's shell with or without a PTY, and exec
 * requests (`ssh admin@host "status; who"`). Each shell and each exec command is a session of its
 * own, ended with its channel.
 */
export async function startSshServer(appliance: Appliance, options: SshServerOptions): Promise<SshServer> {
  const guard = loginGuardOf(appliance);
  const idleMs = options.idleMs ?? SSH_IDLE_MINUTES * 60_000;
  const clients = new Set<Connection>();
  /** the last login, what the next one's `Last login:` line shows */
  let lastLogin: { at: number; from: string } | null = null;

  const openSession = (from: string): Session => {
    const session = appliance.sessions.open('ssh', from);
    // a login on a clustered appliance starts at its own machine's level, as AsyncOS's logins show
    const doc = appliance.cluster.doc;
    if (doc) session.mode = { level: 'machine', name: doc.self };
    return session;
  };

  const server = new Server({ hostKeys: [options.hostKey] }, (client, info) => {
    clients.add(client);
    const from = info.ip;
    let user: string | null = null;
    let previousLogin: { at: number; from: string } | null = null;
    let idleExpired = false;
    const grace = setTimeout(() => client.end(), options.loginGraceMs ?? LOGIN_GRACE_MS);
    grace.unref();

    const loggedIn = (name: string) => {
      user = name;
      previousLogin = lastLogin;
      lastLogin = { at: appliance.clock.now(), from };
    };

    const decide = async (ctx: AuthContext, password: string) => {
      let accepted = false;
      try {
        const result = await guard.check({ user: ctx.username, password, from, frontEnd: 'ssh' });
        if (result.ok) {
          accepted = true;
          loggedIn(result.user);
        }
      } catch {
        // a bad password file (set aside): refused as a failed login
      }
      try {
        if (accepted) ctx.accept();
        else ctx.reject(METHODS);
      } catch {
        // the client went away while the login was decided
      }
    };

    /**
     * A user key: a key on the user's list (sshconfig) is first only asked about (no signature: the
     * client learns it may use it), then signed; the signature is checked with that key. A signed
     * login with a key not on the list, or a bad signature, is a failed login in the log.
     */
    const publicKey = (ctx: PublicKeyAuthContext) => {
      const listed = authorizedKeyFor(appliance, ctx.username, ctx.key.algo, ctx.key.data);
      if (!ctx.signature || !ctx.blob) return listed ? ctx.accept() : ctx.reject(METHODS);
      const key = listed ? utils.parseKey(ctx.key.data) : null;
      const verified = key !== null && !(key instanceof Error) && key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true;
      if (!verified) {
        guard.log.failed(ctx.username, 'ssh', from);
        return ctx.reject(METHODS);
      }
      guard.log.loggedOn(ctx.username, 'ssh', from);
      loggedIn(ctx.username);
      ctx.accept();
    };

    client.on('error', () => undefined);
    client.on('authentication', (ctx) => {
      if (ctx.method === 'password') void decide(ctx, ctx.password);
      else if (ctx.method === 'keyboard-interactive') ctx.prompt([{ prompt: 'Password: ', echo: false }], (answers) => void decide(ctx, answers[0] ?? ''));
      else if (ctx.method === 'publickey') publicKey(ctx);
      else ctx.reject(METHODS);
    });
    client.on('ready', () => {
      clearTimeout(grace);
      let open = 0;
      client.on('session', (accept, reject) => {
        if (open >= MAX_SESSIONS) return reject();
        open++;
        const channelSession = accept();
        channelSession.once('close', () => open--);
        let pty: TerminalSize | null = null;
        let terminal: ChannelTerminal | null = null;
        let interrupt = () => undefined as void;
        channelSession.on('pty', (acceptPty, _reject, ptyInfo) => {
          pty = { rows: ptyInfo.rows, cols: ptyInfo.cols };
          acceptPty?.();
        });
        channelSession.on('window-change', (acceptChange, _reject, size) => {
          if (pty) pty = { rows: size.rows, cols: size.cols };
          if (pty) terminal?.resize(pty);
          acceptChange?.();
        });
        channelSession.on('env', (acceptEnv) => acceptEnv?.());
        channelSession.on('signal', (acceptSignal, _reject, signal) => {
          acceptSignal?.();
          if (signal.name === 'INT') interrupt();
        });
        channelSession.on('subsystem', (_accept, reject) => reject?.());
        channelSession.on('shell', (acceptShell) => {
          const channel = acceptShell();
          const last = previousLogin ?? lastLogin ?? { at: appliance.clock.now(), from };
          const run = runShell(channel, pty, from, last);
          terminal = run.terminal;
          interrupt = run.interrupt;
          // the channel closes; the client then leaves, and its logout is logged as an idle one
          void run.done.then((expired) => void (idleExpired ||= expired));
        });
        channelSession.on('exec', (acceptExec, _reject, exec) => {
          const channel = acceptExec();
          const run = /^scp\s/.test(exec.command) ? runFileTransfer(channel, exec.command) : runExec(channel, pty, exec.command, from);
          terminal = run.terminal;
          interrupt = run.interrupt;
        });
      });
    });
    client.on('close', () => {
      clearTimeout(grace);
      clients.delete(client);
      if (user) guard.log.loggedOut(user, 'ssh', from, '', idleExpired);
    });
  });

  /** A channel's terminal and the shell that runs over it; the channel going away ends the shell. */
  const attach = (channel: ServerChannel, pty: TerminalSize | null, from: string, request: Omit<ShellRequest, 'io' | 'session'>, history?: History) => {
    const session = openSession(from);
    const holder: { shell?: SshShell } = {};
    const terminal = new ChannelTerminal(channel, pty, () => holder.shell?.interrupt(), history);
    const pager = pty ? new Pager(terminal) : null;
    const io = pager ? pagedLineIO(terminal, pager) : terminal;
    const shell = (holder.shell = options.openShell({ ...request, io, session }));
    let closed = false;
    channel.on('data', (data: Buffer) => terminal.feed(data.toString('utf8')));
    channel.on('end', () => terminal.end());
    channel.on('error', () => undefined);
    channel.on('close', () => {
      closed = true;
      shell.exit();
      terminal.close();
      shell.interrupt();
    });
    const finish = async (status: number) => {
      await pager?.idle();
      session.close();
      if (closed) return;
      channel.exit(status);
      channel.end();
    };
    return { session, terminal, pager, shell, io, finish, isClosed: () => closed };
  };

  /** `scp -f PATH` / `scp -t PATH`: the legacy file transfer (src/ssh/scp.ts), not a command line. */
  const runFileTransfer = (channel: ServerChannel, command: string) => {
    channel.on('error', () => undefined);
    const done = runScp(command, channel, appliance)
      .catch(() => 1)
      .then((status) => {
        if (channel.destroyed) return;
        channel.exit(status);
        channel.end();
      });
    return { terminal: null, interrupt: () => undefined, done };
  };

  const runExec = (channel: ServerChannel, pty: TerminalSize | null, command: string, from: string) => {
    const report = (text: string) => (pty ? run.io.write(`${text}\n`) : channel.stderr.write(`${text}\n`));
    const run = attach(channel, pty, from, { interactive: false, reportError: (text) => report(text) });
    const done = (async () => {
      let status = 0;
      try {
        const problem = execProblem(command);
        if (problem) {
          report(problem);
          status = 2;
        } else {
          // the batch stops at the first command that fails: what follows (a commit) counted on it
          for (const line of splitBatch(command)) {
            if (run.isClosed()) break;
            status = await run.shell.execute(line);
            if (status !== 0) break;
          }
        }
      } finally {
        await run.finish(status);
      }
    })();
    return { terminal: run.terminal, interrupt: () => run.shell.interrupt(), done };
  };

  const runShell = (channel: ServerChannel, pty: TerminalSize | null, from: string, last: { at: number; from: string }) => {
    const minutes = Math.round(idleMs / 60_000);
    const run = attach(channel, pty, from, { interactive: true, endOfInputQuits: true, banner: loginText(last, minutes) }, new History());
    let expired = false;
    let timer: NodeJS.Timeout | null = null;
    const arm = () => {
      if (timer) clearTimeout(timer);
      timer = setTimeout(() => {
        // a command running (a live view) is not idle
        if (run.session.info().running !== null) return arm();
        expired = true;
        run.terminal.write(`\nThis session expired after being idle for ${minutes} minutes; uncommitted changes were discarded.\n`);
        run.shell.exit();
        run.terminal.close();
        run.shell.interrupt();
      }, idleMs);
      timer.unref();
    };
    arm();
    channel.on('data', arm);
    const done = (async () => {
      try {
        await run.shell.run();
      } finally {
        if (timer) clearTimeout(timer);
        await run.finish(0);
      }
      return expired;
    })();
    return { terminal: run.terminal, interrupt: () => run.shell.interrupt(), done };
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', () => undefined);
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    async stop() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const client of clients) client.end();
      await Promise.race([closed, new Promise((resolve) => setTimeout(resolve, 2000).unref())]);
    },
  };
}
