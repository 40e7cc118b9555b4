import ssh2 from 'ssh2';
import type { Appliance } from '../engine/appliance.js';
import { authorizedKeyFor } from '../engine/ssh-keys.js';

/** What ssh2 hands the server at a public-key attempt (its PublicKeyAuthContext, the parts that matter). */
export interface PublicKeyAttempt {
  username: string;
  key: { algo: string; data: Buffer };
  /** absent when the client only asks whether the key would do (it signs next) */
  signature?: Buffer;
  blob?: Buffer;
  hashAlgo?: string;
}

/**
 * The SSH server's answer to a public-key attempt (ssh2's `authentication` event, method
 * `publickey`): true when the key is committed for the user (`sshconfig`) and, when the attempt
 * carries a signature, the signature verifies with that key over the session's data (ssh2
 * leaves that check to the server: without it, a client that knows a listed public key would
 * log in). The server then calls `ctx.accept()`: for an attempt without a signature that
 * tells the client to sign; for a signed one it is the login.
 */
export function publicKeyLoginAllowed(appliance: Pick<Appliance, 'configuration'>, attempt: PublicKeyAttempt): boolean {
  if (!authorizedKeyFor(appliance, attempt.username, attempt.key.algo, attempt.key.data)) return false;
  if (attempt.signature === undefined) return true;
  if (attempt.blob === undefined) return false;
  const key = ssh2.utils.parseKey(attempt.key.data);
  if (key instanceof Error) return false;
  return key.verify(attempt.blob, attempt.signature, attempt.hashAlgo) === true;
}
