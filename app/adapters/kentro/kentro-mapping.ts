import type { FormFieldName } from '../../config/app-config.ts';
import { AppError } from '../../domain/app-error.ts';
import type { KentroFieldValues, KentroOpportunity } from './kentro-client.ts';

/**
 * Pure conversions between our vocabulary and Kentro's conventions (reference §2.4.1, §2.8):
 * `mainmail` holds the CPF, `mainphone` is 55+DDD+number, `value` is in cents, `formsdata` is keyed
 * by 8-hex form-field ids with string values, and empty values may be absent, null or "null".
 */

const INT32_MAX = 2147483647;

/** Treats absent, null, blank and the literal strings "null"/"undefined" as empty. */
export function emptyToUndefined(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  const s = typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : undefined;
  if (s === undefined || s === '' || s === 'null' || s === 'undefined') return undefined;
  return s;
}

/**
 * CPF digits from a stored value that may be formatted ("123.456.789-09"), unformatted, a number, or
 * lost its leading zeros in a spreadsheet (9-10 digits). Anything with letters (an e-mail in
 * `mainmail`) is not a CPF.
 */
export function normalizeCpf(value: unknown): string | undefined {
  const s = emptyToUndefined(value);
  if (s === undefined || !/^[\d.\-\s/]+$/.test(s)) return undefined;
  const digits = s.replace(/\D/g, '');
  if (digits.length === 11) return digits;
  if (digits.length === 9 || digits.length === 10) return digits.padStart(11, '0');
  return undefined;
}

/** The CPF our callers pass in: must be 11 digits once punctuation is gone. */
export function requireCpf(value: string): string {
  const cpf = normalizeCpf(value);
  if (cpf === undefined || value.replace(/\D/g, '').length !== 11) {
    throw AppError.invalid([{ field: 'cpf', reason: 'must have 11 digits' }]);
  }
  return cpf;
}

/** Brazilian phone as Kentro stores it: digits, with the 55 country code. */
export function normalizePhone(value: string | undefined): string | undefined {
  const s = emptyToUndefined(value);
  if (s === undefined) return undefined;
  const digits = s.replace(/\D/g, '');
  if (digits.length === 10 || digits.length === 11) return `55${digits}`;
  if ((digits.length === 12 || digits.length === 13) && digits.startsWith('55')) return digits;
  return digits.length >= 8 ? digits : undefined;
}

/** BRL amount (reais) to the integer cents the spec asks for ("100,50 → 10050"). */
export function brlToCents(value: number): number {
  if (!Number.isFinite(value) || value < 0) {
    throw AppError.invalid([{ field: 'value', reason: 'must be a finite amount in reais, not negative' }]);
  }
  const cents = Math.round(value * 100);
  if (cents > INT32_MAX)
    throw AppError.invalid([{ field: 'value', reason: 'too large for Kentro (int32 cents)' }]);
  return cents;
}

/** A form value as Kentro stores it: a string; numbers with a dot as decimal separator. */
export function formValue(value: string | number): string {
  return typeof value === 'number' ? String(value) : value;
}

export interface MappedFields {
  readonly formsdata: Record<string, string>;
  /** Our names the tenant has no form field for (KENTRO_FORM_FIELDS): not written. */
  readonly skipped: FormFieldName[];
}

export function toFormsdata(
  fields: KentroFieldValues,
  formFields: Readonly<Partial<Record<FormFieldName, string>>>,
): MappedFields {
  const formsdata: Record<string, string> = {};
  const skipped: FormFieldName[] = [];
  for (const [name, value] of Object.entries(fields) as [FormFieldName, string | number | undefined][]) {
    if (value === undefined) continue;
    const id = formFields[name];
    if (id === undefined) skipped.push(name);
    else formsdata[id] = formValue(value);
  }
  return { formsdata, skipped };
}

/**
 * Meta rejects template parameters with newlines, tabs or 4+ consecutive spaces (error #132018), and the
 * send fails after Kentro already answered 200: clean them before sending.
 */
export function sanitizeTemplateParam(value: string): string {
  return value
    .replace(/[\r\n\t]+/g, ' ')
    .replace(/ {4,}/g, '   ')
    .trim();
}

function asInt(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^-?\d+$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

function asTags(value: unknown): number[] {
  // AF copes with tags as a comma-separated string; do the same.
  const items = Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : [];
  return items.map(asInt).filter((n): n is number => n !== undefined);
}

function asFormsdata(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {};
  return value as Record<string, unknown>;
}

/** Our view of an OpportunityObject; `raw` keeps the untouched answer for read-merge-write. */
export function toOpportunity(
  raw: unknown,
  formFields: Readonly<Partial<Record<FormFieldName, string>>>,
): KentroOpportunity {
  const o = (raw !== null && typeof raw === 'object' ? raw : {}) as Record<string, unknown>;
  const id = asInt(o.id);
  if (id === undefined) {
    throw new AppError('upstream_error', 'Kentro answered an opportunity without a numeric id', {
      detail: { fields: Object.keys(o).slice(0, 20) },
    });
  }
  const rawForms = asFormsdata(o.formsdata);
  const formsdata: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawForms)) {
    const s = emptyToUndefined(v);
    if (s !== undefined) formsdata[k] = s;
  }
  const fields: Partial<Record<FormFieldName, string>> = {};
  for (const [name, fieldId] of Object.entries(formFields) as [FormFieldName, string][]) {
    const v = formsdata[fieldId];
    if (v !== undefined) fields[name] = v;
  }
  return {
    id,
    title: emptyToUndefined(o.title),
    pipelineId: asInt(o.fkPipeline),
    stageId: asInt(o.fkStage),
    status: asInt(o.status),
    mainmail: emptyToUndefined(o.mainmail),
    mainphone: emptyToUndefined(o.mainphone),
    description: emptyToUndefined(o.description),
    valueCents: asInt(o.value),
    responsibleId: asInt(o.responsableid),
    tags: asTags(o.tags),
    formsdata,
    fields,
    rawFormsdata: rawForms,
  };
}
