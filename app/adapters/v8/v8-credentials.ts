import { createHash } from 'node:crypto';
import type { V8Settings } from '../../config/app-config.ts';

/** What a V8 call needs to know about this client's V8 account, read again on every use. */
export type V8Credentials = Pick<
  V8Settings,
  'authUrl' | 'baseUrl' | 'clientId' | 'audience' | 'scope' | 'username' | 'password' | 'provider'
>;

/**
 * A function, not a value: the console can change the credentials at run time and the next call
 * (and the token cache key) must follow.
 */
export type V8CredentialsProvider = () => V8Credentials;

/** Config keys that must be filled in before V8 can be called (names only, never values). */
export function missingV8Keys(c: V8Credentials): string[] {
  const missing: string[] = [];
  if (!c.clientId) missing.push('V8_CLIENT_ID');
  if (!c.username) missing.push('V8_USERNAME');
  if (!c.password) missing.push('V8_PASSWORD');
  return missing;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

/** Identifies the account a token belongs to; any credential change gives another fingerprint. */
export function credentialsFingerprint(c: V8Credentials): string {
  return sha256(
    JSON.stringify([c.authUrl, c.clientId ?? '', c.audience, c.username ?? '', sha256(c.password ?? '')]),
  );
}
