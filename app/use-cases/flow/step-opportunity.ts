import type { KentroOpportunity } from '../../adapters/kentro/kentro-client.ts';
import type { RawLead } from '../../domain/lead.ts';
import {
  normalizeEmail,
  normalizeName,
  normalizePhone,
  parseBirthDate,
  presentText,
} from '../../domain/lead.ts';
import { finishFlow } from './finish-flow.ts';
import type { StepHandler } from './flow-step.ts';

/**
 * The lead as Kentro holds it; what the caller passed in `options.lead` wins field by field, and a
 * batch row (`options.rowLead`) fills only what both lack.
 */
export function leadFrom(
  o: KentroOpportunity | undefined,
  given: RawLead | undefined,
  row?: RawLead | undefined,
): RawLead {
  const pick = (...v: (string | undefined)[]) => v.map(presentText).find((x) => x !== undefined);
  return {
    name: pick(given?.name, o?.title, row?.name),
    birthDate: pick(given?.birthDate, o?.fields.birthDate, row?.birthDate),
    email: pick(given?.email, o?.fields.email, row?.email),
    phone: pick(given?.phone, o?.fields.phone ?? o?.mainphone, row?.phone),
    gender: pick(given?.gender, row?.gender),
  };
}

/** DD/MM/YYYY, Kentro's convention for dates in form fields. */
function toBrDate(value: string | undefined, today: string): string | undefined {
  const parsed = parseBirthDate(value, today);
  if ('reason' in parsed) return undefined;
  const [y, m, d] = parsed.date.split('-');
  return `${d}/${m}/${y}`;
}

/**
 * Finds the CPF's open opportunity in the configured pipeline. Without one, the flow creates it only
 * when the caller asked (`options.createOpportunity`): leads normally come from WhatsApp and already
 * exist, and a blind create is how CRMs fill up with duplicates. findOrCreateOpportunity looks up
 * again before creating, so a crash between Kentro's answer and our commit does not create twice.
 */
export const opportunityStep: StepHandler = async (deps, flow) => {
  if (flow.opportunityId !== null)
    return { kind: 'next', status: 'done', detail: { opportunityId: flow.opportunityId, resumed: true } };
  const given = flow.options.lead;
  const row = flow.options.rowLead;
  const found = await deps.kentro.findOpportunityByCpf(flow.cpf);
  if (found) {
    return {
      kind: 'next',
      detail: { opportunityId: found.id, created: false, stageId: found.stageId ?? null },
      patch: { opportunityId: found.id, opportunityCreated: false, leadSource: leadFrom(found, given, row) },
    };
  }
  if (!flow.options.createOpportunity) {
    finishFlow(deps, flow, {
      outcome: 'failed',
      reason:
        'Nenhuma oportunidade aberta no Kentro para este CPF no funil configurado; cadastre o lead ou ' +
        'inicie o fluxo com createOpportunity.',
      stepStatus: 'failed',
      detail: { found: false },
    });
    return { kind: 'stop' };
  }
  // A new opportunity is made of what the caller gave, then of the batch row.
  const data = leadFrom(undefined, given, row);
  const named = normalizeName(data.name);
  const name = 'name' in named ? named.name : undefined;
  const email = normalizeEmail(data.email);
  // Kentro's convention: 55 + DDD + number, digits only.
  const split = normalizePhone(data.phone);
  const phone =
    'phone' in split
      ? `${split.phone.countryCode}${split.phone.areaCode}${split.phone.phoneNumber}`
      : undefined;
  const birthDate = toBrDate(data.birthDate, new Date(deps.clock.now()).toISOString().slice(0, 10));
  const res = await deps.kentro.findOrCreateOpportunity(flow.cpf, {
    // Kentro requires a title; without a name the CPF stands in until the broker completes the lead.
    title: name ?? `CPF ${flow.cpf}`,
    ...(phone ? { phone } : {}),
    fields: {
      ...(birthDate ? { birthDate } : {}),
      ...(email ? { email } : {}),
      ...(phone ? { phone } : {}),
    },
  });
  return {
    kind: 'next',
    detail: { opportunityId: res.id, created: res.created },
    patch: {
      opportunityId: res.id,
      opportunityCreated: res.created,
      leadSource: leadFrom(res.opportunity, given, row),
    },
  };
};
