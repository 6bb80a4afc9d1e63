import type { OperationBorrower, V8OperationCreated } from '../../adapters/v8/v8-client.ts';
import type { FormFieldName } from '../../config/app-config.ts';
import { AppError, isAppError } from '../../domain/app-error.ts';
import { listWindow } from '../../domain/v8-list-window.ts';
import { crmItem, enqueueAll } from '../outbox/crm-updates.ts';
import type { FlowDeps } from './flow-deps.ts';

/** Borrower data the caller may give instead of (or over) the lead's Kentro form fields. */
export interface ProposalOverrides {
  readonly name?: string | undefined;
  readonly email?: string | undefined;
  readonly motherName?: string | undefined;
  readonly rg?: string | undefined;
  readonly rgIssuer?: string | undefined;
  readonly rgIssueDate?: string | undefined;
  readonly maritalStatus?: 'single' | 'married' | 'divorced' | 'widowed' | undefined;
  readonly street?: string | undefined;
  readonly houseNumber?: string | undefined;
  readonly complement?: string | undefined;
  readonly neighborhood?: string | undefined;
  readonly city?: string | undefined;
  readonly state?: string | undefined;
  readonly postalCode?: string | undefined;
  readonly pixKey?: string | undefined;
  readonly pixKeyType?: 'cpf' | 'email' | 'phone' | 'random' | undefined;
}

export interface ProposalResult {
  readonly operationId: string;
  readonly status: string;
  readonly formalizationUrl: string | null;
  /** True when an unknown outcome was resolved by reading V8's list (no second create). */
  readonly recovered: boolean;
}

/** pt-BR names of the fields, for the broker's note. */
const LABELS: Record<string, string> = {
  name: 'nome',
  email: 'e-mail',
  motherName: 'nome da mãe',
  rg: 'RG',
  rgIssuer: 'órgão emissor do RG',
  rgIssueDate: 'data de emissão do RG',
  maritalStatus: 'estado civil',
  street: 'endereço (rua)',
  houseNumber: 'número',
  neighborhood: 'bairro',
  city: 'cidade',
  state: 'UF',
  postalCode: 'CEP',
  pixKey: 'chave PIX',
};

function pixTypeOf(key: string, cpf: string): 'cpf' | 'email' | 'phone' | 'random' {
  if (key.includes('@')) return 'email';
  const digits = key.replace(/\D/g, '');
  if (digits === cpf) return 'cpf';
  if (/^\+?[\d\s()-]+$/.test(key) && digits.length >= 10) return 'phone';
  return 'random';
}

/** Kentro form value of one of our names (KENTRO_FORM_FIELDS), trimmed; undefined when empty. */
function formValue(
  formsdata: Readonly<Record<string, string>>,
  formFields: Readonly<Partial<Record<FormFieldName, string>>>,
  name: FormFieldName,
): string | undefined {
  const id = formFields[name];
  const v = id === undefined ? undefined : formsdata[id];
  const s = v?.trim();
  return s === undefined || s === '' || s === 'null' ? undefined : s;
}

/**
 * Builds the V8 operation of a flow from its chosen simulation, the lead's Kentro data and the
 * caller's overrides, and creates it once. Missing data answers 422 naming every field, leaves a
 * note and moves the lead to the needs-data stage; V8 is never called with partial data. An unknown
 * outcome of the create (timeout, 5xx) is resolved by listing V8's operations for the CPF: a second
 * create could mean a second contract.
 */
export async function createProposal(
  deps: FlowDeps,
  formFields: Readonly<Partial<Record<FormFieldName, string>>>,
  flowId: string,
  overrides: ProposalOverrides,
): Promise<ProposalResult> {
  const { store, clock } = deps;
  const flow = store.flows.get(flowId);
  if (!flow) throw new AppError('not_found', `flow ${flowId} not found`);
  const existing = store.operations.byFlow(flowId)[0];
  if (existing) {
    throw new AppError(
      'conflict',
      `flow ${flowId} already has operation ${existing.id} (${existing.status})`,
    );
  }
  const simulation = flow.simulationId === null ? undefined : store.simulations.get(flow.simulationId);
  if (!simulation?.v8SimulationId || !flow.lead) {
    throw new AppError('conflict', `flow ${flowId} has no chosen simulation: nothing to propose`);
  }
  const lead = flow.lead;
  const opp = flow.opportunityId === null ? undefined : await deps.kentro.getOpportunity(flow.opportunityId);
  const form = opp?.formsdata ?? {};
  const pick = (over: string | undefined, name?: FormFieldName): string | undefined =>
    over?.trim() || (name ? formValue(form, formFields, name) : undefined);
  const v = {
    name: pick(overrides.name) ?? lead.name,
    email: pick(overrides.email) ?? lead.email,
    motherName: pick(overrides.motherName, 'motherName'),
    rg: pick(overrides.rg, 'rg'),
    rgIssuer: pick(overrides.rgIssuer),
    rgIssueDate: pick(overrides.rgIssueDate),
    maritalStatus: overrides.maritalStatus,
    street: pick(overrides.street, 'street'),
    houseNumber: pick(overrides.houseNumber, 'houseNumber'),
    neighborhood: pick(overrides.neighborhood, 'neighborhood'),
    city: pick(overrides.city, 'city'),
    state: pick(overrides.state, 'state'),
    postalCode: pick(overrides.postalCode, 'cep')?.replace(/\D/g, ''),
    pixKey: pick(overrides.pixKey, 'pixKey'),
  };
  const missing = Object.entries(v)
    .filter(([, value]) => value === undefined || value === '')
    .map(([k]) => k);
  if (missing.length > 0) {
    const now = clock.now();
    if (flow.opportunityId !== null) {
      const stageId = deps.settings.stages.needsData ?? deps.settings.stages.failed;
      const scope = `proposal:${flowId}:${now}`;
      const text = `Crédito do Trabalhador: não foi possível gerar a proposta. Faltam: ${missing
        .map((m) => LABELS[m] ?? m)
        .join(', ')}.`;
      const items = [
        crmItem(scope, 'note:missing', 'note', flow.opportunityId, { text }, flowId),
        stageId === undefined
          ? undefined
          : crmItem(
              scope,
              'stage:needsData',
              'stage',
              flow.opportunityId,
              { stageId, stage: 'needsData' },
              flowId,
            ),
      ];
      const queued = store.tx(() => enqueueAll(store, items, now));
      if (queued.length > 0) store.signals.emit('outbox-enqueued');
    }
    throw new AppError('rejected', `proposal data missing: ${missing.join(', ')}`, {
      status: 422,
      fields: missing.map((field) => ({ field, reason: 'missing (not in Kentro nor in the request)' })),
    });
  }
  const req = v as { [K in keyof typeof v]: NonNullable<(typeof v)[K]> };
  const borrower: OperationBorrower = {
    name: req.name,
    email: req.email,
    phone: lead.phone,
    politicallyExposed: false,
    address: {
      street: req.street,
      number: req.houseNumber,
      complement: overrides.complement,
      neighborhood: req.neighborhood,
      city: req.city,
      state: req.state,
      postalCode: req.postalCode,
    },
    birthDate: lead.birthDate,
    motherName: req.motherName,
    nationality: 'brazilian',
    documentIssuer: req.rgIssuer,
    gender: lead.gender,
    maritalStatus: req.maritalStatus,
    cpf: flow.cpf,
    identityDocument: { type: 'rg', number: req.rg, issueDate: req.rgIssueDate },
    bank: {
      transferMethod: 'pix',
      pixKey: req.pixKey,
      pixKeyType: overrides.pixKeyType ?? pixTypeOf(req.pixKey, flow.cpf),
    },
  };
  const provider = deps.provider();
  const startedAt = clock.now();
  let created: V8OperationCreated;
  let recovered = false;
  try {
    created = await deps.v8.createOperation({ simulationId: simulation.v8SimulationId, provider, borrower });
  } catch (err) {
    if (
      !isAppError(err) ||
      !['timeout', 'upstream_unavailable', 'upstream_error', 'internal'].includes(err.code)
    ) {
      throw err;
    }
    const found = await findCreated(deps, flow.cpf, startedAt);
    if (!found) throw err;
    created = found;
    recovered = true;
  }
  store.operations.record(
    {
      id: created.id,
      status: created.status,
      cpf: flow.cpf,
      flowId,
      ...(flow.opportunityId === null ? {} : { opportunityId: flow.opportunityId }),
    },
    clock.now(),
  );
  deps.logger.info('proposal created', { flowId, operationId: created.id, recovered });
  return {
    operationId: created.id,
    status: created.status,
    formalizationUrl: created.formalizationUrl ?? null,
    recovered,
  };
}

/** An operation for this CPF that V8 lists and no flow owns: the one our lost answer created. */
async function findCreated(
  deps: FlowDeps,
  cpf: string,
  since: number,
): Promise<V8OperationCreated | undefined> {
  const { startDate, endDate } = listWindow(undefined, undefined, deps.clock.now(), 1);
  const r = await deps.v8.listOperations({
    startDate,
    endDate,
    limit: 50,
    page: 1,
    provider: deps.provider(),
    search: cpf,
  });
  const hit = r.items.find(
    (o) =>
      o.documentNumber === cpf &&
      // A webhook may already have recorded it (without a flow): only another flow's operation is not ours.
      (deps.store.operations.get(o.id)?.flowId ?? null) === null &&
      (o.createdAt === undefined || Date.parse(o.createdAt) >= since - 60_000),
  );
  return hit ? { id: hit.id, status: hit.status, formalizationUrl: undefined } : undefined;
}
