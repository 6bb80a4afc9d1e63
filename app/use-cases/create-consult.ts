import type { Clock } from '../adapters/clock.ts';
import type { Gender, V8Client } from '../adapters/v8/v8-client.ts';
import type { V8Provider } from '../config/app-config.ts';
import { isAppError } from '../domain/app-error.ts';
import type { SplitPhone } from '../domain/phone.ts';
import { listWindow } from '../domain/v8-list-window.ts';
import { isTerminalConsultStatus } from '../domain/v8-status.ts';
import type { EvidenceRecorder } from './evidence/consent-evidence.ts';

export interface CreateConsultCommand {
  readonly cpf: string;
  readonly name: string;
  readonly birthDate: string;
  readonly gender: Gender;
  readonly email: string;
  readonly phone: SplitPhone;
  readonly provider?: V8Provider | undefined;
}

export interface CreatedConsult {
  readonly id: string;
  readonly status: string;
  /** True when V8 already had an active consult for this CPF and we answered with it. */
  readonly existing: boolean;
}

const ACTIVE_CONSULT_TYPE = 'consult_already_exists_by_user_and_document_number';
const ACTIVE_CONSULT_TEXT = /j[áa] existe uma consulta ativa/i;
/** How far back we look for the consult V8 says is active. */
const LOOKUP_DAYS = 31;

function isActiveConsultConflict(err: unknown): boolean {
  if (!isAppError(err) || err.code !== 'already_exists') return false;
  const d = err.detail as { type?: string } | undefined;
  return d?.type === ACTIVE_CONSULT_TYPE || ACTIVE_CONSULT_TEXT.test(err.message);
}

/**
 * Creates the consent term. A POST is never repeated blindly: when V8 says an active consult
 * already exists for this CPF, we look it up (list with search=cpf) and answer with it.
 */
export async function createConsult(
  v8: V8Client,
  cmd: CreateConsultCommand,
  ctx: {
    readonly defaultProvider: V8Provider;
    readonly clock: Clock;
    /** Consent evidence of the caller (who, from where, consent proof) with what V8 answered. */
    readonly evidence?: EvidenceRecorder | undefined;
  },
): Promise<CreatedConsult> {
  const result = await createAtV8(v8, cmd, ctx);
  ctx.evidence?.record('consult_created', result.id, cmd.cpf, {
    id: result.id,
    status: result.status,
    existing: result.existing,
  });
  return result;
}

async function createAtV8(
  v8: V8Client,
  cmd: CreateConsultCommand,
  ctx: { readonly defaultProvider: V8Provider; readonly clock: Clock },
): Promise<CreatedConsult> {
  const provider = cmd.provider ?? ctx.defaultProvider;
  try {
    const created = await v8.createConsult({ ...cmd, provider });
    return { id: created.id, status: created.status, existing: false };
  } catch (err) {
    if (!isActiveConsultConflict(err)) throw err;
    const { startDate, endDate } = listWindow(undefined, undefined, ctx.clock.now(), LOOKUP_DAYS);
    const page = await v8.listConsults({ startDate, endDate, limit: 50, page: 1, provider, search: cmd.cpf });
    // `search` is free text: only exact CPF matches count; newest first, an open one preferred.
    const mine = page.items.filter((c) => c.documentNumber === cmd.cpf);
    const found = mine.find((c) => !isTerminalConsultStatus(c.status)) ?? mine[0];
    if (!found) throw err;
    return { id: found.id, status: found.status, existing: true };
  }
}
