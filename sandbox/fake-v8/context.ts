import { type Account, toAccounts } from './accounts.ts';
import { ConsultStore } from './consults.ts';
import { FakeClock } from './fake-clock.ts';
import { FaultStore } from './faults.ts';
import { OperationStore } from './operations.ts';
import { DEFAULTS, type FakeV8Options, type RuntimeConfig, runtimeFrom } from './options.ts';
import { HourlyQuota, RateWindow } from './rate-limit.ts';
import { RequestLog } from './request-log.ts';
import { ScenarioTable } from './scenarios.ts';
import { Scheduler } from './scheduler.ts';
import { SimulationStore } from './simulations.ts';
import { Stats } from './stats.ts';
import { TokenStore } from './tokens.ts';
import { WebhookService } from './webhooks.ts';

/** Everything one fake server instance holds; handed to every handler. */
export interface FakeContext {
  config: RuntimeConfig;
  audience: string;
  accounts: Map<string, Account>;
  clock: FakeClock;
  scheduler: Scheduler;
  scenarios: ScenarioTable;
  tokens: TokenStore;
  stats: Stats;
  requestLog: RequestLog;
  rate: RateWindow;
  consultQuota: HourlyQuota;
  faults: FaultStore;
  webhooks: WebhookService;
  consults: ConsultStore;
  simulations: SimulationStore;
  operations: OperationStore;
  /** Base URL for links handed out (formalization_url). */
  publicUrl(): string;
}

/** Wires the stores of one instance; `resetAll` brings it back to its start state. */
export function buildContext(opts: FakeV8Options, publicUrl: () => string) {
  const config = runtimeFrom(opts);
  const clock = new FakeClock(opts.clock);
  const stats = new Stats();
  const maxLog = opts.maxLogEntries ?? DEFAULTS.maxLogEntries;
  const onLog = opts.onLog ?? (() => {});
  const partial: Omit<FakeContext, 'consults' | 'operations'> = {
    config,
    audience: opts.audience ?? DEFAULTS.audience,
    accounts: toAccounts(opts.accounts ?? DEFAULTS.accounts, opts.clientId ?? DEFAULTS.clientId),
    clock,
    scheduler: new Scheduler(opts.autoAdvance ?? true),
    scenarios: new ScenarioTable(opts.scenarios, opts.scenarioFor),
    tokens: new TokenStore(clock),
    stats,
    requestLog: new RequestLog(maxLog),
    rate: new RateWindow(),
    consultQuota: new HourlyQuota(),
    faults: new FaultStore(),
    webhooks: new WebhookService({ clock, config, stats, maxLog, onLog }),
    simulations: new SimulationStore(),
    publicUrl,
  };
  const ctx = partial as FakeContext;
  ctx.consults = new ConsultStore(ctx);
  ctx.operations = new OperationStore(ctx);
  const initialConfig = { ...config };
  const resetAll = () => {
    ctx.scheduler.clear();
    ctx.consults.clear();
    ctx.simulations.clear();
    ctx.operations.clear();
    ctx.tokens.clear();
    ctx.webhooks.reset();
    ctx.faults.clear();
    ctx.requestLog.clear();
    ctx.stats.reset();
    ctx.rate.clear();
    ctx.consultQuota.clear();
    ctx.clock.resetOffset();
    ctx.scenarios.reset();
    Object.assign(ctx.config, initialConfig);
  };
  return { ctx, resetAll, onLog };
}
