import { createHash } from 'node:crypto';

/** A V8 partner user (login). `clientId` defaults to the server-wide client id. */
export interface FakeV8Account {
  username: string;
  password: string;
  clientId?: string;
}

export interface Account {
  username: string;
  password: string;
  clientId: string;
  /** Stable uuid derived from the username: `partnerId` on consults/operations. */
  partnerId: string;
}

export const DEFAULT_AUDIENCE = 'https://bff.v8sistema.com';
/** 32-char alphanumeric, like Auth0's public SPA client ids. Fake. */
export const DEFAULT_CLIENT_ID = 'FakeV8SandboxClientId00000000001';

export const DEFAULT_ACCOUNTS: readonly FakeV8Account[] = [
  { username: 'sandbox-a@fake-v8.local', password: 'sandbox-a-password' },
  { username: 'sandbox-b@fake-v8.local', password: 'sandbox-b-password' },
];

export function uuidFrom(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export function toAccounts(list: readonly FakeV8Account[], defaultClientId: string): Map<string, Account> {
  const map = new Map<string, Account>();
  for (const a of list) {
    map.set(a.username, {
      username: a.username,
      password: a.password,
      clientId: a.clientId ?? defaultClientId,
      partnerId: uuidFrom(`partner:${a.username}`),
    });
  }
  return map;
}

/**
 * `user:pass[:clientId]` comma list (FAKE_V8_ACCOUNTS). With three or more `:`-separated parts the
 * last one is the clientId and the middle ones are the password (so a password containing `:`
 * needs an explicit clientId). Neither part may contain `,`.
 */
export function parseAccounts(spec: string): FakeV8Account[] {
  const out: FakeV8Account[] = [];
  for (const raw of spec.split(',')) {
    const item = raw.trim();
    if (!item) continue;
    const parts = item.split(':');
    const username = parts[0] ?? '';
    if (parts.length < 2 || !username) {
      throw new Error('FAKE_V8_ACCOUNTS entries must be username:password[:clientId]');
    }
    const clientId = parts.length >= 3 ? parts[parts.length - 1] : undefined;
    const password = parts.slice(1, parts.length >= 3 ? -1 : undefined).join(':');
    if (!password) throw new Error(`FAKE_V8_ACCOUNTS: empty password for ${username}`);
    out.push(clientId ? { username, password, clientId } : { username, password });
  }
  return out;
}
