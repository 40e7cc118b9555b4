/** Where in the SMTP dialogue a server refused. */
export type SmtpStage = 'greeting' | 'ehlo' | 'mail' | 'rcpt' | 'data' | 'other';

/** Why a required TLS session could not be set up. */
export type TlsCause = 'no-starttls' | 'untrusted' | 'protocol' | 'handshake';

/** What went wrong with one delivery attempt, by cause; the texts are for the log only, never for decisions. */
export type Failure =
  | { kind: 'smtp'; code: number; stage: SmtpStage; reply: string }
  | { kind: 'tls'; cause: TlsCause; detail: string }
  | { kind: 'connection'; cause: 'refused' | 'timeout' | 'closed' | 'reset' | 'other'; detail: string }
  | { kind: 'dns'; cause: 'nxdomain'; domain: string }
  /** the message file is gone (removed by hand): nothing can be sent */
  | { kind: 'lost'; detail: string };

/** The rows of a retry table: every failure falls in exactly one. */
export type FailureClass = 'smtp4xx' | 'smtp503or552' | 'smtp5xx' | 'tls' | 'connection' | 'dnsHard' | 'lost';

export function classOf(f: Failure): FailureClass {
  switch (f.kind) {
    case 'smtp':
      if (f.code === 503 || f.code === 552) return 'smtp503or552';
      return f.code >= 500 ? 'smtp5xx' : 'smtp4xx';
    case 'tls':
      return 'tls';
    case 'connection':
      return 'connection';
    case 'dns':
      return 'dnsHard';
    case 'lost':
      return 'lost';
  }
}

/** The SMTP code of a failure, 0 without one. */
export const smtpCode = (f: Failure): number => (f.kind === 'smtp' ? f.code : 0);

/** What nodemailer's SMTPConnection puts on its errors (its codes, the command in flight, the reply). */
interface ClientError {
  code?: string;
  originalCode?: string;
  command?: string;
  responseCode?: number;
  response?: string;
  message?: string;
}

const STAGES: Record<string, SmtpStage> = { CONN: 'greeting', EHLO: 'ehlo', HELO: 'ehlo', LHLO: 'ehlo', 'MAIL FROM': 'mail', 'RCPT TO': 'rcpt', DATA: 'data' };

/** OpenSSL codes that say the peer's TLS version is not acceptable (ours is TLS 1.2 or later). */
const PROTOCOL_CODES = new Set(['ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', 'ERR_SSL_UNSUPPORTED_PROTOCOL', 'ERR_SSL_WRONG_VERSION_NUMBER', 'ERR_SSL_NO_PROTOCOLS_AVAILABLE']);

/**
 * Sorts an error of the SMTP client into a Failure by its structured fields: nodemailer's code,
 * the system or OpenSSL code under it, the command in flight and the reply code. `duringTls` is
 * the client's own knowledge that the TLS handshake was under way.
 */
export function classifyClientError(error: unknown, duringTls: boolean): Failure {
  const e = (error ?? {}) as ClientError;
  const detail = e.message ?? String(error);
  if (e.code === 'ETLS' && e.command === 'STARTTLS') return { kind: 'tls', cause: 'no-starttls', detail };
  if (e.code === 'ETLS' || (duringTls && e.code !== 'ETIMEDOUT')) {
    const under = e.originalCode ?? '';
    if (PROTOCOL_CODES.has(under)) return { kind: 'tls', cause: 'protocol', detail };
    // X.509 verification codes (UNABLE_TO_VERIFY_LEAF_SIGNATURE, CERT_SIGNATURE_FAILURE, ...) have no ERR_ prefix
    if (under !== '' && (!under.startsWith('ERR_') || under === 'ERR_TLS_CERT_ALTNAME_INVALID')) return { kind: 'tls', cause: 'untrusted', detail };
    return { kind: 'tls', cause: 'handshake', detail };
  }
  if (typeof e.responseCode === 'number' && e.responseCode >= 400) {
    return { kind: 'smtp', code: e.responseCode, stage: STAGES[e.command ?? ''] ?? 'other', reply: (e.response ?? detail).trim() };
  }
  if (e.code === 'ETIMEDOUT') return { kind: 'connection', cause: 'timeout', detail };
  if (e.originalCode === 'ECONNREFUSED') return { kind: 'connection', cause: 'refused', detail };
  if (e.originalCode === 'ECONNRESET') return { kind: 'connection', cause: 'reset', detail };
  if (e.code === 'ECONNECTION') return { kind: 'connection', cause: 'closed', detail };
  return { kind: 'connection', cause: 'other', detail };
}
