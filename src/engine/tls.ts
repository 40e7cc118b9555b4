import { createPrivateKey, generateKeyPairSync, randomBytes, X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import forge from 'node-forge';
import { ensureDir } from './home.js';
import { keepAside, type ProblemReport } from './state-file.js';

/** PEM material of the lab: a CA the gateway trusts, and one server certificate signed by it. */
export interface LabPki {
  ca: string;
  key: string;
  cert: string;
}

/**
 * A TLS connection's protocol and cipher as AsyncOS logs them (`TLS success protocol TLSv1.2
 * cipher ECDHE-RSA-AES128-GCM-SHA256`): OpenSSL's cipher name, not the IANA one.
 */
export function tlsSummary(socket: TLSSocket): { protocol: string; cipher: string } {
  return { protocol: socket.getProtocol() ?? 'unknown', cipher: socket.getCipher()?.name ?? 'unknown' };
}

const FILES = { ca: 'lab-ca.pem', caKey: 'lab-ca.key', key: 'server.key', cert: 'server.pem' } as const;
type FileKey = keyof typeof FILES;

const stderrReport: ProblemReport = (text) => void process.stderr.write(`segsim: ${text}\n`);

/**
 * Creates the lab CA and a server certificate for `hostnames` in `tlsDir` at first start (never
 * fetched), and reuses them afterwards. Keys come from node's crypto (fast); node-forge builds
 * and signs the X.509 certificates. Each file is checked before use (a certificate or key that
 * parses, a key that matches its certificate, a server certificate the CA signed and still
 * valid): a bad server pair is issued again by the lab CA; a bad CA makes a new CA and server
 * pair. Every file replaced is kept aside (`<file>.bad-<time>`) and the repair is reported.
 */
export function ensureLabPki(tlsDir: string, hostnames: string[] = ['localhost'], report: ProblemReport = stderrReport, now: () => number = Date.now): LabPki {
  ensureDir(tlsDir);
  const path = (f: FileKey) => join(tlsDir, FILES[f]);
  const present = (Object.keys(FILES) as FileKey[]).filter((f) => existsSync(path(f)));
  if (present.length === 0) return issue(tlsDir, hostnames, null);
  const problems = new Map<FileKey, string>();
  const pem: Partial<Record<FileKey, string>> = {};
  for (const f of present) {
    try {
      pem[f] = readFileSync(path(f), 'utf8');
    } catch (error) {
      problems.set(f, `is unreadable (${(error as Error).message})`);
    }
  }
  const ca = certificate(pem.ca, 'ca', problems);
  const caKey = privateKey(pem.caKey, 'caKey', problems);
  const cert = certificate(pem.cert, 'cert', problems);
  const key = privateKey(pem.key, 'key', problems);
  if (ca && caKey && !ca.checkPrivateKey(caKey)) problems.set('caKey', 'does not match the CA certificate');
  if (ca && !ca.ca) problems.set('ca', 'is not a CA certificate');
  if (cert && key && !cert.checkPrivateKey(key)) problems.set('key', 'does not match the server certificate');
  if (cert && ca && !problems.has('ca') && !cert.verify(ca.publicKey)) problems.set('cert', 'is not signed by the lab CA');
  if (cert && Date.parse(cert.validTo) <= now()) problems.set('cert', `expired on ${cert.validTo}`);
  if (problems.size === 0) return { ca: pem.ca!, key: pem.key!, cert: pem.cert! };
  const caGood = !problems.has('ca') && !problems.has('caKey');
  // a new CA invalidates the server pair too; a new server pair leaves the CA as it is
  const replaced = (caGood ? (['key', 'cert'] as const) : (Object.keys(FILES) as FileKey[])).filter((f) => existsSync(path(f)));
  const aside = replaced.map((f) => `${FILES[f]} as ${basename(keepAside(path(f), now()))}`);
  const pki = issue(tlsDir, hostnames, caGood ? { certPem: pem.ca!, keyPem: pem.caKey! } : null);
  const bad = [...problems].map(([f, problem]) => `${FILES[f]} ${problem}`).join('; ');
  report(
    `TLS files in ${tlsDir} cannot be used: ${bad}. Kept aside: ${aside.join(', ')}. ` +
      (caGood ? 'The lab CA issued a new server certificate.' : `A new lab CA was made: a client that trusted the old one must now trust ${path('ca')}.`),
  );
  return pki;
}

/** A certificate that parses, or null with its problem noted. */
function certificate(text: string | undefined, file: FileKey, problems: Map<FileKey, string>): X509Certificate | null {
  if (text === undefined) return (problems.has(file) || problems.set(file, 'is missing'), null);
  try {
    return new X509Certificate(text);
  } catch (error) {
    problems.set(file, `is not a PEM certificate (${(error as Error).message})`);
    return null;
  }
}

/** A private key that parses, or null with its problem noted. */
function privateKey(text: string | undefined, file: FileKey, problems: Map<FileKey, string>): KeyObject | null {
  if (text === undefined) return (problems.has(file) || problems.set(file, 'is missing'), null);
  try {
    return createPrivateKey(text);
  } catch (error) {
    problems.set(file, `is not a PEM private key (${(error as Error).message})`);
    return null;
  }
}

/** Makes a server pair signed by `ca` (a new CA when null) and writes what it made. */
function issue(tlsDir: string, hostnames: string[], ca: { certPem: string; keyPem: string } | null): LabPki {
  const path = (f: FileKey) => join(tlsDir, FILES[f]);
  let caCert: forge.pki.Certificate;
  let caSigner: forge.pki.rsa.PrivateKey;
  if (ca) {
    caCert = forge.pki.certificateFromPem(ca.certPem);
    caSigner = forge.pki.privateKeyFromPem(ca.keyPem) as forge.pki.rsa.PrivateKey;
  } else {
    const caKeys = rsaKeys();
    caSigner = caKeys.privateKey;
    caCert = buildCert({
      subject: 'segsim lab CA',
      publicKey: caKeys.publicKey,
      signer: caKeys.privateKey,
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      ],
    });
    writeFileSync(path('caKey'), caKeys.privatePem, { mode: 0o600 });
  }
  const serverKeys = rsaKeys();
  const altNames = [
    ...hostnames.map((value) => ({ type: 2, value })),
    { type: 7, ip: '127.0.0.1' },
    { type: 7, ip: '::1' },
  ];
  const serverCert = buildCert({
    subject: hostnames[0] ?? 'localhost',
    issuer: caCert,
    publicKey: serverKeys.publicKey,
    signer: caSigner,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  const pki = { ca: ca ? ca.certPem : forge.pki.certificateToPem(caCert), key: serverKeys.privatePem, cert: forge.pki.certificateToPem(serverCert) };
  writeFileSync(path('key'), pki.key, { mode: 0o600 });
  writeFileSync(path('cert'), pki.cert);
  if (!ca) writeFileSync(path('ca'), pki.ca);
  return pki;
}

function rsaKeys() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(privatePem) as forge.pki.rsa.PrivateKey;
  return {
    privatePem,
    privateKey: forgeKey,
    publicKey: forge.pki.rsa.setPublicKey(forgeKey.n, forgeKey.e),
  };
}

function buildCert(opts: {
  subject: string;
  issuer?: forge.pki.Certificate;
  publicKey: forge.pki.PublicKey;
  signer: forge.pki.rsa.PrivateKey;
  extensions: object[];
}): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = opts.publicKey;
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 24 * 3600 * 1000);
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000);
  const subject = [{ name: 'commonName', value: opts.subject }, { name: 'organizationName', value: 'segsim lab' }];
  cert.setSubject(subject);
  cert.setIssuer(opts.issuer ? opts.issuer.subject.attributes : subject);
  cert.setExtensions(opts.extensions);
  cert.sign(opts.signer, forge.md.sha256.create());
  return cert;
}
