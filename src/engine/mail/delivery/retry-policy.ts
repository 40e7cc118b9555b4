/** What went wrong with one delivery attempt. */
export type FailureKind = 'smtp4xx' | 'smtp503or552' | 'smtp5xx' | 'tls' | 'network' | 'dnsHard';

export interface Failure {
  kind: FailureKind;
  /** the reply (e.g. `451 4.7.1 Try again later`) or what the network said */
  reply: string;
  /** the SMTP code, or 0 without one */
  code: number;
  /** AsyncOS's reason words for connection errors (`connection timed out`, `network error`) */
  reason: string;
}

/**
 * The Threat Defense Connector's retry mechanism, as the seed's table gives it: how many retries
 * each kind of failure gets. A message also leaves the queue after TDC_MAX_QUEUE_SECONDS.
 */
export const TDC_RETRIES: Record<FailureKind, number> = {
  smtp5xx: 0, // SMTP 5xx errors (except 503/552): no retry
  smtp4xx: 1, // SMTP 4xx errors: one retry
  smtp503or552: 1, // 503 and 552 count with the 4xx errors: one retry
  tls: 0, // TLS errors: no retry
  network: 1, // general network / connection errors: one retry
  dnsHard: 0, // NXDomain: the seed's sample hard-bounces at once (5.1.2 Bad destination host)
};

export const TDC_MAX_QUEUE_SECONDS = 120;
/** When the one retry happens (not given by the seed; well inside the 120 seconds). */
export const TDC_RETRY_DELAY_SECONDS = 5;
/** TDC opens at least this many connections while its queue has entries. */
export const TDC_MIN_CONNECTIONS = 3;

/** For ordinary destinations: which failures are temporary (retried per the bounce profile). */
export function isTemporary(kind: FailureKind): boolean {
  return kind === 'smtp4xx' || kind === 'network';
}

/** Sorts an error from the SMTP client (or the resolver) into the kinds above. */
export function classifyFailure(error: unknown): Failure {
  const e = error as { code?: string; responseCode?: number; response?: string; message?: string; timeoutType?: string; originalCode?: string };
  const message = e.message ?? String(error);
  if (e.code === 'ENXDOMAIN') return { kind: 'dnsHard', reply: message, code: 0, reason: 'NXDomain' };
  const tlsProblem = e.code === 'ETLS' || (!e.responseCode && e.code !== 'ETIMEDOUT' && /STARTTLS|TLS|SSL|certificate|handshake/i.test(message));
  if (tlsProblem) {
    return { kind: 'tls', reply: message, code: 0, reason: 'TLS error' };
  }
  if (typeof e.responseCode === 'number' && e.responseCode >= 400) {
    const code = e.responseCode;
    const reply = (e.response ?? message).trim();
    if (code === 503 || code === 552) return { kind: 'smtp503or552', reply, code, reason: 'unexpected SMTP response' };
    return { kind: code >= 500 ? 'smtp5xx' : 'smtp4xx', reply, code, reason: 'unexpected SMTP response' };
  }
  if (e.code === 'ETIMEDOUT') return { kind: 'network', reply: message, code: 0, reason: 'connection timed out' };
  if (e.originalCode === 'ECONNREFUSED' || /ECONNREFUSED/.test(message)) return { kind: 'network', reply: message, code: 0, reason: 'connection refused' };
  return { kind: 'network', reply: message, code: 0, reason: 'network error' };
}

/** `('451', ['4.7.1 Try again later'])` as AsyncOS prints SMTP replies in bounce lines. */
export function pythonReply(f: Failure): string {
  const m = /^(\d{3})[ -](.*)$/s.exec(f.reply.replace(/\r?\n\d{3}-?/g, ' '));
  return m ? `('${m[1]}', ['${m[2]!.trim()}'])` : `('000', ['${f.reply}'])`;
}

/** The enhanced status words of a bounce line, e.g. `4.0.0 - Unknown address error`. */
export function bounceReason(f: Failure): string {
  const enhanced = /\b([245]\.\d{1,3}\.\d{1,3})\b/.exec(f.reply)?.[1];
  const klass = f.code >= 500 ? '5' : '4';
  return `${enhanced ?? `${klass}.0.0`} - Unknown address error`;
}
