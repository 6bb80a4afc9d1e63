import { setTimeout as delay } from 'node:timers/promises';
import type { KentroSettings } from '../../config/app-config.ts';
import { AppError, isAppError } from '../../domain/app-error.ts';
import type { CallObserver } from '../metrics/call-observer.ts';
import type {
  KentroClient,
  KentroFindOrCreateResult,
  KentroNewLead,
  KentroOpportunity,
  KentroTemplateMessage,
  KentroTemplateResult,
  KentroUpdate,
  KentroUpdateResult,
} from './kentro-client.ts';
import {
  brlToCents,
  emptyToUndefined,
  normalizeCpf,
  normalizePhone,
  requireCpf,
  sanitizeTemplateParam,
  toFormsdata,
  toOpportunity,
} from './kentro-mapping.ts';
import {
  type KentroLogger,
  type KentroRetryPolicy,
  KentroTransport,
  missingSettings,
  notConfigured,
} from './kentro-transport.ts';

export interface KentroClientOptions {
  readonly logger?: KentroLogger;
  readonly retry?: Partial<KentroRetryPolicy>;
  /** Injected so tests do not wait through backoff. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** Pause before the second read-back of a stage move that did not show yet (AF waits too). */
  readonly confirmDelayMs?: number;
  /** Told about every call that left (metrics). */
  readonly observe?: CallObserver;
}

const DEFAULT_RETRY: KentroRetryPolicy = { attempts: 3, baseDelayMs: 500, maxDelayMs: 4000 };

/** Builds the client; missing settings surface as `not_configured` on each call, not here. */
export function createKentroClient(
  settings: KentroSettings,
  options: KentroClientOptions = {},
): KentroClient {
  return new HttpKentroClient(settings, options);
}

function positiveInt(value: number, field: string): number {
  if (!Number.isInteger(value) || value <= 0)
    throw AppError.invalid([{ field, reason: 'must be a positive integer' }]);
  return value;
}

function idOf(operation: string, answer: unknown): number {
  const id = (answer as { id?: unknown } | undefined)?.id;
  if (typeof id === 'number' && Number.isInteger(id)) return id;
  if (typeof id === 'string' && /^\d+$/.test(id)) return Number(id);
  throw new AppError('upstream_error', `Kentro answered ${operation} without the opportunity id`, {
    detail: { operation },
  });
}

class HttpKentroClient implements KentroClient {
  private readonly settings: KentroSettings;
  private readonly options: KentroClientOptions;
  private readonly sleep: (ms: number) => Promise<void>;
  private transportInstance: KentroTransport | undefined;
  /** One lookup-then-create per CPF at a time in this process. */
  private readonly creating = new Map<string, Promise<KentroFindOrCreateResult>>();

  constructor(settings: KentroSettings, options: KentroClientOptions) {
    this.settings = settings;
    this.options = options;
    this.sleep = options.sleep ?? ((ms) => delay(ms));
  }

  private transport(): KentroTransport {
    if (this.transportInstance) return this.transportInstance;
    const s = this.settings;
    const missing = missingSettings(s);
    if (missing.length > 0 || !s.baseUrl || !s.apiKey || s.queueId === undefined)
      throw notConfigured(missing);
    this.transportInstance = new KentroTransport({
      baseUrl: s.baseUrl,
      apiKey: s.apiKey,
      queueId: s.queueId,
      timeoutMs: s.timeoutMs,
      retry: { ...DEFAULT_RETRY, ...this.options.retry },
      sleep: this.sleep,
      logger: this.options.logger,
      ...(this.options.observe ? { observe: this.options.observe } : {}),
    });
    return this.transportInstance;
  }

  private pipelineId(): number {
    const id = this.settings.pipelineId;
    if (id === undefined) throw notConfigured(['KENTRO_PIPELINE_ID']);
    return id;
  }

  async findOpportunityByCpf(cpf: string): Promise<KentroOpportunity | undefined> {
    const wanted = requireCpf(cpf);
    const cpfField = this.settings.lookup === 'formfield' ? this.settings.formFields.cpf : undefined;
    if (this.settings.lookup === 'formfield' && cpfField === undefined) {
      throw notConfigured(['KENTRO_FORM_FIELDS (cpf)'], 'Kentro lookup by form field');
    }
    const transport = this.transport();
    // The spec has no search and no paging: the whole pipeline (open opportunities) comes in one answer.
    const answer = await transport.call(
      'getPipeOpportunities',
      { pipelineId: this.pipelineId() },
      { read: true },
    );
    if (!Array.isArray(answer)) {
      throw new AppError(
        'upstream_error',
        'Kentro answered getPipeOpportunities with something other than a list',
        {
          detail: { operation: 'getPipeOpportunities' },
        },
      );
    }
    const matches = answer.filter((item: unknown) => {
      const o = (item ?? {}) as { mainmail?: unknown; formsdata?: Record<string, unknown> | null };
      const stored = cpfField === undefined ? o.mainmail : o.formsdata?.[cpfField];
      return normalizeCpf(stored) === wanted;
    });
    if (matches.length === 0) return undefined;
    const found = matches.map((m) => toOpportunity(m, this.settings.formFields)).sort((a, b) => a.id - b.id);
    if (found.length > 1) {
      this.options.logger?.warn('several Kentro opportunities share one CPF; using the oldest', {
        ids: found.map((o) => o.id),
      });
    }
    return found[0];
  }

  async getOpportunity(id: number): Promise<KentroOpportunity> {
    positiveInt(id, 'id');
    const answer = await this.transport().call('getOpportunity', { id }, { read: true });
    // Some integrators saw (or feared) a wrapper; the spec answers the object at the top level.
    const wrapped = answer as { id?: unknown; opportunity?: unknown; data?: unknown } | undefined;
    const body =
      wrapped && wrapped.id === undefined && typeof wrapped.opportunity === 'object'
        ? wrapped.opportunity
        : wrapped && wrapped.id === undefined && typeof wrapped.data === 'object'
          ? wrapped.data
          : answer;
    return toOpportunity(body, this.settings.formFields);
  }

  findOrCreateOpportunity(cpf: string, lead: KentroNewLead): Promise<KentroFindOrCreateResult> {
    let wanted: string;
    try {
      wanted = requireCpf(cpf);
    } catch (err) {
      return Promise.reject(err);
    }
    const inFlight = this.creating.get(wanted);
    if (inFlight) return inFlight;
    const run = this.lookupThenCreate(wanted, lead).finally(() => this.creating.delete(wanted));
    this.creating.set(wanted, run);
    return run;
  }

  private async lookupThenCreate(cpf: string, lead: KentroNewLead): Promise<KentroFindOrCreateResult> {
    const existing = await this.findOpportunityByCpf(cpf);
    if (existing) return { id: existing.id, created: false, opportunity: existing };
    try {
      const id = await this.createOpportunity(cpf, lead);
      return { id, created: true, opportunity: undefined };
    } catch (err) {
      // A timed-out or 5xx create may still have been applied: look again instead of creating twice.
      if (!isAppError(err) || err.code !== 'upstream_unavailable') throw err;
      const after = await this.findOpportunityByCpf(cpf).catch(() => undefined);
      if (after) {
        this.options.logger?.warn('Kentro createOpportunity failed but the opportunity exists', {
          id: after.id,
        });
        return { id: after.id, created: true, opportunity: undefined };
      }
      throw err;
    }
  }

  private async createOpportunity(cpf: string, lead: KentroNewLead): Promise<number> {
    const title = emptyToUndefined(lead.title);
    if (title === undefined) throw AppError.invalid([{ field: 'title', reason: 'required (client name)' }]);
    const { formsdata, skipped } = toFormsdata(lead.fields ?? {}, this.settings.formFields);
    const cpfField = this.settings.formFields.cpf;
    if (cpfField !== undefined) formsdata[cpfField] = cpf;
    if (skipped.length > 0) this.options.logger?.debug('kentro fields without form-field id', { skipped });
    const phone = normalizePhone(lead.phone);
    const description = emptyToUndefined(lead.description);
    const body: Record<string, unknown> = {
      fkPipeline: this.pipelineId(),
      // Required by the spec; 0 = nobody, as AF sends when no owner is configured.
      responsableid: this.settings.responsibleId ?? 0,
      title,
      mainmail: cpf,
      formsdata,
      ...(lead.stageId === undefined ? {} : { fkStage: positiveInt(lead.stageId, 'stageId') }),
      ...(phone === undefined ? {} : { mainphone: phone }),
      ...(description === undefined ? {} : { description }),
    };
    const transport = this.transport();
    return idOf('createOpportunity', await transport.call('createOpportunity', body, { read: false }));
  }

  async updateOpportunity(id: number, update: KentroUpdate): Promise<KentroUpdateResult> {
    positiveInt(id, 'id');
    const transport = this.transport();
    const body: Record<string, unknown> = { id };
    if (update.value !== undefined) body.value = brlToCents(update.value);
    if (update.title !== undefined) {
      const title = emptyToUndefined(update.title);
      if (title === undefined) throw AppError.invalid([{ field: 'title', reason: 'must not be empty' }]);
      body.title = title;
    }
    if (update.description !== undefined) body.description = update.description;
    const { formsdata, skipped } = toFormsdata(update.fields ?? {}, this.settings.formFields);
    if (Object.keys(formsdata).length > 0) {
      // Whether Kentro merges or replaces formsdata is undocumented: send the full merged object, which
      // is right under both behaviours.
      const current = await this.getOpportunity(id);
      body.formsdata = { ...current.rawFormsdata, ...formsdata };
    }
    if (Object.keys(body).length === 1) return { id, skippedFields: skipped };
    await transport.call('updateOpportunity', body, { read: false, allowEmpty: true });
    return { id, skippedFields: skipped };
  }

  async changeOpportunityStage(id: number, stageId: number): Promise<KentroOpportunity> {
    positiveInt(id, 'id');
    positiveInt(stageId, 'stageId');
    const transport = this.transport();
    try {
      await transport.call(
        'changeOpportunityStage',
        { id, destStageId: stageId },
        { read: false, allowEmpty: true },
      );
    } catch (err) {
      // Some tenants answer 400 when the opportunity already is in that stage.
      if (!isAppError(err) || err.code !== 'invalid_data') throw err;
      const now = await this.getOpportunity(id);
      if (now.stageId === stageId) return now;
      throw err;
    }
    let now = await this.getOpportunity(id);
    if (now.stageId !== stageId) {
      await this.sleep(this.options.confirmDelayMs ?? 1000);
      now = await this.getOpportunity(id);
    }
    if (now.stageId !== stageId) {
      throw new AppError(
        'upstream_error',
        `Kentro accepted moving opportunity ${id} to stage ${stageId}, but it is still in stage ${now.stageId ?? 'unknown'}`,
        {
          detail: {
            operation: 'changeOpportunityStage',
            opportunityId: id,
            expectedStageId: stageId,
            actualStageId: now.stageId,
          },
        },
      );
    }
    return now;
  }

  async insertOpportunityNote(id: number, text: string): Promise<void> {
    positiveInt(id, 'id');
    const note = text.trim();
    if (note === '') throw AppError.invalid([{ field: 'text', reason: 'must not be empty' }]);
    await this.transport().call('insertOpportunityNote', { id, note }, { read: false, allowEmpty: true });
  }

  async sendWaTemplate(message: KentroTemplateMessage): Promise<KentroTemplateResult> {
    const number = normalizePhone(message.number);
    if (number === undefined) throw AppError.invalid([{ field: 'number', reason: 'not a phone number' }]);
    const templateId = message.templateId ?? this.settings.waTemplateId;
    if (templateId === undefined) throw notConfigured(['KENTRO_WA_TEMPLATE_ID'], 'Kentro WhatsApp template');
    positiveInt(templateId, 'templateId');
    const transport = this.transport();
    const body: Record<string, unknown> = {
      number,
      templateId,
      data: message.params.map(sanitizeTemplateParam),
    };
    if (message.openNewChat !== undefined) body.openNewChat = message.openNewChat;
    if (message.cancelIfAlreadyOpen !== undefined) body.cancelIfAlreadyOpen = message.cancelIfAlreadyOpen;
    if (message.userId !== undefined) body.userId = positiveInt(message.userId, 'userId');
    if (message.markerId !== undefined) body.markerId = positiveInt(message.markerId, 'markerId');
    if (message.message !== undefined) body.message = message.message;
    const answer = (await transport.call('sendWaTemplate', body, { read: false, allowEmpty: true })) as
      | Record<string, unknown>
      | undefined;
    const int = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);
    const clientId = answer?.clientId;
    return {
      message: typeof answer?.message === 'string' ? answer.message : undefined,
      chatId: int(answer?.chatId) ?? int(answer?.fkChat),
      clientId: typeof clientId === 'string' || typeof clientId === 'number' ? String(clientId) : undefined,
      kId: int(answer?.kId),
    };
  }
}
