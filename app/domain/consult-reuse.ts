/**
 * Reuse before you spend: before a new consult (one slot of V8's quota) the flow looks at the CPF's
 * consults in V8's list within FLOW_CONSULT_VALID_DAYS, as the old service did. The newest one decides:
 * - SUCCESS, or still in progress: reused (V8 would answer "already exists" to a new one anyway);
 * - REJECTED: the answer, at once, with V8's reason; unless V8 refused data the lead has since
 *   corrected (birth date, name): then a new consult with the new data;
 * - FAILED (V8 could not reach the payroll source), a consult closed "ainda em análise" (not an
 *   answer: V8 will decide on a new one) or nothing: a new consult.
 * Pure: the caller lists the consults and gives the lead.
 */

import { classifyConsultRefusal } from './v8-error-classification.ts';

export interface ExistingConsult {
  readonly id: string;
  readonly status: string;
  readonly description: string | null;
  /** ISO creation time at V8 (newest decides). */
  readonly createdAt: string | undefined;
  /** What the consult was made with: V8's fields, else what our own flow sent. */
  readonly birthDate: string | undefined;
  readonly name: string | undefined;
}

export interface LeadFacts {
  readonly birthDate: string;
  readonly name: string;
}

export type DataField = 'birthDate' | 'name';

export type ReuseDecision =
  | {
      readonly action: 'reuse';
      readonly consult: ExistingConsult;
      readonly why: 'success' | 'in_progress' | 'rejected';
    }
  | {
      readonly action: 'create';
      readonly why: 'none' | 'failed' | 'analysis_pending' | 'data_changed';
      /** data_changed: the refused fields the lead now has differently. */
      readonly changed?: readonly DataField[];
      readonly previous?: ExistingConsult;
    };

const FINAL_BAD = new Set(['FAILED', 'ERROR', 'CANCELED']);

/** The registration data a refusal text blames ("Data de nascimento não confere", "nome divergente"). */
export function refusedFields(description: string | null): DataField[] {
  const t = description ?? '';
  const out: DataField[] = [];
  if (/nascimento/i.test(t)) out.push('birthDate');
  if (/\bnome\b/i.test(t)) out.push('name');
  return out;
}

const day = (v: string) => v.trim().slice(0, 10);
const plainName = (v: string) =>
  v.normalize('NFD').replace(/\p{M}/gu, '').replace(/\s+/g, ' ').trim().toUpperCase();

function changedSince(c: ExistingConsult, lead: LeadFacts, fields: readonly DataField[]): DataField[] {
  return fields.filter((f) => {
    if (f === 'birthDate') return c.birthDate !== undefined && day(c.birthDate) !== day(lead.birthDate);
    return c.name !== undefined && plainName(c.name) !== plainName(lead.name);
  });
}

const time = (c: ExistingConsult) => Date.parse(c.createdAt ?? '') || 0;

export function reuseDecision(existing: readonly ExistingConsult[], lead: LeadFacts): ReuseDecision {
  const newest = [...existing].sort((a, b) => time(b) - time(a))[0];
  if (!newest) return { action: 'create', why: 'none' };
  const status = newest.status.toUpperCase();
  if (status === 'SUCCESS') return { action: 'reuse', consult: newest, why: 'success' };
  if (FINAL_BAD.has(status)) return { action: 'create', why: 'failed', previous: newest };
  if (status === 'REJECTED') {
    // Reusing it would answer "still in analysis" forever; the flow retries for a new consult.
    if (classifyConsultRefusal(status, newest.description)?.kind === 'analysis_pending') {
      return { action: 'create', why: 'analysis_pending', previous: newest };
    }
    // Without the data the consult was made with there is no sign it changed: V8's answer stands.
    const changed = changedSince(newest, lead, refusedFields(newest.description));
    return changed.length > 0
      ? { action: 'create', why: 'data_changed', changed, previous: newest }
      : { action: 'reuse', consult: newest, why: 'rejected' };
  }
  return { action: 'reuse', consult: newest, why: 'in_progress' };
}
