import { randomUUID } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FakeClock } from './fake-clock.ts';
import type { RuntimeConfig } from './options.ts';
import type { Stats } from './stats.ts';

export type WebhookKind = 'consult' | 'operation';

/** One delivery attempt (redeliveries are separate entries with attempt > 1). */
export interface WebhookDelivery {
  id: string;
  kind: WebhookKind;
  /** The payload's `type`. */
  event: string;
  account: string;
  url: string;
  payload: Record<string, unknown>;
  attempt: number;
  /** Receiver's HTTP status; null on timeout / network error. */
  status: number | null;
  error: string | null;
  time: string;
  durationMs: number;
}

export interface WebhookRegistration {
  account: string;
  kind: WebhookKind;
  url: string;
  registeredAt: string;
}

export interface WebhookDeps {
  clock: FakeClock;
  config: RuntimeConfig;
  stats: Stats;
  maxLog: number;
  onLog: (line: Record<string, unknown>) => void;
}

/** Origin + path only: the query may carry the receiver's own secret. */
export function safeUrl(url: string): string {
  try {
    const u = new URL(url);
    // Receivers put a secret in the path (ours: /webhooks/v8/<secret>): keep only its first characters.
    const segments = u.pathname.split('/');
    const last = segments.pop() ?? '';
    const masked = last.length > 8 ? `${last.slice(0, 3)}***` : last;
    return `${u.origin}${[...segments, masked].join('/')}`;
  } catch {
    return '<invalid url>';
  }
}

/** POSTs JSON without pooling; resolves with the status, rejects on timeout or network error. */
function postJson(url: string, body: string, timeoutMs: number, signal: AbortSignal): Promise<number> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const lib = target.protocol === 'https:' ? https : http;
    const req = lib.request(
      target,
      {
        method: 'POST',
        agent: false,
        signal,
        headers: {
          'content-type': 'application/json',
          'content-length': String(Buffer.byteLength(body)),
          'user-agent': 'fake-v8-webhooks/1.0',
        },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', reject);
      },
    );
    const timer = setTimeout(() => req.destroy(new Error(`timeout after ${timeoutMs} ms`)), timeoutMs);
    req.on('close', () => clearTimeout(timer));
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Registered URLs per account and kind, and delivery: serial per (account, kind) so events
 * arrive in order, 2 s timeout, redelivery on non-2xx. Never throws into the caller.
 */
export class WebhookService {
  private readonly registrations = new Map<string, WebhookRegistration>();
  private readonly chains = new Map<string, Promise<void>>();
  private log: WebhookDelivery[] = [];
  private abort = new AbortController();
  private readonly deps: WebhookDeps;

  constructor(deps: WebhookDeps) {
    this.deps = deps;
  }

  register(account: string, kind: WebhookKind, url: string): WebhookRegistration {
    const reg: WebhookRegistration = { account, kind, url, registeredAt: this.deps.clock.iso() };
    this.registrations.set(`${account}|${kind}`, reg);
    const event = `private.consignment.${kind}`;
    this.enqueue(account, kind, { type: 'webhook.test', event, url, timestamp: this.deps.clock.iso() });
    this.enqueue(account, kind, { type: 'webhook.registered', event, url, timestamp: this.deps.clock.iso() });
    return reg;
  }

  registrationsList(): WebhookRegistration[] {
    return [...this.registrations.values()].map((r) => ({ ...r }));
  }

  /** Sends `payload` to the account's URL for `kind`, if one is registered. */
  emit(account: string, kind: WebhookKind, payload: Record<string, unknown>): void {
    if (this.registrations.has(`${account}|${kind}`)) this.enqueue(account, kind, payload);
  }

  deliveries(): WebhookDelivery[] {
    return structuredClone(this.log);
  }

  clearLog(): void {
    this.log = [];
  }

  /** Drops registrations, pending deliveries and the log. */
  reset(): void {
    this.abort.abort();
    this.abort = new AbortController();
    this.registrations.clear();
    this.chains.clear();
    this.log = [];
  }

  /** Resolves when every queued delivery has finished (or given up). */
  async idle(): Promise<void> {
    for (;;) {
      const pending = [...this.chains.values()];
      await Promise.all(pending);
      if ([...this.chains.values()].every((c) => pending.includes(c))) return;
    }
  }

  close(): void {
    this.abort.abort();
  }

  private enqueue(account: string, kind: WebhookKind, payload: Record<string, unknown>): void {
    const key = `${account}|${kind}`;
    const signal = this.abort.signal;
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev
      .then(() => this.deliver(account, kind, payload, signal))
      .catch(() => undefined)
      .finally(() => {
        if (this.chains.get(key) === next) this.chains.delete(key);
      });
    this.chains.set(key, next);
  }

  private async deliver(
    account: string,
    kind: WebhookKind,
    payload: Record<string, unknown>,
    signal: AbortSignal,
  ): Promise<void> {
    const { config } = this.deps;
    const max = Math.max(1, config.webhookMaxAttempts);
    for (let attempt = 1; attempt <= max && !signal.aborted; attempt++) {
      const url = this.registrations.get(`${account}|${kind}`)?.url;
      if (!url) return;
      const ok = await this.attempt(account, kind, url, payload, attempt, signal);
      if (ok || attempt === max) return;
      await sleep(config.webhookRetryMs * attempt, undefined, { signal });
    }
  }

  private async attempt(
    account: string,
    kind: WebhookKind,
    url: string,
    payload: Record<string, unknown>,
    attempt: number,
    signal: AbortSignal,
  ): Promise<boolean> {
    const started = performance.now();
    let status: number | null = null;
    let error: string | null = null;
    try {
      status = await postJson(url, JSON.stringify(payload), this.deps.config.webhookTimeoutMs, signal);
    } catch (err) {
      error = err instanceof Error ? err.message : String(err);
    }
    if (signal.aborted) return true;
    const ok = status !== null && status >= 200 && status < 300;
    const delivery: WebhookDelivery = {
      id: randomUUID(),
      kind,
      event: String(payload.type),
      account,
      url,
      payload: structuredClone(payload),
      attempt,
      status,
      error,
      time: this.deps.clock.iso(),
      durationMs: Math.round(performance.now() - started),
    };
    this.log.push(delivery);
    if (this.log.length > this.deps.maxLog) this.log.splice(0, this.log.length - this.deps.maxLog);
    this.deps.stats.countWebhook(ok);
    this.deps.onLog({
      kind: 'webhook',
      event: delivery.event,
      account,
      url: safeUrl(url),
      attempt,
      status,
      error,
    });
    return ok;
  }
}
