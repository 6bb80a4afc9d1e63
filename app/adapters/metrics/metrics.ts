import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { CallObservation } from './call-observer.ts';

/** Counts of the client's store, read once per scrape. */
export interface StoreCounts {
  /** Rows of the CRM outbox per status. */
  readonly outbox: Record<string, number>;
  /** Flows per outcome (running flows as "running"). */
  readonly flows: Record<string, number>;
  /** Batch items still to run (pending or running). */
  readonly batchItemsPending: number;
  /** Webhook events stored, and processed. */
  readonly webhookEvents: { readonly received: number; readonly processed: number };
}

/** What the metrics read at scrape time (cheap counts): nothing is kept twice. */
export interface MetricsSources {
  store?(): StoreCounts;
  /** V8 circuit breaker: closed, open or half_open. */
  breakerState?(): string;
  /** V8 calls waiting in the pacer's queue. */
  pacerQueue?(): number;
}

const BREAKER_STATES = ['closed', 'open', 'half_open'] as const;

/**
 * This client's Prometheus metrics (prom-client), one registry per runtime so that several apps in
 * one test process never mix their counts. Counters move on events; gauges are read from the
 * sources at scrape time.
 */
export class Metrics {
  readonly registry = new Registry();
  private readonly httpDuration: Histogram<'method' | 'route' | 'status'>;
  private readonly v8Calls: Counter<'operation' | 'outcome'>;
  private readonly v8Duration: Histogram<'operation'>;
  private readonly v8RateLimited: Counter;
  private readonly v8TokenRefreshes: Counter;
  private readonly kentroCalls: Counter<'operation' | 'outcome'>;
  private sources: MetricsSources = {};
  /** The store's counts for the scrape in progress (read at most once per scrape). */
  private counts: StoreCounts | undefined;

  constructor(labels: { readonly port: number }) {
    this.registry.setDefaultLabels({ client_port: String(labels.port) });
    collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.httpDuration = new Histogram({
      name: 'cltv8_http_request_duration_seconds',
      help: 'HTTP requests served, by route template and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.v8Calls = new Counter({
      name: 'cltv8_v8_calls_total',
      help: 'Calls to V8 by operation and outcome (HTTP status, or the network error code)',
      labelNames: ['operation', 'outcome'],
      registers,
    });
    this.v8Duration = new Histogram({
      name: 'cltv8_v8_call_duration_seconds',
      help: 'Duration of V8 calls (after the pacer let them go)',
      labelNames: ['operation'],
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    });
    this.v8RateLimited = new Counter({
      name: 'cltv8_v8_rate_limited_total',
      help: 'V8 answers 429 (rate limit or quota)',
      registers,
    });
    this.v8TokenRefreshes = new Counter({
      name: 'cltv8_v8_token_requests_total',
      help: 'Password-grant token requests sent to V8',
      registers,
    });
    this.kentroCalls = new Counter({
      name: 'cltv8_kentro_calls_total',
      help: 'Calls to Kentro by operation and outcome (HTTP status, or the network error code)',
      labelNames: ['operation', 'outcome'],
      registers,
    });
    const self = this;
    new Gauge({
      name: 'cltv8_v8_breaker_state',
      help: 'V8 circuit breaker: 1 for the current state',
      labelNames: ['state'],
      registers,
      collect() {
        const now = self.sources.breakerState?.();
        for (const s of BREAKER_STATES) this.set({ state: s }, now === s ? 1 : 0);
      },
    });
    new Gauge({
      name: 'cltv8_v8_pacer_queue',
      help: 'V8 calls waiting for a pacer slot',
      registers,
      collect() {
        this.set(self.sources.pacerQueue?.() ?? 0);
      },
    });
    new Gauge({
      name: 'cltv8_outbox_rows',
      help: 'CRM outbox rows by status (pending, parked, delivered)',
      labelNames: ['status'],
      registers,
      collect() {
        this.reset();
        for (const [status, n] of Object.entries(self.storeCounts()?.outbox ?? {})) this.set({ status }, n);
      },
    });
    new Gauge({
      name: 'cltv8_flows',
      help: 'CLT flows by outcome (running while not finished)',
      labelNames: ['outcome'],
      registers,
      collect() {
        this.reset();
        for (const [outcome, n] of Object.entries(self.storeCounts()?.flows ?? {})) this.set({ outcome }, n);
      },
    });
    new Gauge({
      name: 'cltv8_batch_items_pending',
      help: 'Batch items not yet finished (pending or running)',
      registers,
      collect() {
        this.set(self.storeCounts()?.batchItemsPending ?? 0);
      },
    });
    new Gauge({
      name: 'cltv8_webhook_events',
      help: 'V8 webhook events stored (received) and processed',
      labelNames: ['state'],
      registers,
      collect() {
        const w = self.storeCounts()?.webhookEvents ?? { received: 0, processed: 0 };
        this.set({ state: 'received' }, w.received);
        this.set({ state: 'processed' }, w.processed);
      },
    });
  }

  /** Wires the scrape-time sources (the store and the V8 stack exist after the metrics do). */
  readFrom(sources: MetricsSources): void {
    this.sources = { ...this.sources, ...sources };
  }

  private storeCounts(): StoreCounts | undefined {
    this.counts ??= this.sources.store?.();
    return this.counts;
  }

  observeHttp(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status: String(status) }, seconds);
  }

  readonly observeV8 = (o: CallObservation): void => {
    this.v8Calls.inc({ operation: o.operation, outcome: o.outcome });
    this.v8Duration.observe({ operation: o.operation }, o.seconds);
    if (o.outcome === '429') this.v8RateLimited.inc();
    if (o.operation === 'authenticate') this.v8TokenRefreshes.inc();
  };

  readonly observeKentro = (o: CallObservation): void => {
    this.kentroCalls.inc({ operation: o.operation, outcome: o.outcome });
  };

  async text(): Promise<string> {
    this.counts = undefined;
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
