import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';
import { ensureDir } from './home.js';

/** PEM material of the lab: a CA the gateway trusts, and one server certificate signed by it. */
export interface LabPki {
  ca: string;
  key: string;
  cert: string;
}

const FILES = { ca: 'lab-ca.pem', caKey: 'lab-ca.key', key: 'server.key', cert: 'server.pem' } as const;

/**
 * Creates the lab CA and a server certificate for `hostnames` in `tlsDir` at first start (never
 * fetched), and reuses them afterwards. Keys come from node's crypto (fast); node-forge builds
 * and signs the X.509 certificates.
 */
export function ensureLabPki(tlsDir: string, hostnames: string[] = ['localhost']): LabPki {
  ensureDir(tlsDir);
  const path = (f: string) => join(tlsDir, f);
  if (Object.values(FILES).every((f) => existsSync(path(f)))) {
    return { ca: readFileSync(path(FILES.ca), 'utf8'), key: readFileSync(path(FILES.key), 'utf8'), cert: readFileSync(path(FILES.cert), 'utf8') };
  }
  const caKeys = rsaKeys();
  const caCert = buildCert({
    subject: 'segsim lab CA',
    publicKey: caKeys.publicKey,
    signer: caKeys.privateKey,
    extensions: [
      { name: 'basicConstraints', cA: true, critical: true },
      { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    ],
  });
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
    signer: caKeys.privateKey,
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames },
    ],
  });
  const pki = { ca: forge.pki.certificateToPem(caCert), key: serverKeys.privatePem, cert: forge.pki.certificateToPem(serverCert) };
  writeFileSync(path(FILES.caKey), caKeys.privatePem, { mode: 0o600 });
  writeFileSync(path(FILES.key), pki.key, { mode: 0o600 });
  writeFileSync(path(FILES.cert), pki.cert);
  writeFileSync(path(FILES.ca), pki.ca);
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
