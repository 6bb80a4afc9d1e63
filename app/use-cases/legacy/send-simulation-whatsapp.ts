import { setTimeout as sleep } from 'node:timers/promises';
import type { OutboxRecord } from '../../adapters/store/outbox-repository.ts';
import { AppError } from '../../domain/app-error.ts';
import { formatBrl } from '../../domain/flow-steps.ts';
import { splitBrazilianPhone } from '../../domain/phone.ts';
import type { FlowDeps } from '../flow/flow-deps.ts';

export interface SendWhatsappInput {
  readonly cpf: string;
  /** Queue a new message even when this simulation's was already sent. */
  readonly resend?: boolean | undefined;
  /** How long to wait for the relay to deliver it before answering "queued". */
  readonly waitMs: number;
}

export interface SendWhatsappResult {
  readonly outbox: OutboxRecord;
  /** False when this simulation's message had been queued before (nothing new was queued). */
  readonly queued: boolean;
  readonly number: string;
  readonly templateId: number;
  readonly params: readonly string[];
  readonly simulationId: number;
  readonly opportunityId: number;
}

interface Lead {
  readonly opportunityId: number;
  readonly name: string | undefined;
  readonly phone: string | undefined;
}

/** The lead of the CPF: the newest flow's normalized lead, else the Kentro opportunity as it is now. */
async function leadOf(deps: FlowDeps, cpf: string): Promise<Lead> {
  const flow = deps.store.flows.list({ cpf, limit: 20 }).find((f) => f.lead && f.opportunityId !== null);
  if (flow?.lead && flow.opportunityId !== null) {
    const p = flow.lead.phone;
    return {
      opportunityId: flow.opportunityId,
      name: flow.lead.name,
      phone: `${p.countryCode}${p.areaCode}${p.phoneNumber}`,
    };
  }
  const opp = await deps.kentro.findOpportunityByCpf(cpf);
  if (!opp) throw new AppError('not_found', 'nenhuma oportunidade aberta no Kentro para este CPF');
  return { opportunityId: opp.id, name: opp.title, phone: opp.fields.phone ?? opp.mainphone };
}

/**
 * Sends KENTRO_WA_TEMPLATE_ID to the lead's WhatsApp with the CPF's newest simulation: {{1}} first
 * name, {{2}} released amount (as the flow does). Through the CRM outbox, so a Kentro outage delays
 * it instead of losing it and a repeated call for the same simulation sends nothing twice; waits up
 * to `waitMs` for the relay to deliver it.
 */
export async function sendSimulationWhatsapp(
  deps: FlowDeps,
  input: SendWhatsappInput,
): Promise<SendWhatsappResult> {
  const { store, clock, settings } = deps;
  const templateId = settings.waTemplateId;
  if (templateId === undefined) {
    throw new AppError('not_configured', 'the WhatsApp message needs KENTRO_WA_TEMPLATE_ID of this client', {
      detail: { missing: ['KENTRO_WA_TEMPLATE_ID'] },
    });
  }
  const sim = store.simulations.latest(input.cpf);
  if (!sim) throw new AppError('not_found', 'nenhuma simulação para este CPF: rode o fluxo completo antes');
  if (sim.disbursedAmount === null) {
    throw new AppError('rejected', 'a simulação deste CPF não tem valor liberado para enviar');
  }
  const lead = await leadOf(deps, input.cpf);
  const phone = splitBrazilianPhone(lead.phone ?? '');
  if (!phone.ok) {
    throw new AppError('rejected', `o telefone do lead no Kentro não serve para WhatsApp (${phone.reason})`);
  }
  const number = `${phone.phone.countryCode}${phone.phone.areaCode}${phone.phone.phoneNumber}`;
  const firstName = (lead.name ?? '').trim().split(/\s+/)[0] || 'cliente';
  const params = [firstName, formatBrl(sim.disbursedAmount)];
  const now = clock.now();
  const key = `legacy-wa:${input.cpf}:simulation:${sim.id}${input.resend ? `:${now}` : ''}`;
  const queued = store.tx(() =>
    store.outbox.enqueue(
      {
        key,
        kind: 'wa_template',
        opportunityId: lead.opportunityId,
        payload: { number, templateId, params },
      },
      now,
    ),
  );
  const find = () => store.outbox.byOpportunity(lead.opportunityId).find((o) => o.idempotencyKey === key);
  let row = find();
  if (!row) throw new Error('the WhatsApp message was queued but cannot be read back');
  if (queued) {
    deps.logger.info('WhatsApp template queued (legacy route)', { cpf: input.cpf, outboxId: row.id });
    store.signals.emit('outbox-enqueued');
  }
  // Real time (not the clock): this only bounds how long the caller waits for the relay.
  for (let waited = 0; row.status === 'pending' && waited < input.waitMs; waited += 50) {
    await sleep(50);
    row = store.outbox.get(row.id) ?? row;
  }
  return {
    outbox: row,
    queued,
    number,
    templateId,
    params,
    simulationId: sim.id,
    opportunityId: lead.opportunityId,
  };
}
