import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { maskUsername } from '../../config/mask.ts';
import type { Logger } from '../../logging/logger.ts';
import type { Redactor } from '../../logging/redact.ts';
import type { Clock } from '../clock.ts';
import { credentialsFingerprint, type V8Credentials, type V8CredentialsProvider } from './v8-credentials.ts';

export interface ObtainedToken {
  readonly accessToken: string;
  readonly expiresInS: number;
}

/** Asks V8 for a new token (password grant); the cache decides when. */
export type FetchToken = (credentials: V8Credentials) => Promise<ObtainedToken>;

export type V8TokenSource = 'none' | 'v8' | 'file';

export interface V8TokenStatus {
  readonly held: boolean;
  readonly expiresAt: string | null;
  readonly username: string | null;
  /** Where the held token came from: obtained from V8 by this process, or read back from the data volume. */
  readonly source: V8TokenSource;
}

/** The V8 access token of ONE client: memory + `<dataDir>/v8-token.json`. */
export interface V8TokenCache {
  /** A token valid for at least the margin; concurrent callers share one request to V8. */
  getToken(): Promise<string>;
  /**
   * Forgets the token (memory and file). With `token`, only when that is still the held one, so
   * many callers that saw the same 401 cause one new token request, not one each.
   */
  invalidate(token?: string): Promise<void>;
  status(): V8TokenStatus;
  /** The token held in memory right now if it is still usable; never requests or reads a file. */
  peek(): string | undefined;
}

export interface V8TokenCacheOptions {
  readonly credentials: V8CredentialsProvider;
  readonly fetchToken: FetchToken;
  readonly dataDir: string;
  readonly clock: Clock;
  readonly marginS: number;
  readonly redactor: Redactor;
  readonly logger: Logger;
}

interface HeldToken {
  readonly fingerprint: string;
  readonly accessToken: string;
  readonly obtainedAt: number;
  readonly expiresAt: number;
  readonly source: V8TokenSource;
}

export const TOKEN_FILE = 'v8-token.json';

export class FileV8TokenCache implements V8TokenCache {
  private readonly opts: V8TokenCacheOptions;
  private readonly file: string;
  private held: HeldToken | undefined;
  private readonly inFlight = new Map<string, Promise<HeldToken>>();
  /** Fingerprint whose file was already read (or deliberately deleted): the file is read once. */
  private fileReadFor: string | undefined;

  constructor(opts: V8TokenCacheOptions) {
    this.opts = opts;
    this.file = path.join(opts.dataDir, TOKEN_FILE);
  }

  getToken(): Promise<string> {
    const fingerprint = credentialsFingerprint(this.opts.credentials());
    const now = this.opts.clock.now();
    if (this.held?.fingerprint === fingerprint && this.usable(this.held, now)) {
      return Promise.resolve(this.held.accessToken);
    }
    const pending = this.inFlight.get(fingerprint);
    if (pending) return pending.then((t) => t.accessToken);
    if (this.held?.fingerprint !== fingerprint) {
      const fromFile = this.readFile(fingerprint);
      if (fromFile && this.usable(fromFile, now)) {
        this.hold(fromFile);
        return Promise.resolve(fromFile.accessToken);
      }
    }
    const request = this.obtain(fingerprint).finally(() => this.inFlight.delete(fingerprint));
    this.inFlight.set(fingerprint, request);
    return request.then((t) => t.accessToken);
  }

  peek(): string | undefined {
    const fingerprint = credentialsFingerprint(this.opts.credentials());
    const held = this.held;
    return held?.fingerprint === fingerprint && this.usable(held, this.opts.clock.now())
      ? held.accessToken
      : undefined;
  }

  async invalidate(token?: string): Promise<void> {
    // Another caller already dropped (or replaced) that token: nothing to do.
    if (token !== undefined && this.held?.accessToken !== token) return;
    const fingerprint = credentialsFingerprint(this.opts.credentials());
    this.held = undefined;
    this.fileReadFor = fingerprint;
    try {
      await unlink(this.file);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
        this.opts.logger.warn('could not delete the V8 token file', {
          code: (err as NodeJS.ErrnoException).code,
        });
      }
    }
    this.opts.logger.info('v8 token cleared');
  }

  status(): V8TokenStatus {
    const creds = this.opts.credentials();
    const fingerprint = credentialsFingerprint(creds);
    const now = this.opts.clock.now();
    let token = this.held?.fingerprint === fingerprint ? this.held : undefined;
    if (!token) {
      const fromFile = this.readFile(fingerprint);
      if (fromFile && this.usable(fromFile, now)) token = this.hold(fromFile);
    }
    const held = token !== undefined && now < token.expiresAt;
    return {
      held,
      expiresAt: held && token ? new Date(token.expiresAt).toISOString() : null,
      username: maskUsername(creds.username),
      source: held && token ? token.source : 'none',
    };
  }

  /** Still good for at least the margin (at most half its lifetime, so a short-lived token is used at all). */
  private usable(t: HeldToken, now: number): boolean {
    const marginMs = Math.min(this.opts.marginS * 1000, (t.expiresAt - t.obtainedAt) / 2);
    return now < t.expiresAt - marginMs;
  }

  private hold(t: HeldToken): HeldToken {
    this.opts.redactor.addSecret(t.accessToken);
    this.held = t;
    return t;
  }

  private async obtain(fingerprint: string): Promise<HeldToken> {
    const creds = this.opts.credentials();
    // The password may have been changed at run time (console): it must never reach a log either.
    this.opts.redactor.addSecret(creds.password);
    const got = await this.opts.fetchToken(creds);
    this.opts.redactor.addSecret(got.accessToken);
    const obtainedAt = this.opts.clock.now();
    const token: HeldToken = {
      fingerprint,
      accessToken: got.accessToken,
      obtainedAt,
      expiresAt: obtainedAt + got.expiresInS * 1000,
      source: 'v8',
    };
    // Credentials may have changed while we waited; only the current account's token is kept.
    if (credentialsFingerprint(this.opts.credentials()) === fingerprint) {
      this.hold(token);
      this.fileReadFor = fingerprint;
      await this.writeFile(token);
    }
    this.opts.logger.info('v8 token obtained', {
      username: maskUsername(creds.username),
      expiresAt: new Date(token.expiresAt).toISOString(),
    });
    return token;
  }

  private readFile(fingerprint: string): HeldToken | undefined {
    if (this.fileReadFor === fingerprint) return undefined;
    this.fileReadFor = fingerprint;
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return undefined;
    }
    try {
      const f = JSON.parse(text) as Partial<Record<keyof HeldToken, unknown>>;
      if (
        f.fingerprint !== fingerprint ||
        typeof f.accessToken !== 'string' ||
        typeof f.obtainedAt !== 'number' ||
        typeof f.expiresAt !== 'number'
      ) {
        return undefined;
      }
      return {
        fingerprint,
        accessToken: f.accessToken,
        obtainedAt: f.obtainedAt,
        expiresAt: f.expiresAt,
        source: 'file',
      };
    } catch {
      this.opts.logger.warn('ignoring an unreadable V8 token file', { file: this.file });
      return undefined;
    }
  }

  /** Atomic (temp file + rename) and private (0600): a crash never leaves half a token behind. */
  private async writeFile(t: HeldToken): Promise<void> {
    const tmp = `${this.file}.${randomBytes(6).toString('hex')}.tmp`;
    try {
      await mkdir(this.opts.dataDir, { recursive: true });
      const body = JSON.stringify({
        fingerprint: t.fingerprint,
        accessToken: t.accessToken,
        obtainedAt: t.obtainedAt,
        expiresAt: t.expiresAt,
      });
      await writeFile(tmp, body, { mode: 0o600 });
      await chmod(tmp, 0o600);
      await rename(tmp, this.file);
    } catch (err) {
      // Memory still holds the token; only a restart would have to authenticate again.
      this.opts.logger.warn('could not persist the V8 token', { code: (err as NodeJS.ErrnoException).code });
      await unlink(tmp).catch(() => undefined);
    }
  }
}
