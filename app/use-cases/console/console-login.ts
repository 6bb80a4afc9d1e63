import { verifyPassword } from '../../domain/password-hash.ts';

export type LoginCheck = 'ok' | 'wrong' | 'disabled';

/**
 * One admin password per client, kept only as the scrypt hash ADMIN_PASSWORD_HASH. Without a hash
 * the console is off: no password at all is accepted.
 */
export function checkConsolePassword(passwordHash: string | undefined, password: string): LoginCheck {
  if (!passwordHash) return 'disabled';
  try {
    return verifyPassword(password, passwordHash) ? 'ok' : 'wrong';
  } catch {
    // A damaged hash (impossible scrypt parameters): only make set-admin-password can fix it.
    return 'disabled';
  }
}
