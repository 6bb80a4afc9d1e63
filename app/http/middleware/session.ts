import { createHash, randomBytes } from 'node:crypto';
import type { CookieOptions, Request, RequestHandler, Response } from 'express';
import type { Clock } from '../../adapters/clock.ts';
import { MemorySessionRepository, type SessionRepository } from '../../adapters/store/session-repository.ts';
import { AppError } from '../../domain/app-error.ts';

/**
 * Sign-in sessions of the /config-v8 console: server-side, in the client's SQLite store (so a
 * restart or an upgrade keeps operators signed in), identified by a random id in an HttpOnly cookie.
 * The store only holds the id's SHA-256: a copy of the data volume yields no usable cookie.
 */
export interface ConsoleSession {
  readonly id: string;
  readonly createdAt: number;
  /** Binds this session's CSRF tokens; stored with it so they survive a restart too. */
  readonly csrfSecret: string;
}

export interface SessionOptions {
  readonly clock: Clock;
  /** Signed out after this long without a request. */
  readonly idleMs: number;
  /** Signed out after this long whatever the activity. */
  readonly absoluteMs: number;
  /** Oldest-idle sessions are dropped beyond this (bounded table). */
  readonly maxSessions: number;
  /** Default: in memory (apps built without a store). */
  readonly repository?: SessionRepository;
}

export const DEFAULT_SESSION_OPTIONS: Omit<SessionOptions, 'clock'> = {
  idleMs: 30 * 60_000,
  absoluteMs: 12 * 60 * 60_000,
  maxSessions: 50,
};

const hashId = (id: string) => createHash('sha256').update(id).digest('hex');

export class SessionStore {
  private readonly opts: SessionOptions;
  private readonly repo: SessionRepository;

  constructor(opts: SessionOptions) {
    this.opts = opts;
    this.repo = opts.repository ?? new MemorySessionRepository();
  }

  get idleMs(): number {
    return this.opts.idleMs;
  }

  get size(): number {
    return this.repo.count();
  }

  create(): ConsoleSession {
    const now = this.opts.clock.now();
    this.sweep(now);
    const excess = this.repo.count() - this.opts.maxSessions + 1;
    if (excess > 0) this.repo.deleteOldestIdle(excess);
    const session: ConsoleSession = {
      id: randomBytes(32).toString('base64url'),
      createdAt: now,
      csrfSecret: randomBytes(32).toString('hex'),
    };
    this.repo.insert({
      idHash: hashId(session.id),
      csrfSecret: session.csrfSecret,
      createdAt: now,
      lastSeenAt: now,
    });
    return session;
  }

  /** The live session with this id (its idle time restarts), or undefined. */
  touch(id: string | undefined): ConsoleSession | undefined {
    if (!id) return undefined;
    const idHash = hashId(id);
    const row = this.repo.get(idHash);
    if (!row) return undefined;
    const now = this.opts.clock.now();
    if (now - row.lastSeenAt >= this.opts.idleMs || now - row.createdAt >= this.opts.absoluteMs) {
      this.repo.delete(idHash);
      return undefined;
    }
    this.repo.touch(idHash, now);
    return { id, createdAt: row.createdAt, csrfSecret: row.csrfSecret };
  }

  destroy(id: string): void {
    this.repo.delete(hashId(id));
  }

  private sweep(now: number): void {
    this.repo.deleteExpired(now - this.opts.idleMs, now - this.opts.absoluteMs);
  }
}

// Cookies are per host, not per port: every client on this machine needs its own cookie names,
// or signing in to one client would sign the browser out of the others.
export function sessionCookieName(port: number, secure: boolean): string {
  return secure ? `__Host-cltv8-${port}-sid` : `cltv8-${port}-sid`;
}

/** HttpOnly, SameSite=Strict, Path=/; Secure when the request came over HTTPS (directly or via a trusted proxy). */
export function consoleCookieOptions(req: Request): CookieOptions {
  return { httpOnly: true, sameSite: 'strict', path: '/', secure: req.secure };
}

const attached = new WeakMap<Request, ConsoleSession>();

/** The signed-in session of this request, if any. */
export function sessionOf(req: Request): ConsoleSession | undefined {
  return attached.get(req);
}

/** Needs cookie-parser before it. Never rejects: it only finds the session when there is one. */
export function loadSession(store: SessionStore, port: number): RequestHandler {
  return (req, _res, next) => {
    const cookies = (req.cookies ?? {}) as Record<string, unknown>;
    const id = cookies[sessionCookieName(port, req.secure)];
    const session = store.touch(typeof id === 'string' ? id : undefined);
    if (session) attached.set(req, session);
    next();
  };
}

export function requireSession(): RequestHandler {
  return (req, _res, next) => {
    if (!attached.has(req)) {
      next(
        new AppError(
          'unauthorized',
          'sessão inexistente ou expirada: entre novamente com a senha do console',
        ),
      );
      return;
    }
    next();
  };
}

/** Replaces any session of this request with a fresh one (a new id at every sign-in). */
export function startSession(store: SessionStore, port: number, req: Request, res: Response): ConsoleSession {
  const previous = attached.get(req);
  if (previous) store.destroy(previous.id);
  const session = store.create();
  attached.set(req, session);
  res.cookie(sessionCookieName(port, req.secure), session.id, consoleCookieOptions(req));
  return session;
}

export function endSession(store: SessionStore, port: number, req: Request, res: Response): void {
  const session = attached.get(req);
  if (session) store.destroy(session.id);
  attached.delete(req);
  res.clearCookie(sessionCookieName(port, req.secure), consoleCookieOptions(req));
}
