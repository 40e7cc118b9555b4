// The side-by-side peer of npm run bench: a private Postfix instance (Debian's postfix package)
// relaying the same smtp-source load to smtp-sink on loopback, measured the same way as segsim.
// With `journal`, it is the fair peer of segsim's journaling path: a blind copy of every message
// (always_bcc) to the intake address, sent to the same SETD emulator over enforced TLS. Postfix
// needs root to start its master; elsewhere the bench says it was skipped.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Why Postfix cannot run here, or null when it can. */
export function postfixUnavailable() {
  if (process.getuid?.() !== 0) return 'Postfix needs root to start (run the bench as root, as CI does)';
  if (spawnSync('postfix', ['-h'], { stdio: 'ignore' }).error) return "Debian's postfix package is not installed";
  if (spawnSync('id', ['postfix'], { stdio: 'ignore' }).status !== 0) return 'there is no postfix user';
  return null;
}

// Only what a relay to one next hop needs; no chroot, logging to a file in the instance.
const masterCf = (port) => `127.0.0.1:${port} inet n - n - - smtpd
pickup    unix  n - n 60 1 pickup
cleanup   unix  n - n -  0 cleanup
qmgr      unix  n - n 300 1 qmgr
tlsmgr    unix  - - n 1000? 1 tlsmgr
rewrite   unix  - - n -  - trivial-rewrite
bounce    unix  - - n -  0 bounce
defer     unix  - - n -  0 bounce
trace     unix  - - n -  0 bounce
verify    unix  - - n -  1 verify
flush     unix  n - n 1000? 0 flush
proxymap  unix  - - n -  - proxymap
smtp      unix  - - n -  - smtp
relay     unix  - - n -  - smtp
showq     unix  n - n -  - showq
error     unix  - - n -  - error
retry     unix  - - n -  - error
discard   unix  - - n -  - discard
anvil     unix  - - n -  1 anvil
scache    unix  - - n -  1 scache
postlog   unix-dgram n - n - 1 postlogd
`;

const mainCf = (dir, sinkPort, journal) => `compatibility_level = 3.6
queue_directory = ${dir}/queue
data_directory = ${dir}/data
mail_owner = postfix
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
myhostname = bench.localdomain
mydestination =
mynetworks = 127.0.0.0/8
relayhost = [127.0.0.1]:${sinkPort}
alias_maps =
alias_database =
smtpd_recipient_restrictions = permit_mynetworks, reject
maillog_file_prefixes = ${dir}
maillog_file = ${dir}/maillog
${
  journal
    ? `always_bcc = ${journal.address}
transport_maps = inline:{ ${journal.domain}=smtp:[127.0.0.1]:${journal.setdPort} }
smtp_tls_policy_maps = inline:{ [127.0.0.1]:${journal.setdPort}=encrypt }
`
    : ''
}`;

/** Summed PSS and RSS (bytes) of a process and its children, from /proc. */
function treeMemory(rootPid) {
  const children = new Map();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // the process ended while we looked
    }
  }
  let pss = 0;
  let rss = 0;
  const walk = (pid) => {
    try {
      const rollup = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      pss += Number(/^Pss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0) * 1024;
      rss += Number(/^Rss:\s+(\d+)/m.exec(rollup)?.[1] ?? 0) * 1024;
    } catch {
      return;
    }
    for (const child of children.get(pid) ?? []) walk(child);
  };
  walk(rootPid);
  return { pss, rss };
}

/**
 * Relays `messages` messages from smtp-source (10 sessions) through Postfix to smtp-sink, and with
 * `journal` ({ address, domain, setdPort, journaled() }) a blind copy of each to SETD; done when
 * every original reached the sink and every copy SETD. `freePort` gives loopback ports; the
 * instance is stopped and removed before this resolves.
 */
export async function postfixRelay({ messages, sessions, size, limitMs, freePort, journal }) {
  const dir = mkdtempSync(join(tmpdir(), 'segsim-bench-postfix-'));
  chmodSync(dir, 0o755); // the postfix user's daemons must reach data/ and the queue
  const [port, sinkPort] = [await freePort(), await freePort()];
  mkdirSync(join(dir, 'conf'));
  mkdirSync(join(dir, 'queue'));
  mkdirSync(join(dir, 'data'));
  const postfixUid = Number(spawnSync('id', ['-u', 'postfix'], { encoding: 'utf8' }).stdout.trim());
  chownSync(join(dir, 'data'), postfixUid, -1);
  writeFileSync(join(dir, 'conf', 'main.cf'), mainCf(dir, sinkPort, journal));
  writeFileSync(join(dir, 'conf', 'master.cf'), masterCf(port));
  // smtp-sink -c prints its counters as they change: the last mesg= says what has arrived
  const sink = spawn('smtp-sink', ['-u', 'nobody', '-c', `127.0.0.1:${sinkPort}`, '1000'], { stdio: ['ignore', 'pipe', 'ignore'] });
  let arrived = 0;
  sink.stdout.on('data', (chunk) => {
    const counts = [...String(chunk).matchAll(/mesg=(\d+)/g)];
    if (counts.length > 0) arrived = Number(counts.at(-1)[1]);
  });
  const conf = join(dir, 'conf');
  let masterPid = 0;
  try {
    const started = spawnSync('postfix', ['-c', conf, 'start'], { encoding: 'utf8' });
    if (started.status !== 0) throw new Error(`postfix did not start: ${started.stderr || started.stdout}`);
    masterPid = Number(readFileSync(join(dir, 'queue', 'pid', 'master.pid'), 'utf8').trim());
    let peak = { pss: 0, rss: 0 };
    const sampler = setInterval(() => {
      const m = treeMemory(masterPid);
      if (m.pss > peak.pss) peak = m;
    }, 500);
    const t0 = Date.now();
    const source = spawn('smtp-source', ['-s', String(sessions), '-m', String(messages), '-l', String(size), '-d', '-f', 'bench@outside.example', '-t', 'user@example.com', `127.0.0.1:${port}`], {
      stdio: 'ignore',
    });
    const acceptedAt = await new Promise((resolve) => source.on('exit', () => resolve(Date.now())));
    const copies = () => (journal ? journal.journaled() : messages);
    while ((arrived < messages || copies() < messages) && Date.now() - t0 < limitMs) await new Promise((r) => setTimeout(r, 20));
    const doneAt = Date.now();
    clearInterval(sampler);
    return {
      path: journal ? 'Postfix 3.7 with always_bcc to the intake address over enforced TLS, the same load' : 'Postfix 3.7 relay (defaults), the same load, side by side',
      messages,
      delivered: arrived,
      journaled: journal ? copies() : undefined,
      complete: arrived >= messages && copies() >= messages,
      // why an incomplete run stopped, from Postfix's own log
      maillogTail: arrived >= messages && copies() >= messages ? undefined : readFileSync(join(dir, 'maillog'), 'utf8').split('\n').slice(-8),
      acceptMsgPerSec: Math.round(messages / ((acceptedAt - t0) / 1000)),
      endToEndMsgPerSec: Math.round(arrived / ((doneAt - t0) / 1000)),
      peakPssMB: Math.round(peak.pss / 1e6),
      peakSummedRssMB: Math.round(peak.rss / 1e6),
    };
  } finally {
    spawnSync('postfix', ['-c', conf, 'stop'], { stdio: 'ignore' });
    // stop only signals the master: wait until it is gone before removing its queue
    for (let i = 0; i < 200 && masterPid > 0 && existsSync(`/proc/${masterPid}`); i++) await new Promise((r) => setTimeout(r, 50));
    sink.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}
