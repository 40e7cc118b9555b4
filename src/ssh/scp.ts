import { randomBytes } from 'node:crypto';
import { constants, createReadStream, type Stats } from 'node:fs';
import { lstat, mkdir, open, readdir, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Duplex, Readable, Writable } from 'node:stream';
import type { Appliance } from '../engine/appliance.js';

/*
 * scp, the legacy protocol (OpenSSH's `scp -O`; AsyncOS has no SFTP), as the appliance offers it:
 * downloads of log files from their subscription directories (/mail_logs/mail.current) and of
 * the configuration directory's files (/configuration/<file>), uploads into /configuration/.
 * Nothing else is reachable: every path names one of those directories and a plain file name in
 * it. The protocol: each side acknowledges with a zero byte; a file is a control line
 * `C<mode> <size> <name>` followed by its bytes and a zero byte; `\x01scp: <text>` is an error
 * that ends that file, `\x02` one that ends the transfer.
 */

/** The largest file an upload may bring (a configuration file or a certificate is far smaller). */
export const SCP_MAX_UPLOAD_BYTES = 10 * 1024 * 1024;
/** A control line longer than this is not one (OpenSSH's own limit is 2048 for a file name). */
const MAX_CONTROL_LINE = 4096;
/** How long a transfer may wait for the client before it is given up (and a partial upload removed). */
const IDLE_MS = 60_000;

/** The home's configuration directory: what `/configuration/` names (uploads, saved configurations). */
export const configurationDir = (appliance: Pick<Appliance, 'paths'>): string => join(appliance.paths.root, 'configuration');

/** A file name the appliance takes: no path, not hidden, letters, digits and `._@+-`. */
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,254}$/;
const SUBSCRIPTION = /^[a-z][a-z0-9_]{0,63}$/;

/** A refusal of one path, worded as OpenSSH's scp says it: `scp: <path>: <reason>`. */
class ScpRefusal extends Error {}

/** Where a remote path points: a directory of the appliance and the file name in it (null: the directory itself). */
interface Place {
  dir: string;
  name: string | null;
  writable: boolean;
}

/** `/mail_logs/mail.current`, `/configuration/`, `configuration/x.xml` (relative to `/`): the place, or a refusal. */
async function placeOf(appliance: Pick<Appliance, 'paths'>, remote: string): Promise<Place> {
  const segments = remote.split('/').filter((s) => s !== '');
  const denied = () => new ScpRefusal(`${remote}: Permission denied`);
  if (segments.length === 0 || segments.length > 2 || segments.some((s) => s === '.' || s === '..')) throw denied();
  const [top, name = null] = segments as [string, string?];
  if (name !== null && !FILE_NAME.test(name)) throw new ScpRefusal(`${remote}: No such file or directory`);
  if (top === 'configuration') return { dir: configurationDir(appliance), name, writable: true };
  if (!SUBSCRIPTION.test(top)) throw denied();
  const dir = join(appliance.paths.logs, top);
  const stats = await lstat(dir).catch(() => null);
  if (stats?.isDirectory()) return { dir, name, writable: false };
  if (stats?.isFile() && name !== null) {
    // today's layout, logs/mail_logs beside mail_logs.1...: /mail_logs/mail.current is the current file
    if (name.endsWith('.current') || name === top) return { dir: appliance.paths.logs, name: top, writable: false };
    if (name.startsWith(`${top}.`)) return { dir: appliance.paths.logs, name, writable: false };
  }
  throw denied();
}

/** The directory of a place, checked to be one (not a link to elsewhere); the configuration directory is made on first use. */
async function checkedDir(place: Place, remote: string): Promise<void> {
  if (place.writable) await mkdir(place.dir, { recursive: true, mode: 0o700 });
  const stats = await lstat(place.dir).catch(() => null);
  if (!stats?.isDirectory()) throw new ScpRefusal(`${remote}: No such file or directory`);
}

/**
 * Reads the client's bytes: single bytes, control lines and counted data, with an idle limit. It
 * reads with read() and 'readable' (not an async iterator, which destroys the stream at its end:
 * the channel must stay open for what is sent after the client's end of input, and the exit status).
 */
class ChannelReader {
  #buffered: Buffer = Buffer.alloc(0);
  #ended = false;

  constructor(
    private readonly input: Readable,
    private readonly idleMs: number,
  ) {
    input.once('end', () => (this.#ended = true));
  }

  async #fill(): Promise<boolean> {
    for (;;) {
      const chunk = this.input.read() as Buffer | null;
      if (chunk !== null) {
        this.#buffered = this.#buffered.length === 0 ? chunk : Buffer.concat([this.#buffered, chunk]);
        return true;
      }
      if (this.#ended || this.input.destroyed || this.input.readableEnded) return false;
      await this.#readable();
    }
  }

  /** Until there is something to read, the input ends or fails, or the idle limit passes. */
  #readable(): Promise<void> {
    const input = this.input;
    return new Promise<void>((resolve, reject) => {
      const done = (error?: Error) => {
        clearTimeout(timer);
        for (const [event, listener] of listeners) input.off(event, listener);
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(() => done(new ScpRefusal('the client sent nothing for too long')), this.idleMs);
      const listeners: [string, (...args: unknown[]) => void][] = [
        ['readable', () => done()],
        [
          'end',
          () => {
            this.#ended = true;
            done();
          },
        ],
        ['close', () => done()],
        ['error', () => done(new ScpRefusal('the connection failed'))],
      ];
      for (const [event, listener] of listeners) input.on(event, listener);
    });
  }

  /** One byte, or null at the end of the input. */
  async byte(): Promise<number | null> {
    if (this.#buffered.length === 0 && !(await this.#fill())) return null;
    const b = this.#buffered[0]!;
    this.#buffered = this.#buffered.subarray(1);
    return b;
  }

  /** The rest of a line after its first byte (without the newline), or null at the end of the input. */
  async line(): Promise<string | null> {
    for (;;) {
      const end = this.#buffered.indexOf(0x0a);
      if (end >= 0) {
        const text = this.#buffered.subarray(0, end).toString('utf8');
        this.#buffered = this.#buffered.subarray(end + 1);
        return text;
      }
      if (this.#buffered.length > MAX_CONTROL_LINE) throw new ScpRefusal('protocol error: a control line is too long');
      if (!(await this.#fill())) return null;
    }
  }

  /** Exactly `size` bytes, handed on chunk by chunk; false when the input ends first. */
  async data(size: number, sink: (chunk: Buffer) => Promise<void>): Promise<boolean> {
    let left = size;
    while (left > 0) {
      if (this.#buffered.length === 0 && !(await this.#fill())) return false;
      const chunk = this.#buffered.subarray(0, Math.min(left, this.#buffered.length));
      this.#buffered = this.#buffered.subarray(chunk.length);
      left -= chunk.length;
      await sink(chunk);
    }
    return true;
  }
}

/** Writes to the client, each write resolved once the stream took it (the exit status must not overtake the data). */
function writerOf(output: Writable): (data: string | Buffer) => Promise<void> {
  return (data) => new Promise((resolve, reject) => void output.write(data, (error) => (error ? reject(error) : resolve())));
}

/** The words of a command line, as a shell splits them (quotes and backslashes; no expansion). */
export function shellWords(line: string): string[] | null {
  const words: string[] = [];
  let word: string | null = null;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote) {
      if (c === quote) quote = null;
      else if (c === '\\' && quote === '"' && i + 1 < line.length && '"\\$`'.includes(line[i + 1]!)) word += line[++i]!;
      else word += c;
    } else if (c === ' ' || c === '\t') {
      if (word !== null) words.push(word);
      word = null;
    } else if (c === '"' || c === "'") {
      quote = c;
      word ??= '';
    } else if (c === '\\') {
      if (i + 1 >= line.length) return null;
      word = (word ?? '') + line[++i]!;
    } else word = (word ?? '') + c;
  }
  if (quote) return null;
  if (word !== null) words.push(word);
  return words;
}

/** What `scp -f PATH...` / `scp -t PATH` asks: the direction, the options that matter, the paths. */
export function parseScpCommand(command: string): { mode: 'from' | 'to'; recursive: boolean; times: boolean; targetIsDir: boolean; paths: string[] } | null {
  const words = shellWords(command);
  if (!words || words[0] !== 'scp') return null;
  let mode: 'from' | 'to' | null = null;
  let recursive = false;
  let times = false;
  let targetIsDir = false;
  let i = 1;
  for (; i < words.length && words[i]!.startsWith('-'); i++) {
    const w = words[i]!;
    if (w === '--') {
      i++;
      break;
    }
    for (const flag of w.slice(1)) {
      if (flag === 'f' || flag === 't') {
        if (mode !== null) return null;
        mode = flag === 'f' ? 'from' : 'to';
      } else if (flag === 'r') recursive = true;
      else if (flag === 'p') times = true;
      else if (flag === 'd') targetIsDir = true;
      else if (flag !== 'v' && flag !== 'q') return null;
    }
  }
  const paths = words.slice(i);
  if (mode === null || paths.length === 0 || (mode === 'to' && paths.length !== 1)) return null;
  return { mode, recursive, times, targetIsDir, paths };
}

/**
 * Runs the remote side of a legacy scp transfer (`scp -f PATH...` for a download, `scp -t PATH`
 * for an upload) over an SSH exec channel's streams, for the SSH server's exec handler. Resolves
 * the exit status for the channel (it never rejects): 0 when every file went over, 1 when one was
 * refused or the transfer failed (the reason on the protocol stream, as scp shows it, and on stderr).
 * Downloads: /<log subscription>/<file> and /configuration/<file>; uploads: into
 * /configuration/ (a file of at most SCP_MAX_UPLOAD_BYTES, written whole or not at all).
 */
export async function runScp(command: string, channel: Duplex & { stderr: Writable }, appliance: Pick<Appliance, 'paths'>, options: { idleMs?: number } = {}): Promise<number> {
  const request = parseScpCommand(command);
  const send = writerOf(channel);
  const reader = new ChannelReader(channel, options.idleMs ?? IDLE_MS);
  if (!request) {
    channel.stderr.write('scp: usage: scp -f PATH... | scp -t PATH (the appliance offers the legacy protocol: scp -O)\n');
    return 1;
  }
  try {
    return request.mode === 'from' ? await sendFiles(request.paths, request.times, reader, send, appliance) : await receiveFiles(request.paths[0]!, request.targetIsDir, reader, send, appliance);
  } catch (error) {
    // the transfer cannot go on (the client broke the protocol or went quiet, the disk is full, the
    // channel failed): said once, fatal; never a rejection, so that the channel is always closed
    const text = error instanceof ScpRefusal ? error.message : `${request.paths.join(' ')}: ${(error as Error).message}`;
    await send(`\x02scp: ${text}\n`).catch(() => undefined);
    if (!channel.stderr.destroyed) channel.stderr.write(`scp: ${text}\n`);
    return 1;
  }
}

/** Reads the client's acknowledgement: true for OK, false when it reported an error (shown by it) or left. */
async function acknowledged(reader: ChannelReader): Promise<boolean> {
  const b = await reader.byte();
  if (b === 0) return true;
  if (b === 1 || b === 2) await reader.line();
  return false;
}

async function sendFiles(paths: string[], times: boolean, reader: ChannelReader, send: (d: string | Buffer) => Promise<void>, appliance: Pick<Appliance, 'paths'>): Promise<number> {
  // the client starts: a zero byte says it is ready
  if (!(await acknowledged(reader))) return 1;
  let status = 0;
  for (const pattern of paths) {
    let matches: string[];
    try {
      matches = await expandPattern(appliance, pattern);
    } catch (error) {
      if (!(error instanceof ScpRefusal)) throw error;
      status = 1;
      await send(`\x01scp: ${error.message}\n`);
      continue;
    }
    for (const remote of matches) {
      let handle: FileHandle | null = null;
      try {
        const place = await placeOf(appliance, remote);
        if (place.name === null) throw new ScpRefusal(`${remote}: not a regular file`);
        await checkedDir(place, remote);
        // O_NOFOLLOW: a link in a log or configuration directory leads nowhere
        handle = await open(join(place.dir, place.name), constants.O_RDONLY | constants.O_NOFOLLOW).catch((error: NodeJS.ErrnoException) => {
          throw new ScpRefusal(`${remote}: ${error.code === 'ENOENT' ? 'No such file or directory' : error.code === 'ELOOP' ? 'Permission denied' : 'cannot be read'}`);
        });
        const stats: Stats = await handle.stat();
        if (!stats.isFile()) throw new ScpRefusal(`${remote}: not a regular file`);
        if (times) {
          await send(`T${Math.floor(stats.mtimeMs / 1000)} 0 ${Math.floor(stats.atimeMs / 1000)} 0\n`);
          if (!(await acknowledged(reader))) return 1;
        }
        // the size when opened: a log that grows meanwhile is sent as it was
        const size = stats.size;
        const asked = remote.split('/').filter(Boolean).at(-1)!;
        // the name asked for, whatever file stands for it: OpenSSH's scp refuses any other
        await send(`C0644 ${size} ${asked}\n`);
        if (!(await acknowledged(reader))) {
          status = 1;
          continue;
        }
        if (size > 0) {
          for await (const chunk of createReadStream('', { fd: handle, start: 0, end: size - 1, autoClose: false })) await send(chunk as Buffer);
        }
        await send(Buffer.from([0]));
        if (!(await acknowledged(reader))) status = 1;
      } catch (error) {
        if (!(error instanceof ScpRefusal)) throw error;
        status = 1;
        await send(`\x01scp: ${error.message}\n`);
      } finally {
        await handle?.close();
      }
    }
  }
  return status;
}

/**
 * A download's path with `*` or `?` in its file name (`/mail_logs/mail.@*.s`, which a shell on the
 * appliance would expand) as the paths of the plain files it matches, in name order; any other
 * path as it is. OpenSSH's scp takes each name the pattern matches.
 */
async function expandPattern(appliance: Pick<Appliance, 'paths'>, remote: string): Promise<string[]> {
  const slash = remote.lastIndexOf('/');
  const last = remote.slice(slash + 1);
  if (!/[*?]/.test(last)) return [remote];
  const parent = remote.slice(0, slash + 1);
  const place = await placeOf(appliance, parent);
  await checkedDir(place, remote);
  const pattern = new RegExp(
    `^${last
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replaceAll('*', '.*')
      .replaceAll('?', '.')}$`,
  );
  const names: string[] = [];
  for (const entry of await readdir(place.dir, { withFileTypes: true })) if (entry.isFile() && FILE_NAME.test(entry.name) && pattern.test(entry.name)) names.push(entry.name);
  if (names.length === 0) throw new ScpRefusal(`${remote}: No such file or directory`);
  return names.sort().map((name) => `${parent}${name}`);
}

/** Where an upload of `name` (from the client's control line) is written, or a refusal. */
async function uploadTarget(remote: string, targetIsDir: boolean, name: string, appliance: Pick<Appliance, 'paths'>): Promise<{ dir: string; name: string }> {
  const place = await placeOf(appliance, remote);
  if (!place.writable) throw new ScpRefusal(`${remote}: Permission denied`);
  await checkedDir(place, remote);
  if (place.name !== null) {
    const existing = await lstat(join(place.dir, place.name)).catch(() => null);
    if (existing?.isDirectory() || targetIsDir) throw new ScpRefusal(`${remote}: Not a directory`);
    return { dir: place.dir, name: place.name };
  }
  if (!FILE_NAME.test(name)) throw new ScpRefusal(`${name}: invalid file name (letters, digits and ._@+- only, not starting with a dot)`);
  return { dir: place.dir, name };
}

async function receiveFiles(remote: string, targetIsDir: boolean, reader: ChannelReader, send: (d: string | Buffer) => Promise<void>, appliance: Pick<Appliance, 'paths'>): Promise<number> {
  // the target is checked before anything is sent: a refused one ends the transfer at once
  try {
    await uploadTarget(remote, targetIsDir, 'x', appliance);
  } catch (error) {
    if (!(error instanceof ScpRefusal)) throw error;
    await send(`\x01scp: ${error.message}\n`);
    return 1;
  }
  await send(Buffer.from([0]));
  let status = 0;
  for (;;) {
    const kind = await reader.byte();
    if (kind === null) return status;
    const line = await reader.line();
    if (line === null) throw new ScpRefusal('protocol error: the client left in the middle of a control line');
    const code = String.fromCharCode(kind);
    if (code === '\x01' || code === '\x02') {
      // the client could not read its file: it said so, and goes on (\x01) or stops (\x02)
      status = 1;
      if (code === '\x02') return status;
      continue;
    }
    if (code === 'T') {
      await send(Buffer.from([0]));
      continue;
    }
    if (code === 'D' || code === 'E') {
      // a directory (-r): the configuration directory holds files only
      await send(`\x02scp: ${remote}: directories cannot be uploaded\n`);
      return 1;
    }
    const m = code === 'C' ? /^([0-7]{4}) (\d{1,19}) ([^/]+)$/.exec(line) : null;
    if (!m) throw new ScpRefusal(`protocol error: unexpected control line ${JSON.stringify((code + line).slice(0, 80))}`);
    const size = Number(m[2]);
    let target: { dir: string; name: string };
    try {
      if (size > SCP_MAX_UPLOAD_BYTES) throw new ScpRefusal(`${m[3]}: file too large (${size} bytes; the limit is ${SCP_MAX_UPLOAD_BYTES} bytes)`);
      target = await uploadTarget(remote, targetIsDir, m[3]!, appliance);
    } catch (error) {
      if (!(error instanceof ScpRefusal)) throw error;
      // the client then skips this file's data and goes on with the next
      status = 1;
      await send(`\x01scp: ${error.message}\n`);
      continue;
    }
    await send(Buffer.from([0]));
    const received = await receiveOne(target, size, reader);
    if (received === 'broken') throw new ScpRefusal(`${target.name}: the transfer broke off; nothing was written`);
    if (received === 'failed') {
      // the client could not read all of its file (it said why): nothing of it is kept
      status = 1;
      continue;
    }
    await send(Buffer.from([0]));
  }
}

/**
 * Receives one file's bytes under a temporary name beside it, synced, then renamed over the
 * name: a transfer that breaks off leaves nothing, not half a file. `broken` when the client left
 * before the whole file came, `failed` when it said it could not send it all (the temporary file
 * is removed in both cases).
 */
async function receiveOne(target: { dir: string; name: string }, size: number, reader: ChannelReader): Promise<'written' | 'failed' | 'broken'> {
  const tmp = join(target.dir, `.${target.name}.${randomBytes(6).toString('hex')}.part`);
  // wx: never through a link, never over another file
  const handle = await open(tmp, 'wx', 0o600);
  let done = false;
  try {
    const whole = await reader.data(size, async (chunk) => void (await handle.write(chunk)));
    // the zero byte after the data
    const end = whole ? await reader.byte() : null;
    if (end === 1 && (await reader.line()) !== null) return 'failed';
    if (end !== 0) return 'broken';
    await handle.sync();
    await handle.close();
    await rename(tmp, join(target.dir, target.name));
    done = true;
    return 'written';
  } finally {
    if (!done) {
      await handle.close().catch(() => undefined);
      await rm(tmp, { force: true });
    }
  }
}
