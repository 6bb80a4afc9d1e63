import { randomBytes, randomUUID } from 'node:crypto';
import type { Account } from './accounts.ts';
import type { FakeClock } from './fake-clock.ts';

export interface TokenRecord {
  token: string;
  username: string;
  scope: string;
  issuedAt: number;
  expiresAt: number;
  revoked: boolean;
}

export type TokenCheck =
  | { ok: true; username: string }
  | { ok: false; reason: 'missing' | 'unknown' | 'expired' | 'revoked' };

const b64url = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** Issued access tokens: opaque JWT-looking strings, each bound to one account. */
export class TokenStore {
  private readonly tokens = new Map<string, TokenRecord>();
  private readonly clock: FakeClock;

  constructor(clock: FakeClock) {
    this.clock = clock;
  }

  issue(account: Account, scope: string, audience: string, ttlS: number): TokenRecord {
    const iat = Math.floor(this.clock.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', kid: 'fake-v8' };
    const payload = {
      iss: 'https://auth.v8sistema.com/',
      sub: `auth0|${account.partnerId}`,
      aud: [audience],
      iat,
      exp: iat + ttlS,
      scope,
      gty: 'password',
      azp: account.clientId,
      jti: randomUUID(),
    };
    const token = `${b64url(header)}.${b64url(payload)}.${randomBytes(32).toString('base64url')}`;
    const record: TokenRecord = {
      token,
      username: account.username,
      scope,
      issuedAt: this.clock.now(),
      expiresAt: this.clock.now() + ttlS * 1000,
      revoked: false,
    };
    this.tokens.set(token, record);
    return record;
  }

  check(token: string | null): TokenCheck {
    if (!token) return { ok: false, reason: 'missing' };
    const rec = this.tokens.get(token);
    if (!rec) return { ok: false, reason: 'unknown' };
    if (rec.revoked) return { ok: false, reason: 'revoked' };
    if (this.clock.now() >= rec.expiresAt) return { ok: false, reason: 'expired' };
    return { ok: true, username: rec.username };
  }

  /** Owner of a token whatever its state (request log, rate accounting). */
  owner(token: string | null): string | null {
    return token ? (this.tokens.get(token)?.username ?? null) : null;
  }

  /** Revokes matching tokens; returns how many of them were still usable. */
  revoke(username?: string): number {
    const now = this.clock.now();
    let n = 0;
    for (const rec of this.tokens.values()) {
      if ((!username || rec.username === username) && !rec.revoked) {
        rec.revoked = true;
        if (rec.expiresAt > now) n++;
      }
    }
    return n;
  }

  /** Makes matching live tokens expire now (as if their lifetime had passed). */
  expire(username?: string): number {
    const now = this.clock.now();
    let n = 0;
    for (const rec of this.tokens.values()) {
      if ((!username || rec.username === username) && rec.expiresAt > now) {
        rec.expiresAt = now;
        n++;
      }
    }
    return n;
  }

  list(): TokenRecord[] {
    return [...this.tokens.values()];
  }

  clear(): void {
    this.tokens.clear();
  }
}

export function bearerOf(authorization: string | undefined): string | null {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return m?.[1] ?? null;
}
