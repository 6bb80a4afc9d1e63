import type { FormFieldName } from '../../config/app-config.ts';

/** Values for the tenant's custom form fields, by our names; KENTRO_FORM_FIELDS maps them to field ids. */
export type KentroFieldValues = Partial<Record<FormFieldName, string | number | undefined>>;

/** An opportunity (CRM lead) as our code sees it; see reference §2.4.1 for the wire object. */
export interface KentroOpportunity {
  readonly id: number;
  /** By convention the client's name. */
  readonly title: string | undefined;
  readonly pipelineId: number | undefined;
  readonly stageId: number | undefined;
  /** 0 open, 1 won, 2 lost. */
  readonly status: number | undefined;
  /** By convention the CPF, possibly formatted. */
  readonly mainmail: string | undefined;
  readonly mainphone: string | undefined;
  readonly description: string | undefined;
  readonly valueCents: number | undefined;
  readonly responsibleId: number | undefined;
  readonly tags: readonly number[];
  /** Non-empty form values by field id ("null", null and blanks dropped). */
  readonly formsdata: Readonly<Record<string, string>>;
  /** The same values under our names, for the fields KENTRO_FORM_FIELDS maps. */
  readonly fields: Readonly<Partial<Record<FormFieldName, string>>>;
  /** formsdata exactly as Kentro answered it: the base of read-merge-write updates. */
  readonly rawFormsdata: Readonly<Record<string, unknown>>;
}

/** What we know of a lead when it is not in Kentro yet. */
export interface KentroNewLead {
  /** The client's name (Kentro requires a title). */
  readonly title: string;
  readonly phone?: string;
  readonly description?: string;
  readonly fields?: KentroFieldValues;
  /** Stage to create it in; default: the pipeline's entry stage (Kentro's choice). */
  readonly stageId?: number;
}

export interface KentroFindOrCreateResult {
  readonly id: number;
  readonly created: boolean;
  /** The opportunity that already existed (undefined when we just created it). */
  readonly opportunity: KentroOpportunity | undefined;
}

export interface KentroUpdate {
  /** Amount in reais (BRL); sent as integer cents. */
  readonly value?: number;
  readonly fields?: KentroFieldValues;
  readonly title?: string;
  readonly description?: string;
}

export interface KentroUpdateResult {
  readonly id: number;
  /** Fields the tenant has no form-field id for (absent from KENTRO_FORM_FIELDS): not written. */
  readonly skippedFields: readonly FormFieldName[];
}

export interface KentroTemplateMessage {
  /** Phone, any format; sent as 55+DDD+number. */
  readonly number: string;
  /** Default: KENTRO_WA_TEMPLATE_ID. */
  readonly templateId?: number;
  /** Template variables {{1}}, {{2}}… (newlines/tabs/runs of spaces are cleaned: Meta rejects them). */
  readonly params: readonly string[];
  readonly openNewChat?: boolean;
  readonly cancelIfAlreadyOpen?: boolean;
  readonly userId?: number;
  readonly markerId?: number;
  readonly message?: string;
}

export interface KentroTemplateResult {
  readonly message: string | undefined;
  /** Present when Kentro says which chat it opened/used (observed, not in the spec). */
  readonly chatId: number | undefined;
  readonly clientId: string | undefined;
  readonly kId: number | undefined;
}

/**
 * The Kentro CRM as the flow needs it. Every method throws `AppError` (codes: not_configured,
 * invalid_data, auth_failed, not_found, upstream_unavailable, upstream_error); messages never carry
 * the apiKey. There is deliberately no bare "create": creating without a lookup duplicates leads.
 */
export interface KentroClient {
  /**
   * The open opportunity whose CPF (mainmail or the cpf form field) matches, in the first of the
   * configured pipelines (KENTRO_PIPELINE_IDS, in order) that has one.
   */
  findOpportunityByCpf(cpf: string): Promise<KentroOpportunity | undefined>;
  getOpportunity(id: number): Promise<KentroOpportunity>;
  /** Looks the CPF up first and creates only when there is none. */
  findOrCreateOpportunity(cpf: string, lead: KentroNewLead): Promise<KentroFindOrCreateResult>;
  /** Read-merge-write: form fields not named here keep their values. */
  updateOpportunity(id: number, update: KentroUpdate): Promise<KentroUpdateResult>;
  /** Moves the opportunity and reads it back; throws when it is not in `stageId` afterwards. */
  changeOpportunityStage(id: number, stageId: number): Promise<KentroOpportunity>;
  insertOpportunityNote(id: number, text: string): Promise<void>;
  sendWaTemplate(message: KentroTemplateMessage): Promise<KentroTemplateResult>;
}
