import { consultDetail } from './consult-views.ts';
import type { SeedConsult } from './consults.ts';
import type { FakeContext } from './context.ts';
import { type Fault, type FaultSpec, validateFaultSpec } from './faults.ts';
import { operationDetail } from './operation-routes.ts';
import { applyRuntime, type RuntimeConfig } from './options.ts';
import type { LoggedRequest, RequestFilter } from './request-log.ts';
import type { Scenario } from './scenarios.ts';
import type { AdvanceOptions } from './scheduler.ts';
import type { FakeV8Stats } from './stats.ts';
import type { ConsultStatus, OperationStatus } from './statuses.ts';
import type { WebhookDelivery, WebhookRegistration } from './webhooks.ts';

export interface FakeV8State {
  now: string;
  config: RuntimeConfig;
  consults: Record<string, unknown>[];
  simulations: { id: string; account: string; consultId: string; response: Record<string, unknown> }[];
  operations: Record<string, unknown>[];
  webhookRegistrations: WebhookRegistration[];
  /** Token values are shortened: enough to correlate with request logs, not to reuse. */
  tokens: { token: string; username: string; expiresAt: string; revoked: boolean }[];
  pendingSteps: number;
}

/** What tests can do to a running fake (the handle's methods; `/__admin/*` mirrors them). */
export interface FakeV8Control {
  requests(filter?: RequestFilter): LoggedRequest[];
  clearRequests(): void;
  stats(): FakeV8Stats;
  reset(): void;
  setFault(spec: FaultSpec): Fault;
  faults(): Fault[];
  removeFault(id: string): boolean;
  clearFaults(): void;
  revokeTokens(username?: string): number;
  expireTokens(username?: string): number;
  advanceClock(ms: number): string;
  advance(opts?: AdvanceOptions): number;
  webhooks(): WebhookDelivery[];
  clearWebhooks(): void;
  webhooksIdle(): Promise<void>;
  config(): RuntimeConfig;
  configure(patch: Partial<RuntimeConfig>): RuntimeConfig;
  scenarios(): Record<string, Scenario>;
  setScenario(cpf: string, scenario: Scenario): void;
  setConsultStatus(
    id: string,
    status: ConsultStatus,
    description?: string | null,
  ): Record<string, unknown> | null;
  setOperationStatus(
    id: string,
    status: OperationStatus,
    description?: string | null,
  ): Record<string, unknown> | null;
  /** A consult that already exists at V8 for `username` (default the first account); see ConsultStore.seed. */
  seedConsult(s: SeedConsult, username?: string): Record<string, unknown>;
  state(): FakeV8State;
}

/** Test/admin control of one fake instance. The handle and `/__admin/*` both call this. */
export class FakeV8Admin implements FakeV8Control {
  protected readonly ctx: FakeContext;
  private readonly resetAll: () => void;

  constructor(ctx: FakeContext, resetAll: () => void) {
    this.ctx = ctx;
    this.resetAll = resetAll;
  }

  requests(filter: RequestFilter = {}): LoggedRequest[] {
    return this.ctx.requestLog.list(filter);
  }

  clearRequests(): void {
    this.ctx.requestLog.clear();
  }

  stats(): FakeV8Stats {
    return this.ctx.stats.snapshot();
  }

  /** Back to the start state: data, tokens, faults, logs, stats, clock offset, config, scenarios. */
  reset(): void {
    this.resetAll();
  }

  setFault(spec: FaultSpec): Fault {
    const errors = validateFaultSpec(spec);
    if (errors.length > 0) throw new Error(`invalid fault: ${errors.join('; ')}`);
    return structuredClone(this.ctx.faults.add(spec));
  }

  faults(): Fault[] {
    return this.ctx.faults.list();
  }

  removeFault(id: string): boolean {
    return this.ctx.faults.remove(id);
  }

  clearFaults(): void {
    this.ctx.faults.clear();
  }

  /** Every live token (or one account's) answers 401 from now on. Returns how many. */
  revokeTokens(username?: string): number {
    return this.ctx.tokens.revoke(username);
  }

  /** Every live token (or one account's) is expired now. Returns how many. */
  expireTokens(username?: string): number {
    return this.ctx.tokens.expire(username);
  }

  /** Moves the fake clock (token expiry, dates, quotas). Returns the new time (ISO). */
  advanceClock(ms: number): string {
    this.ctx.clock.advance(ms);
    return this.ctx.clock.iso();
  }

  /** Fires pending consult/operation steps now; returns how many fired. */
  advance(opts: AdvanceOptions = {}): number {
    return this.ctx.scheduler.advance(opts);
  }

  webhooks(): WebhookDelivery[] {
    return this.ctx.webhooks.deliveries();
  }

  clearWebhooks(): void {
    this.ctx.webhooks.clearLog();
  }

  /** Resolves once every queued webhook delivery has finished. */
  webhooksIdle(): Promise<void> {
    return this.ctx.webhooks.idle();
  }

  config(): RuntimeConfig {
    return { ...this.ctx.config };
  }

  /** Changes runtime settings; throws on unknown keys or bad values. */
  configure(patch: Partial<RuntimeConfig>): RuntimeConfig {
    const probe = { ...this.ctx.config };
    const rejected = applyRuntime(probe, patch as Record<string, unknown>);
    if (rejected.length > 0) throw new Error(`invalid config keys/values: ${rejected.join(', ')}`);
    Object.assign(this.ctx.config, probe);
    return this.config();
  }

  scenarios(): Record<string, Scenario> {
    return this.ctx.scenarios.entries();
  }

  /** Applies to consults created afterwards. */
  setScenario(cpf: string, scenario: Scenario): void {
    this.ctx.scenarios.set(cpf, scenario);
  }

  seedConsult(s: SeedConsult, username?: string): Record<string, unknown> {
    const account = username ? this.ctx.accounts.get(username) : [...this.ctx.accounts.values()][0];
    if (!account) throw new Error(`fake V8: no account ${username ?? '(none configured)'}`);
    return consultDetail(this.ctx.consults.seed(account, s));
  }

  setConsultStatus(
    id: string,
    status: ConsultStatus,
    description?: string | null,
  ): Record<string, unknown> | null {
    const c = this.ctx.consults.force(id, status, description);
    return c ? consultDetail(c) : null;
  }

  setOperationStatus(
    id: string,
    status: OperationStatus,
    description?: string | null,
  ): Record<string, unknown> | null {
    const op = this.ctx.operations.force(id, status, description);
    return op ? operationDetail(op, this.ctx.publicUrl()) : null;
  }

  state(): FakeV8State {
    const { ctx } = this;
    return {
      now: ctx.clock.iso(),
      config: this.config(),
      consults: ctx.consults
        .all()
        .map((c) => ({ ...consultDetail(c), account: c.account, scenario: c.scenario.label })),
      simulations: ctx.simulations.all().map((s) => ({
        id: s.id,
        account: s.account,
        consultId: s.consultId,
        response: structuredClone(s.response),
      })),
      operations: ctx.operations.all().map((o) => ({
        ...operationDetail(o, ctx.publicUrl()),
        account: o.account,
        body_shape: o.bodyShape,
      })),
      webhookRegistrations: ctx.webhooks.registrationsList(),
      tokens: ctx.tokens.list().map((t) => ({
        token: `${t.token.slice(0, 12)}…${t.token.slice(-6)}`,
        username: t.username,
        expiresAt: new Date(t.expiresAt).toISOString(),
        revoked: t.revoked,
      })),
      pendingSteps: ctx.scheduler.size(),
    };
  }
}
