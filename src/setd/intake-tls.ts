import { DEFAULT_CIPHERS } from 'node:tls';
import type { SMTPServerOptions } from 'smtp-server';

/** The highest TLS version the SETD intake negotiates: 1.2 by default (what the seed's log shows), 1.3 on request. */
export type SetdTlsVersion = '1.2' | '1.3';
export const SETD_TLS_VERSIONS: readonly SetdTlsVersion[] = ['1.2', '1.3'];

/**
 * The seed's TDC delivery logs `TLS success protocol TLSv1.2 cipher ECDHE-RSA-AES128-GCM-SHA256`:
 * by default the intake stops at TLS 1.2 and prefers that cipher (the lab key is RSA, see
 * engine/tls.ts), node's other ciphers after it for other clients. With 1.3, a client that offers
 * TLS 1.3 gets it. Kept apart from the intake server so that `setd` can name the choices without
 * loading the SMTP stack.
 */
export const INTAKE_TLS: Record<SetdTlsVersion, Pick<SMTPServerOptions, 'minVersion' | 'maxVersion' | 'ciphers' | 'honorCipherOrder'>> = {
  '1.2': { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: `ECDHE-RSA-AES128-GCM-SHA256:${DEFAULT_CIPHERS}`, honorCipherOrder: true },
  '1.3': { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' },
};
