import type { V8Consult } from '../../adapters/v8/v8-client.ts';
import type { V8Provider } from '../../config/app-config.ts';
import { isAppError } from '../../domain/app-error.ts';
import { type ExistingConsult, type ReuseDecision, reuseDecision } from '../../domain/consult-reuse.ts';
import { listWindow } from '../../domain/v8-list-window.ts';
import { createConsult } from '../create-consult.ts';
import { flowEvidenceContext, recordEvidence } from '../evidence/consent-evidence.ts';
import { parkForQuota, quotaRefusedByV8, reserveConsultSlot } from './consult-quota.ts';
import type { FlowDeps } from './flow-deps.ts';
import type { StepHandler } from './flow-step.ts';
import { observationFromV8 } from './refresh-consult.ts';

const DAY_MS = 86_400_000;
/** Errors with which V8 refused a creation outright (no consult made). */
const NOTHING_CREATED = new Set(['rate_limited', 'invalid_data', 'rejected', 'already_exists']);

/**
 * Creates the consent term, or reuses the CPF's consult of the last FLOW_CONSULT_VALID_DAYS that is
 * not rejected/failed (a new run never opens a second consult). The id is committed right after V8
 * answers; if we crash before that, the next attempt's create meets V8's "already exists" and
 * createConsult resolves the existing consult instead of creating another.
 *
 * Before spending a new consult, V8's list is asked for the CPF's consults within the same days
 * (consult-reuse.ts decides: SUCCESS and in-progress ones are reused, a REJECTED one is the answer
 * unless the refused data changed since). A new consult takes a slot of V8's consult quota first;
 * when none is free (or V8 answers 429) the flow is parked until one frees up (waiting_quota), never
 * failed for it.
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
  const decision = reuseDecision(await consultsAtV8(deps, flow.cpf, provider), {
    birthDate: lead.birthDate,
    name: lead.name,
  });
  if (decision.action === 'reuse') {
    const c = decision.consult as ExistingConsult & { readonly v8: V8Consult };
    return {
      kind: 'next',
      detail: { consultId: c.id, reused: true, source: 'v8_list', status: c.status, why: decision.why },
      patch: { consultId: c.id },
      apply: (at) => {
        // What the list says, unverified: the margin step re-reads a SUCCESS before any money.
        deps.store.consults.record({ ...observationFromV8(c.v8), verified: false, provider }, at);
        // The flow now acts on a consult it did not create (perhaps made outside this service): the
        // evidence names the flow's caller, as when V8 answers a creation with its existing consult.
        recordEvidence(deps, flowEvidenceContext(deps.store, flow), 'consult_created', c.id, flow.cpf, {
          id: c.id,
          status: c.status,
          existing: true,
          source: 'v8_list',
        });
        return undefined;
      },
    };
  }
  const slot = reserveConsultSlot(deps);
  if (!slot.ok) {
    parkForQuota(deps, flow, slot.resumeAt, 'quota');
    return { kind: 'stop' };
  }
  let created: Awaited<ReturnType<typeof createConsult>>;
  try {
    created = await createConsult(
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
  } catch (err) {
    // V8 refused the request itself: nothing was created, the slot is not used. (Timeouts and 5xx keep
    // it: the consult may exist.)
    if (isAppError(err) && NOTHING_CREATED.has(err.code)) slot.release();
    else slot.confirm();
    if (isAppError(err) && err.code === 'rate_limited') {
      parkForQuota(deps, flow, quotaRefusedByV8(deps, err.retryAfterS), 'v8_429');
      return { kind: 'stop' };
    }
    throw err;
  }
  // An active consult V8 already had was answered instead: no new consult was made.
  if (created.existing) slot.release();
  else slot.confirm();
  return {
    kind: 'next',
    detail: {
      consultId: created.id,
      existingAtV8: created.existing,
      created: !created.existing,
      status: created.status,
      ...replacing(decision),
    },
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

/** The CPF's consults in V8's list within FLOW_CONSULT_VALID_DAYS, with the data they were made with. */
async function consultsAtV8(
  deps: FlowDeps,
  cpf: string,
  provider: V8Provider,
): Promise<(ExistingConsult & { readonly v8: V8Consult })[]> {
  const { startDate, endDate } = listWindow(
    undefined,
    undefined,
    deps.clock.now(),
    deps.settings.consultValidDays,
  );
  const page = await deps.v8.listConsults({ startDate, endDate, limit: 50, page: 1, provider, search: cpf });
  // `search` is free text: only exact CPF matches count.
  const mine = page.items.filter((c) => c.documentNumber === cpf);
  if (mine.length === 0) return [];
  // When V8 does not say what a consult was made with, our own flow that made it does.
  const sent = new Map(
    deps.store.flows
      .list({ cpf, limit: 50 })
      .flatMap((f) => (f.consultId && f.lead ? [[f.consultId, f.lead] as const] : [])),
  );
  return mine.map((c) => ({
    id: c.id,
    status: c.status,
    description: c.description,
    createdAt: c.createdAt,
    birthDate: c.birthDate ?? sent.get(c.id)?.birthDate,
    name: c.name ?? sent.get(c.id)?.name,
    v8: c,
  }));
}

/** What a new consult replaces (a failed one, or a refusal of data changed since), for the step detail. */
function replacing(d: ReuseDecision): Record<string, unknown> {
  if (d.action !== 'create' || !d.previous) return {};
  return {
    replaces: {
      consultId: d.previous.id,
      status: d.previous.status,
      why: d.why,
      ...(d.changed ? { changed: d.changed } : {}),
    },
  };
}
