import { createPrivateKey, generateKeyPair, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
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
 * fetched), and reuses them afterwards. Each file is checked before use (a certificate or key that
 * parses, a key that matches its certificate, a server certificate the CA signed and still
 * valid): a bad server pair is issued again by the lab CA; a bad CA makes a new CA and server
 * pair. Every file replaced is kept aside (`<file>.bad-<time>`) and the repair is reported.
 *
 * Synchronous, for a start that serves nothing yet: making keys blocks the event loop (RSA key
 * generation, 50-500 ms a key). Material made while connections are served comes from labPki.
 */
export function ensureLabPki(tlsDir: string, hostnames: string[] = ['localhost'], report: ProblemReport = stderrReport, now: () => number = Date.now): LabPki {
  const found = inspect(tlsDir, now);
  if ('pki' in found) return found.pki;
  const ca = found.ca ?? generateKeyPairSync('rsa', RSA);
  return repaired(tlsDir, found, issue(hostnames, ca, generateKeyPairSync('rsa', RSA)), report, now);
}

/**
 * ensureLabPki for material that may be made while the appliance serves (the SETD intake's, the
 * `tls` fault's foreign CA): the keys are made off the event loop (node's crypto thread pool),
 * and only the light work of building and signing the certificates (milliseconds) runs on it.
 */
export async function labPki(tlsDir: string, hostnames: string[] = ['localhost'], report: ProblemReport = stderrReport, now: () => number = Date.now): Promise<LabPki> {
  const found = inspect(tlsDir, now);
  if ('pki' in found) return found.pki;
  const [ca, server] = await Promise.all([found.ca ?? keyPair(), keyPair()]);
  // made meanwhile by another (ensureLabPki at a web interface's restart): that one is in use
  const again = inspect(tlsDir, now);
  if ('pki' in again) return again.pki;
  return repaired(tlsDir, found, issue(hostnames, ca, server), report, now);
}

/** The lab CA as its files hold it. */
interface StoredCa {
  certPem: string;
  keyPem: string;
}

/** What a TLS directory holds: usable material, or what must be made (and why, when files were there). */
type Inspection = { pki: LabPki } | { ca: StoredCa | null; problems: Map<FileKey, string> };

/** Reads and checks the files of a TLS directory (made when missing); changes no file. */
function inspect(tlsDir: string, now: () => number): Inspection {
  ensureDir(tlsDir);
  const path = (f: FileKey) => join(tlsDir, FILES[f]);
  const present = (Object.keys(FILES) as FileKey[]).filter((f) => existsSync(path(f)));
  const problems = new Map<FileKey, string>();
  if (present.length === 0) return { ca: null, problems };
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
  if (problems.size === 0 && pem.ca !== undefined && pem.key !== undefined && pem.cert !== undefined) return { pki: { ca: pem.ca, key: pem.key, cert: pem.cert } };
  const caGood = !problems.has('ca') && !problems.has('caKey');
  return { ca: caGood && pem.ca !== undefined && pem.caKey !== undefined ? { certPem: pem.ca, keyPem: pem.caKey } : null, problems };
}

/**
 * Writes what `issue` made after keeping aside the files it replaces, and reports the repair
 * (nothing to report at first start, when no file was there).
 */
function repaired(tlsDir: string, found: Exclude<Inspection, { pki: LabPki }>, made: Issued, report: ProblemReport, now: () => number): LabPki {
  const path = (f: FileKey) => join(tlsDir, FILES[f]);
  const caGood = found.ca !== null;
  // a new CA invalidates the server pair too; a new server pair leaves the CA as it is
  const replaced = (caGood ? (['key', 'cert'] as const) : (Object.keys(FILES) as FileKey[])).filter((f) => existsSync(path(f)));
  const aside = replaced.map((f) => `${FILES[f]} as ${basename(keepAside(path(f), now()))}`);
  for (const [f, text] of made.files) writeFileSync(path(f), text, f === 'key' || f === 'caKey' ? { mode: 0o600 } : undefined);
  if (found.problems.size > 0) {
    const bad = [...found.problems].map(([f, problem]) => `${FILES[f]} ${problem}`).join('; ');
    report(
      `TLS files in ${tlsDir} cannot be used: ${bad}. Kept aside: ${aside.join(', ')}. ` +
        (caGood ? 'The lab CA issued a new server certificate.' : `A new lab CA was made: a client that trusted the old one must now trust ${path('ca')}.`),
    );
  }
  return made.pki;
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

interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const RSA = { modulusLength: 2048 } as const;

/** An RSA key pair made in node's thread pool. */
function keyPair(): Promise<KeyPair> {
  return new Promise((resolve, reject) => generateKeyPair('rsa', RSA, (error, publicKey, privateKey) => (error ? reject(error) : resolve({ publicKey, privateKey }))));
}

interface Issued {
  pki: LabPki;
  /** the files to write, by their key in FILES */
  files: [FileKey, string][];
}

/**
 * Makes a server certificate for `serverKeys` signed by `ca`: the stored CA, or a new CA made of
 * the keys given. Writes nothing. node-forge builds the certificates; node's crypto signs them
 * (forge's own RSA, in JavaScript, took 70-280 ms a signature).
 */
function issue(hostnames: string[], ca: StoredCa | KeyPair, serverKeys: KeyPair): Issued {
  const files: [FileKey, string][] = [];
  let issuer: forge.pki.CertificateField[];
  let caSigner: KeyObject;
  let caPem: string;
  const stored = 'certPem' in ca;
  if (stored) {
    issuer = forge.pki.certificateFromPem(ca.certPem).subject.attributes;
    caSigner = createPrivateKey(ca.keyPem);
    caPem = ca.certPem;
  } else {
    const caCert = buildCert({
      subject: 'segsim lab CA',
      publicKey: ca.publicKey,
      signer: ca.privateKey,
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
      ],
    });
    issuer = caCert.subject.attributes;
    caSigner = ca.privateKey;
    caPem = forge.pki.certificateToPem(caCert);
    files.push(['caKey', pkcs8(ca.privateKey)]);
  }
  const altNames = [...hostnames.map((value) => ({ type: 2, value })), { type: 7, ip: '127.0.0.1' }, { type: 7, ip: '::1' }];
  const serverCert = buildCert({
    subject: hostnames[0] ?? 'localhost',
    issuer,
    publicKey: serverKeys.publicKey,
    signer: caSigner,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  const pki = { ca: caPem, key: pkcs8(serverKeys.privateKey), cert: forge.pki.certificateToPem(serverCert) };
  files.push(['key', pki.key], ['cert', pki.cert]);
  if (!stored) files.push(['ca', pki.ca]);
  return { pki, files };
}

/** sha256WithRSAEncryption (RFC 4055) */
const SHA256_WITH_RSA = '1.2.840.113549.1.1.11';

const pkcs8 = (key: KeyObject) => key.export({ type: 'pkcs8', format: 'pem' }).toString();

/** node-forge's TBSCertificate builder (in node-forge, missing from its type definitions). */
const tbsCertificate = (forge.pki as unknown as { getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1 }).getTBSCertificate;

function buildCert(opts: { subject: string; issuer?: forge.pki.CertificateField[]; publicKey: KeyObject; signer: KeyObject; extensions: object[] }): forge.pki.Certificate {
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(opts.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  cert.serialNumber = `01${randomBytes(8).toString('hex')}`;
  cert.validity.notBefore = new Date(Date.now() - 24 * 3600 * 1000);
  cert.validity.notAfter = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000);
  const subject = [
    { name: 'commonName', value: opts.subject },
    { name: 'organizationName', value: 'segsim lab' },
  ];
  cert.setSubject(subject);
  cert.setIssuer(opts.issuer ?? subject);
  cert.setExtensions(opts.extensions);
  // what forge's cert.sign does, with node's RSA
  cert.signatureOid = cert.siginfo.algorithmOid = SHA256_WITH_RSA;
  cert.tbsCertificate = tbsCertificate(cert);
  const der = Buffer.from(forge.asn1.toDer(cert.tbsCertificate).getBytes(), 'binary');
  cert.signature = sign('sha256', der, opts.signer).toString('binary');
  return cert;
}
