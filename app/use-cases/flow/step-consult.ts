import { createConsult } from '../create-consult.ts';
import { flowEvidenceContext, recordEvidence } from '../evidence/consent-evidence.ts';
import type { StepHandler } from './flow-step.ts';

const DAY_MS = 86_400_000;

/**
 * Creates the consent term, or reuses the CPF's consult of the last FLOW_CONSULT_VALID_DAYS that is
 * not rejected/failed (a new run never opens a second consult). The id is committed right after V8
 * answers; if we crash before that, the next attempt's create meets V8's "already exists" and
 * createConsult resolves the existing consult instead of creating another.
 */
export const consultStep: StepHandler = async (deps, flow) => {
  if (flow.consultId !== null) return { kind: 'next', detail: { consultId: flow.consultId, resumed: true } };
  const now = deps.clock.now();
  const reusable = deps.store.consults.reusableForCpf(
    flow.cpf,
    now - deps.settings.consultValidDays * DAY_MS,
  );
  if (reusable) {
    return {
      kind: 'next',
      detail: { consultId: reusable.id, reused: true, status: reusable.status },
      patch: { consultId: reusable.id },
    };
  }
  const lead = flow.lead;
  if (!lead) throw new Error('flow reached the consult step without a normalized lead');
  const provider = deps.provider();
  const created = await createConsult(
    deps.v8,
    {
      cpf: flow.cpf,
      name: lead.name,
      birthDate: lead.birthDate,
      gender: lead.gender,
      email: lead.email,
      phone: lead.phone,
      provider,
    },
    { defaultProvider: provider, clock: deps.clock },
  );
  return {
    kind: 'next',
    detail: { consultId: created.id, existingAtV8: created.existing, status: created.status },
    patch: { consultId: created.id },
    apply: (at) => {
      deps.store.consults.record(
        {
          id: created.id,
          cpf: flow.cpf,
          status: created.status || 'WAITING_CONSENT',
          provider,
          verified: false,
        },
        at,
      );
      // In the step's transaction: the evidence exists exactly when the flow knows the consult.
      recordEvidence(deps, flowEvidenceContext(deps.store, flow), 'consult_created', created.id, flow.cpf, {
        id: created.id,
        status: created.status,
        existing: created.existing,
      });
      return undefined;
    },
  };
};

/** Authorizes the term; V8's "already approved" is success. Skipped when the consult is past consent. */
export const authorizeStep: StepHandler = async (deps, flow) => {
  const consultId = flow.consultId;
  if (consultId === null) throw new Error('flow reached the authorize step without a consult id');
  const known = deps.store.consults.get(consultId);
  if (known && known.status !== 'WAITING_CONSENT') {
    return { kind: 'next', status: 'skipped', detail: { status: known.status } };
  }
  const r = await deps.v8.authorizeConsult(consultId);
  return {
    kind: 'next',
    detail: { alreadyApproved: r.alreadyApproved },
    apply: (at) => {
      deps.store.consults.record(
        { id: consultId, cpf: flow.cpf, status: 'CONSENT_APPROVED', verified: false },
        at,
      );
      recordEvidence(deps, flowEvidenceContext(deps.store, flow), 'consult_authorized', consultId, flow.cpf, {
        id: consultId,
        authorized: true,
        alreadyApproved: r.alreadyApproved,
      });
      return undefined;
    },
  };
};
