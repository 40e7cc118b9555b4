import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { killAfterFile, removeAfterFile } from './cleanup.js';
import { waitFor } from './engine.js';
import { freePort } from './peers.js';

export const RSYSLOGD = '/usr/sbin/rsyslogd';
/** Whether Debian's rsyslog is installed (.ci/run installs it). */
export const haveRsyslog = existsSync(RSYSLOGD);

/** A line as rsyslog parsed it: the fields of the test's template. */
export interface ReceivedLine {
  input: 'imudp' | 'imtcp';
  pri: number;
  timestamp: string;
  hostname: string;
  /** %fromhost%: the sender as rsyslog names it from the packet's source */
  fromhost: string;
  /** %syslogtag%: what the sender put where a program's tag goes (`mail_logs:`) */
  tag: string;
  /** %msg%: the rest, after the tag (rsyslog keeps the space that follows the tag) */
  msg: string;
}

/** Fields apart by a byte no line holds. */
const SEP = '\x1f';

export interface Rsyslog {
  udpPort: number;
  tcpPort: number;
  process: ChildProcess;
  /** what rsyslog wrote to its file, parsed (probe lines left out) */
  lines(): ReceivedLine[];
  /** the lines as rsyslog would relay them (its traditional forward format), probes left out */
  forwarded(): string[];
  /** kills rsyslogd (SIGKILL: a receiver that vanishes) and resolves once it is gone */
  kill(): Promise<void>;
}

/**
 * Debian's rsyslogd on loopback ports of its own, with a configuration, work directory and pid
 * file of its own: imudp and imtcp in, omfile out through a template that writes the fields it
 * parsed. Resolves once both inputs take lines (a probe over each has reached the file).
 */
export async function startRsyslog(ports?: { udp: number; tcp: number }): Promise<Rsyslog> {
  const dir = removeAfterFile(mkdtempSync(join(tmpdir(), 'segsim-rsyslog-')));
  mkdirSync(join(dir, 'work'));
  const tcpPort = ports?.tcp ?? (await freePort());
  const udpPort = ports?.udp ?? (await freeUdpPort());
  const out = join(dir, 'received.log');
  const fields = ['%inputname%', '%pri%', '%timereported:::date-rfc3164%', '%hostname%', '%fromhost%', '%syslogtag%', '%msg%'].join(SEP);
  writeFileSync(
    join(dir, 'rsyslog.conf'),
    [
      `global(workDirectory="${dir}/work" maxMessageSize="64k")`,
      'module(load="imudp")',
      'module(load="imtcp")',
      `input(type="imudp" address="127.0.0.1" port="${udpPort}")`,
      `input(type="imtcp" address="127.0.0.1" port="${tcpPort}")`,
      `template(name="fields" type="string" string="${fields}\\n")`,
      `action(type="omfile" file="${out}" template="fields")`,
      // what a relay would send on: rsyslog's RSYSLOG_TraditionalForwardFormat, one line each
      'template(name="relay" type="string" string="<%PRI%>%TIMESTAMP% %HOSTNAME% %syslogtag:1:32%%msg:::sp-if-no-1st-sp%%msg%\\n")',
      `action(type="omfile" file="${join(dir, 'forwarded.log')}" template="relay")`,
      '',
    ].join('\n'),
  );
  const child = killAfterFile(spawn(RSYSLOGD, ['-n', '-f', join(dir, 'rsyslog.conf'), '-i', join(dir, 'rsyslogd.pid')], { stdio: ['ignore', 'pipe', 'pipe'] }));
  let said = '';
  child.stdout!.on('data', (d) => (said += d));
  child.stderr!.on('data', (d) => (said += d));
  const read = (): ReceivedLine[] => {
    if (!existsSync(out)) return [];
    return readFileSync(out, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => {
        const [input, pri, timestamp, hostname, fromhost, tag, ...msg] = l.split(SEP);
        return { input: input as ReceivedLine['input'], pri: Number(pri), timestamp: timestamp!, hostname: hostname!, fromhost: fromhost!, tag: tag!, msg: msg.join(SEP) };
      });
  };
  // rsyslog says nothing when its inputs are up: probes over each tell
  const probe = createSocket('udp4');
  try {
    await waitFor(
      () => {
        if (child.exitCode !== null) throw new Error(`rsyslogd exited (${child.exitCode}): ${said}`);
        const got = read();
        if (!got.some((l) => l.tag === 'probe-udp:')) probe.send('<14>Jan  1 00:00:00 probe-udp: up', udpPort, '127.0.0.1');
        if (!got.some((l) => l.tag === 'probe-tcp:')) sendTcp(tcpPort, '<14>Jan  1 00:00:00 probe-tcp: up\n');
        return got.some((l) => l.tag === 'probe-udp:') && got.some((l) => l.tag === 'probe-tcp:');
      },
      15_000,
      'rsyslogd to take lines',
    );
  } finally {
    probe.close();
  }
  return {
    udpPort,
    tcpPort,
    process: child,
    lines: () => read().filter((l) => !l.tag.startsWith('probe-')),
    forwarded: () => {
      const file = join(dir, 'forwarded.log');
      return existsSync(file)
        ? readFileSync(file, 'utf8')
            .split('\n')
            .filter((l) => l !== '' && !l.includes(' probe-'))
        : [];
    },
    kill: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGKILL');
      }),
  };
}

function sendTcp(port: number, text: string): void {
  void import('node:net').then(({ connect }) => {
    const s = connect(port, '127.0.0.1', () => s.end(text));
    s.on('error', () => undefined);
  });
}

/** A free UDP port on loopback. */
function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
