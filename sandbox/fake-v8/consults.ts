import { randomUUID } from 'node:crypto';
import type { Account } from './accounts.ts';
import { consultWebhook } from './consult-views.ts';
import type { FakeContext } from './context.ts';
import { addMonths, ageAt, isoDate } from './dates.ts';
import { problem, ReplyError } from './http-util.ts';
import { RATE_LIMIT_MESSAGE } from './rate-limit.ts';
import { BIRTH_DATE_MISMATCH, type Scenario } from './scenarios.ts';
import type { ConsultStatus } from './statuses.ts';

export interface ConsultInput {
  documentNumber: string;
  gender: string;
  birthDate: string;
  name: string;
  email: string;
  phone: { countryCode: string; areaCode: string; phoneNumber: string };
  provider: string;
  regionCode?: string;
}

export interface SimulationLimit {
  monthMin: number;
  monthMax: number;
  installmentsMin: number;
  installmentsMax: number;
  valueMin: number;
  valueMax: number;
}

/** What V8 knows once the payroll source answered (SUCCESS, or a hang with a margin). */
export interface ConsultResult {
  availableMarginValue: string;
  marginBaseValue: string;
  consultEligible: boolean;
  admissionDate: string;
  admissionDateMonthsDifference: number;
  employerDocumentNumber: string;
  employerName: string;
  workerCategoryCode: number;
  registrationNumber: string;
  simulationLimit: SimulationLimit;
  recommendedSimulationInstallmentValue: string;
}

export interface Consult extends ConsultInput {
  id: string;
  account: string;
  partnerId: string;
  status: ConsultStatus;
  description: string | null;
  createdAt: number;
  updatedAt: number;
  scenario: Scenario;
  result: ConsultResult | null;
  history: { status: ConsultStatus; at: string }[];
  /** Authorize calls received (scenario.ignoredAuthorizations drops the first ones). */
  authorizeCalls: number;
  /** Simulations refused with "ainda em análise" so far (scenario.analysisPendingSimulations). */
  analysisRefusals: number;
}

/** A consult that already exists at V8 (made before the test, elsewhere): see ConsultStore.seed. */
export interface SeedConsult {
  cpf: string;
  status: 'SUCCESS' | 'REJECTED' | 'FAILED';
  /** REJECTED/FAILED reason (default: the scenario's, else a generic one). */
  description?: string;
  /** What the consult was made with (default 1990-01-31 / the scenario's name). */
  birthDate?: string;
  name?: string;
  /** How long ago it was created (default 1 day). */
  ageDays?: number;
}

export interface ConsultFilter {
  startDate?: number;
  endDate?: number;
  search?: string;
  status?: string;
  provider?: string;
}

const NEXT: Partial<Record<ConsultStatus, ConsultStatus>> = {
  CONSENT_APPROVED: 'WAITING_CONSULT',
  WAITING_CONSULT: 'WAITING_CREDIT_ANALYSIS',
};

export const TERMINAL_CONSULT: ReadonlySet<ConsultStatus> = new Set(['SUCCESS', 'REJECTED', 'FAILED']);

export const consultNotFound = (): ReplyError =>
  new ReplyError(problem(404, 'consult_not_found', 'Consulta não encontrada.'));

function buildResult(c: Consult, margin: string, now: number): ConsultResult {
  const s = c.scenario;
  const months = s.admissionDateMonthsDifference ?? 38;
  const installmentsMax = s.installmentsMax ?? 96;
  const marginNum = Number(margin);
  return {
    availableMarginValue: margin,
    marginBaseValue: (marginNum / 0.35).toFixed(2),
    consultEligible: marginNum > 0,
    admissionDate: isoDate(addMonths(now, -months)),
    admissionDateMonthsDifference: months,
    employerDocumentNumber: '11222333000181',
    employerName: 'EMPRESA FICTICIA DE TESTES LTDA',
    workerCategoryCode: 101,
    registrationNumber: `M${c.documentNumber.slice(3, 9)}`,
    simulationLimit: {
      monthMin: 6,
      monthMax: installmentsMax,
      installmentsMin: 6,
      installmentsMax,
      valueMin: 500,
      valueMax: s.valueMax ?? 25_000,
    },
    recommendedSimulationInstallmentValue: margin,
  };
}

/** Consults of all accounts; every public method is scoped to one account. */
export class ConsultStore {
  private consults = new Map<string, Consult>();
  private readonly ctx: FakeContext;

  constructor(ctx: FakeContext) {
    this.ctx = ctx;
  }

  create(account: Account, input: ConsultInput): Consult {
    const { clock, config } = this.ctx;
    const now = clock.now();
    const activeSince = now - config.consultActiveDays * 86_400_000;
    const active = [...this.consults.values()].find(
      (c) =>
        c.account === account.username &&
        c.documentNumber === input.documentNumber &&
        c.status !== 'REJECTED' &&
        c.status !== 'FAILED' &&
        c.createdAt > activeSince,
    );
    if (active) {
      throw new ReplyError(
        problem(
          400,
          'consult_already_exists_by_user_and_document_number',
          'Já existe uma consulta ativa para este documento.',
        ),
      );
    }
    if (ageAt(input.birthDate, now) < 18) {
      throw new ReplyError(
        problem(400, 'age_validation_minimum_age_not_reached', 'Idade mínima de 18 anos não atingida.'),
      );
    }
    const waitMs = this.ctx.consultQuota.take(
      account.username,
      config.consultsPerHour,
      now,
      config.consultQuotaWindowS * 1000,
    );
    if (waitMs > 0) {
      this.ctx.stats.countRateLimited(account.username);
      this.ctx.stats.countQuotaRefused(account.username);
      throw new ReplyError({
        status: 429,
        json: { message: RATE_LIMIT_MESSAGE },
        headers: { 'retry-after': String(Math.ceil(waitMs / 1000)) },
      });
    }
    const scenario = this.ctx.scenarios.resolve(input.documentNumber);
    const consult: Consult = {
      ...input,
      id: randomUUID(),
      account: account.username,
      partnerId: account.partnerId,
      status: 'WAITING_CONSENT',
      description: null,
      createdAt: now,
      updatedAt: now,
      scenario,
      result: null,
      history: [{ status: 'WAITING_CONSENT', at: clock.iso() }],
      authorizeCalls: 0,
      analysisRefusals: 0,
    };
    this.consults.set(consult.id, consult);
    this.emit(consult);
    return consult;
  }

  authorize(account: string, id: string): void {
    const c = this.get(account, id);
    c.authorizeCalls++;
    if (c.status === 'WAITING_CONSENT' && c.authorizeCalls <= (c.scenario.ignoredAuthorizations ?? 0)) return;
    if (c.status !== 'WAITING_CONSENT') {
      throw new ReplyError(
        problem(400, 'consult_already_approved', `Termo de consentimento já aprovado. ID ${c.id}`),
      );
    }
    this.setStatus(c, 'CONSENT_APPROVED');
    this.scheduleNext(c);
  }

  get(account: string, id: string): Consult {
    const c = this.consults.get(id);
    if (!c || c.account !== account) throw consultNotFound();
    return c;
  }

  /** Newest first. */
  list(account: string, f: ConsultFilter): Consult[] {
    const search = f.search?.trim().toLowerCase();
    const digits = search?.replace(/\D/g, '');
    return [...this.consults.values()]
      .filter(
        (c) =>
          c.account === account &&
          (f.startDate === undefined || c.createdAt >= f.startDate) &&
          (f.endDate === undefined || c.createdAt <= f.endDate) &&
          (!f.status || c.status === f.status) &&
          (!f.provider || c.provider === f.provider) &&
          (!search ||
            (digits && digits.length === search.length
              ? c.documentNumber.includes(digits)
              : c.name.toLowerCase().includes(search))),
      )
      .sort((a, b) => b.createdAt - a.createdAt || b.history.length - a.history.length);
  }

  /** Any account's consult (simulations/operations resolve ids themselves). */
  byId(id: string): Consult | undefined {
    return this.consults.get(id);
  }

  all(): Consult[] {
    return [...this.consults.values()];
  }

  /**
   * Admin: a consult that already exists for the account, in a final status, created `ageDays` ago.
   * It does not count against the consult quota (it was made before) and sends no webhook.
   */
  seed(account: Account, s: SeedConsult): Consult {
    const now = this.ctx.clock.now();
    const createdAt = now - (s.ageDays ?? 1) * 86_400_000;
    const scenario = this.ctx.scenarios.resolve(s.cpf);
    const c: Consult = {
      documentNumber: s.cpf,
      gender: 'female',
      birthDate: s.birthDate ?? scenario.birthDate ?? '1990-01-31',
      name: s.name ?? scenario.name ?? 'CLIENTE CONSULTA EXISTENTE',
      email: `${s.cpf}@example.com`,
      phone: { countryCode: '55', areaCode: '11', phoneNumber: '912345678' },
      provider: 'QI',
      id: randomUUID(),
      account: account.username,
      partnerId: account.partnerId,
      status: s.status,
      description:
        s.status === 'SUCCESS'
          ? null
          : (s.description ??
            scenario.description ??
            'Trabalhador não elegível para o Crédito do Trabalhador'),
      createdAt,
      updatedAt: createdAt,
      scenario,
      result: null,
      history: [{ status: s.status, at: new Date(createdAt).toISOString() }],
      authorizeCalls: 0,
      analysisRefusals: 0,
    };
    if (s.status === 'SUCCESS')
      c.result = buildResult(c, scenario.availableMarginValue ?? '500.00', createdAt);
    this.consults.set(c.id, c);
    return c;
  }

  /** Admin: put a consult in a status now (SUCCESS fills the result from its scenario). */
  force(id: string, status: ConsultStatus, description?: string | null): Consult | undefined {
    const c = this.consults.get(id);
    if (!c) return undefined;
    this.ctx.scheduler.cancel('consult', id);
    if (status === 'SUCCESS')
      c.result = buildResult(c, c.scenario.availableMarginValue ?? '500.00', this.ctx.clock.now());
    this.setStatus(c, status, description ?? null);
    if (NEXT[status] || status === 'WAITING_CREDIT_ANALYSIS') this.scheduleNext(c);
    return c;
  }

  clear(): void {
    this.consults.clear();
  }

  private scheduleNext(c: Consult): void {
    this.ctx.scheduler.schedule('consult', c.id, this.ctx.config.stepMs, () => this.step(c.id));
  }

  private step(id: string): void {
    const c = this.consults.get(id);
    if (!c) return;
    const next = NEXT[c.status];
    if (next) {
      if (
        next === 'WAITING_CREDIT_ANALYSIS' &&
        c.scenario.outcome === 'hang' &&
        c.scenario.pendingMarginValue
      ) {
        c.result = buildResult(c, c.scenario.pendingMarginValue, this.ctx.clock.now());
      }
      this.setStatus(c, next);
      if (next !== 'WAITING_CREDIT_ANALYSIS' || c.scenario.outcome !== 'hang') this.scheduleNext(c);
      return;
    }
    if (c.status !== 'WAITING_CREDIT_ANALYSIS') return;
    const s = c.scenario;
    if (s.birthDate && s.birthDate !== c.birthDate) {
      this.setStatus(c, 'REJECTED', BIRTH_DATE_MISMATCH);
    } else if (s.outcome === 'success') {
      c.result = buildResult(c, s.availableMarginValue ?? '500.00', this.ctx.clock.now());
      this.setStatus(c, 'SUCCESS');
    } else if (s.outcome === 'rejected') {
      this.setStatus(c, 'REJECTED', s.description ?? 'Trabalhador não elegível');
    } else if (s.outcome === 'failed') {
      this.setStatus(c, 'FAILED', s.description ?? 'Falha no processamento da consulta');
    }
  }

  private setStatus(c: Consult, status: ConsultStatus, description: string | null = null): void {
    c.status = status;
    c.description = description;
    c.updatedAt = this.ctx.clock.now();
    c.history.push({ status, at: this.ctx.clock.iso() });
    this.emit(c);
  }

  private emit(c: Consult): void {
    this.ctx.webhooks.emit(c.account, 'consult', consultWebhook(c, this.ctx.clock.iso()));
  }
}
