import type { Clock } from '../../adapters/clock.ts';
import type { V8TokenCache, V8TokenSource } from '../../adapters/v8/v8-token-cache.ts';
import type { AppConfig } from '../../config/app-config.ts';
import type { FlowOutcome, FlowStepName, FlowViewStatus } from '../../domain/flow-steps.ts';
import { describeHealth } from '../describe-health.ts';
import type { FlowDeps } from '../flow/flow-deps.ts';
import { listFlows } from '../flow/start-flow.ts';

/** Recent flows the "Painel" shows; the full history stays in GET /api/v1/flows. */
export const DASHBOARD_FLOWS = 25;
export const DASHBOARD_BATCHES = 10;

export interface DashboardHealth {
  readonly status: 'ok';
  readonly version: string;
  readonly uptimeS: number;
  readonly startedAt: string;
}

export interface DashboardToken {
  readonly held: boolean;
  readonly expiresAt: string | null;
  /** Masked ("op******@corban.example"); the token itself never leaves the server. */
  readonly username: string | null;
  readonly source: V8TokenSource;
}

/** One row of the recent-flows table: the outcome and why, not the step-by-step detail. */
export interface DashboardFlow {
  readonly id: string;
  readonly cpf: string;
  readonly status: FlowViewStatus;
  readonly active: boolean;
  readonly outcome: FlowOutcome | null;
  readonly reason: string | null;
  readonly currentStep: FlowStepName | null;
  readonly margin: number | null;
  /** The flow's consult (its consent evidence page is /config-v8/evidencias/<id>). */
  readonly consultId: string | null;
  readonly fromBatch: boolean;
  /** Last transient error of a flow still retrying. */
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly finishedAt: string | null;
}

export interface DashboardSection<T> {
  /** False when this build or configuration has no such runtime (e.g. no store): the page says so. */
  readonly available: boolean;
  readonly items: T[];
}

export interface DashboardView<B> {
  readonly generatedAt: string;
  readonly health: DashboardHealth;
  /** null: this app has no V8 stack at all. */
  readonly token: DashboardToken | null;
  readonly flows: DashboardSection<DashboardFlow>;
  readonly batches: DashboardSection<B>;
}

export interface DashboardDeps<B> {
  /** The effective config (a login saved in the console shows at once). */
  readonly config: () => AppConfig;
  readonly clock: Clock;
  readonly startedAt: number;
  readonly tokens?: Pick<V8TokenCache, 'status'> | undefined;
  readonly flow?: Pick<FlowDeps, 'store'> | undefined;
  /** The latest batches, newest first; undefined when batches are not available. */
  readonly batches?: ((limit: number) => B[]) | undefined;
}

/** What the console's "Painel" shows in one read: health, V8 token, recent flows, batches. */
export function describeDashboard<B>(deps: DashboardDeps<B>): DashboardView<B> {
  const health = describeHealth(deps.config(), deps.clock, deps.startedAt);
  const token = deps.tokens?.status();
  const flows = deps.flow
    ? listFlows(deps.flow, { limit: DASHBOARD_FLOWS }).map(
        (f): DashboardFlow => ({
          id: f.id,
          cpf: f.cpf,
          status: f.status,
          active: f.active,
          outcome: f.outcome,
          reason: f.reason,
          currentStep: f.currentStep,
          margin: f.consult?.margin ?? null,
          consultId: f.consult?.id ?? null,
          fromBatch: f.batchItemId !== null,
          lastError: f.active ? f.lastError : null,
          createdAt: f.createdAt,
          finishedAt: f.finishedAt,
        }),
      )
    : [];
  return {
    generatedAt: new Date(deps.clock.now()).toISOString(),
    health: {
      status: health.status,
      version: health.version,
      uptimeS: health.uptimeS,
      startedAt: health.startedAt,
    },
    token: token
      ? { held: token.held, expiresAt: token.expiresAt, username: token.username, source: token.source }
      : null,
    flows: { available: deps.flow !== undefined, items: flows },
    batches: {
      available: deps.batches !== undefined,
      items: deps.batches ? deps.batches(DASHBOARD_BATCHES) : [],
    },
  };
}
