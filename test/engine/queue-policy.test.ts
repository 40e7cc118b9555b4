import { classifyClientError, type Failure } from '../../src/engine/mail/delivery/failure.js';
import { bounceProfilePolicy, decide, expiresAt, TDC_POLICY, type Decision } from '../../src/engine/mail/delivery/queue-policy.js';

const T0 = 1_700_000_000_000;
const smtp = (code: number): Failure => ({ kind: 'smtp', code, stage: 'rcpt', reply: `${code} ${String(code)[0]}.7.1 test` });
const tls = (cause: 'no-starttls' | 'untrusted' | 'protocol' | 'handshake'): Failure => ({ kind: 'tls', cause, detail: '' });
const conn = (cause: 'refused' | 'timeout' | 'closed'): Failure => ({ kind: 'connection', cause, detail: '' });
const nxdomain: Failure = { kind: 'dns', cause: 'nxdomain', domain: 'esa.example.com' };
const retryIn = (s: number, after = 0): Decision => ({ action: 'retry', at: T0 + after * 1000 + s * 1000 });

describe('decide: the.tdc.queue (the seed retry table, 120 s)', () => {
  const rows: [string, Failure, number, number, Decision][] = [
    // [row, failure, retries already granted, seconds in queue, decision]
    ['SMTP 550 (5xx): no retry', smtp(550), 0, 0, { action: 'bounce', bucket: 'fiveXX' }],
    ['SMTP 554 (5xx): no retry', smtp(554), 0, 0, { action: 'bounce', bucket: 'fiveXX' }],
    ['SMTP 421 (4xx): one retry', smtp(421), 0, 0, retryIn(5)],
    ['SMTP 451 (4xx): one retry', smtp(451), 0, 10, retryIn(5, 10)],
    ['SMTP 451 after its retry: bounce', smtp(451), 1, 10, { action: 'bounce', bucket: 'other' }],
    ['SMTP 503: one retry', smtp(503), 0, 0, retryIn(5)],
    ['SMTP 552: one retry', smtp(552), 0, 0, retryIn(5)],
    ['SMTP 552 after its retry: bounce (5xx)', smtp(552), 1, 0, { action: 'bounce', bucket: 'fiveXX' }],
    ['TLS, no STARTTLS offered: no retry', tls('no-starttls'), 0, 0, { action: 'bounce', bucket: 'other' }],
    ['TLS, certificate untrusted: no retry', tls('untrusted'), 0, 0, { action: 'bounce', bucket: 'other' }],
    ['TLS, protocol version: no retry', tls('protocol'), 0, 0, { action: 'bounce', bucket: 'other' }],
    ['connection refused: one retry', conn('refused'), 0, 0, retryIn(5)],
    ['connection timed out: one retry', conn('timeout'), 0, 60, retryIn(5, 60)],
    ['connection refused after its retry: bounce', conn('refused'), 1, 5, { action: 'bounce', bucket: 'other' }],
    ['DNS NXDomain: hard bounce at once (seed sample)', nxdomain, 0, 0, { action: 'bounce', bucket: 'dns' }],
    ['a retryable failure at 120 s: expired', smtp(451), 0, 120, { action: 'expire' }],
    ['a permanent failure at 125 s: expired', smtp(550), 0, 125, { action: 'expire' }],
    ['a retryable failure at 119.9 s: retried', conn('timeout'), 0, 119.9, retryIn(5, 119.9)],
  ];
  it.each(rows)('%s', (_row, failure, softBounces, age, expected) => {
    expect(decide(failure, { queuedAt: T0, softBounces }, TDC_POLICY, T0 + age * 1000)).toEqual(expected);
  });
});

describe('decide: ordinary destinations (the bounce profile)', () => {
  const profile = bounceProfilePolicy({ maxRetries: 3, maxTimeInQueueSeconds: 3600, initialRetrySeconds: 60, maxRetrySeconds: 200 });
  const rows: [string, Failure, number, number, Decision][] = [
    ['4xx, first retry after the initial wait', smtp(450), 0, 0, retryIn(60)],
    ['4xx, the wait doubles', smtp(450), 1, 100, retryIn(120, 100)],
    ['4xx, the wait stops at the maximum', smtp(450), 2, 300, retryIn(200, 300)],
    ['4xx, retries used up: expired (5.4.7)', smtp(450), 3, 600, { action: 'expire' }],
    ['connection refused: retried', conn('refused'), 0, 0, retryIn(60)],
    ['4xx past the maximum time in queue: expired', smtp(421), 0, 3600, { action: 'expire' }],
    ['5xx: bounced', smtp(550), 0, 0, { action: 'bounce', bucket: 'fiveXX' }],
    ['503: bounced at once (a 5xx here)', smtp(503), 0, 0, { action: 'bounce', bucket: 'fiveXX' }],
    ['552: bounced at once', smtp(552), 0, 0, { action: 'bounce', bucket: 'fiveXX' }],
    ['NXDomain: bounced (DNS)', nxdomain, 0, 0, { action: 'bounce', bucket: 'dns' }],
    ['a permanent failure after the maximum time: still a bounce (no hard deadline)', smtp(550), 0, 7200, { action: 'bounce', bucket: 'fiveXX' }],
  ];
  it.each(rows)('%s', (_row, failure, softBounces, age, expected) => {
    expect(decide(failure, { queuedAt: T0, softBounces }, profile, T0 + age * 1000)).toEqual(expected);
  });

  it('no retries configured: a temporary failure expires at once', () => {
    const none = bounceProfilePolicy({ maxRetries: 0, maxTimeInQueueSeconds: 3600, initialRetrySeconds: 60, maxRetrySeconds: 200 });
    expect(decide(smtp(451), { queuedAt: T0, softBounces: 0 }, none, T0)).toEqual({ action: 'expire' });
  });
});

describe("expiresAt: when a message's time in its queue runs out", () => {
  it('is 120 s after queuing in the.tdc.queue, the maximum time in queue elsewhere; decide expires from that instant on', () => {
    const profile = bounceProfilePolicy({ maxRetries: 100, maxTimeInQueueSeconds: 3600, initialRetrySeconds: 60, maxRetrySeconds: 200 });
    expect(expiresAt({ queuedAt: T0 }, TDC_POLICY)).toBe(T0 + 120_000);
    expect(expiresAt({ queuedAt: T0 }, profile)).toBe(T0 + 3_600_000);
    const at = expiresAt({ queuedAt: T0 }, TDC_POLICY);
    expect(decide(conn('refused'), { queuedAt: T0, softBounces: 0 }, TDC_POLICY, at - 1).action).toBe('retry');
    expect(decide(conn('refused'), { queuedAt: T0, softBounces: 0 }, TDC_POLICY, at)).toEqual({ action: 'expire' });
  });
});

describe('failures are classified from the client error fields, not its text', () => {
  it.each([
    ['STARTTLS refused', { code: 'ETLS', command: 'STARTTLS', responseCode: 500, message: 'x' }, false, { kind: 'tls', cause: 'no-starttls' }],
    ['untrusted certificate', { code: 'ESOCKET', originalCode: 'CERT_SIGNATURE_FAILURE', command: 'CONN', message: 'x' }, true, { kind: 'tls', cause: 'untrusted' }],
    ['protocol version', { code: 'ESOCKET', originalCode: 'ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION', command: 'CONN', message: 'x' }, true, { kind: 'tls', cause: 'protocol' }],
    ['refused', { code: 'ESOCKET', originalCode: 'ECONNREFUSED', command: 'CONN', message: 'TLS certificate handshake STARTTLS' }, false, { kind: 'connection', cause: 'refused' }],
    ['timed out', { code: 'ETIMEDOUT', command: 'CONN', message: 'Greeting never received' }, false, { kind: 'connection', cause: 'timeout' }],
    ['451 at RCPT', { code: 'EENVELOPE', command: 'RCPT TO', responseCode: 451, response: '451 4.7.1 later', message: 'TLS' }, false, { kind: 'smtp', code: 451, stage: 'rcpt' }],
  ] as const)('%s', (_name, error, duringTls, expected) => {
    expect(classifyClientError(error, duringTls)).toMatchObject(expected);
  });
});
