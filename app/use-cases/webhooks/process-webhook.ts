import type { NewOutboxItem } from '../../adapters/store/outbox-repository.ts';
import { isAppError } from '../../domain/app-error.ts';
import { formatBrl } from '../../domain/flow-steps.ts';
import { listWindow } from '../../domain/v8-list-window.ts';
import { isTerminalConsultStatus } from '../../domain/v8-status.ts';
import type { FlowDeps } from '../flow/flow-deps.ts';
import { refreshConsult } from '../flow/refresh-consult.ts';
import { crmItem, enqueueAll, stageItem } from '../outbox/crm-updates.ts';
import { type WebhookFacts, webhookFacts } from './receive-webhook.ts';

export type ProcessOutcome =
  | { readonly status: 'processed'; readonly result: string }
  | { readonly status: 'skipped'; readonly result: string }
  | { readonly status: 'failed'; readonly error: string };

/** Statuses after which the lead is not "with a proposal" any more (final or being cancelled). */
const NOT_A_PROPOSAL = new Set(['paid', 'canceled', 'rejected', 'refunded', 'awaiting_cancel']);

/**
 * A webhook is a hint, never the truth: anyone who learns the URL can post one. Only consults this
 * service created or reused are followed (an unknown id would otherwise become a row that later
 * flows reuse), and a result is stored only as V8's own answer to our read.
 */
async function onConsult(deps: FlowDeps, f: WebhookFacts): Promise<string> {
  if (!f.subjectId || !f.status) return 'ignored: consult event without consultId or status';
  const id = f.subjectId;
  const hinted = f.status.toUpperCase();
  const known = deps.store.consults.get(id);
  if (!known) return `ignored: consult ${id} is not one of ours`;
  if (isTerminalConsultStatus(known.status)) return `consult ${id} ${known.status} unchanged (final)`;
  // A margin in the hint (SUCCESS, or during the credit analysis) lets the flow go on at once, once
  // V8 confirms it. Progress between waiting states drives nothing: no V8 read is spent on it.
  const hintsMargin = Number(f.margin) > 0;
  if (!isTerminalConsultStatus(hinted) && !hintsMargin) {
    return `consult ${id} hint ${hinted} noted; nothing to confirm`;
  }
  const applied = await refreshConsult(deps, id);
  const what = applied.statusChanged ? 'applied' : 'unchanged';
  const disagree = applied.record.status === hinted ? '' : ` (the webhook said ${hinted}; V8 says otherwise)`;
  return `consult ${id} ${applied.record.status} ${what}${disagree}; flows woken: ${applied.woken.length}`;
}

/** The CPF of an operation we did not record ourselves: V8's list of the last 30 days names it. */
async function findOperationCpf(deps: FlowDeps, operationId: string): Promise<string | undefined> {
  const { startDate, endDate } = listWindow(undefined, undefined, deps.clock.now(), 30);
  for (let page = 1; page <= 5; page++) {
    const r = await deps.v8.listOperations({
      startDate,
      endDate,
      limit: 100,
      page,
      provider: deps.provider(),
    });
    const hit = r.items.find((o) => o.id === operationId);
    if (hit) return hit.documentNumber;
    if (r.items.length < 100) return undefined;
  }
  return undefined;
}

async function onOperation(deps: FlowDeps, f: WebhookFacts): Promise<string> {
  const id = f.subjectId;
  if (!id) return 'ignored: operation event without operationId';
  return applyOperation(deps, id, f.document);
}

/**
 * Reads one operation from V8 and applies it: our row (status only forward, with its history) and the
 * lead's stage and notes. Shared by the webhook and the reconciler; outbox keys are per operation and
 * status, so the second of the two to see a status queues nothing.
 */
export async function applyOperation(deps: FlowDeps, id: string, document?: string): Promise<string> {
  const { store, clock, settings } = deps;
  // Re-read: amounts and "paid" come from V8's detail, and it settles out-of-order events. An id we
  // never recorded is followed only when V8 confirms it is an operation of this login (one created
  // in V8's portal, say); a forged one stores nothing.
  const known = store.operations.get(id);
  let op: Awaited<ReturnType<typeof deps.v8.getOperation>>;
  try {
    op = await deps.v8.getOperation(id);
  } catch (err) {
    if (!known && isAppError(err) && err.code === 'not_found') {
      return `ignored: operation ${id} is neither ours nor known to V8`;
    }
    throw err;
  }
  const cpf = known?.cpf ?? document ?? (await findOperationCpf(deps, id));
  let opportunityId = known?.opportunityId ?? (cpf ? store.flows.knownOpportunity(cpf) : undefined);
  if (opportunityId === undefined && cpf) opportunityId = (await deps.kentro.findOpportunityByCpf(cpf))?.id;
  const now = clock.now();
  const { record, statusChanged, queued } = store.tx(() => {
    const r = store.operations.record(
      {
        id,
        status: op.status,
        cpf,
        opportunityId,
        formalizationUrl: op.formalizationUrl,
        contractNumber: op.contractNumber,
      },
      now,
    );
    const opp = r.record.opportunityId;
    const items: (NewOutboxItem | undefined)[] = [];
    if (opp !== null) {
      const scope = `operation:${id}`;
      const status = r.record.status;
      if (!NOT_A_PROPOSAL.has(status)) {
        items.push(stageItem(scope, opp, settings.stages, 'proposal'));
        if (op.formalizationUrl) {
          items.push(
            crmItem(scope, 'formalization', 'update', opp, {
              fields: { formalizationUrl: op.formalizationUrl },
            }),
          );
          items.push(...signingLink(deps, scope, opp, r.record.flowId, op));
        }
      }
      if (status === 'pending') {
        items.push(stageItem(scope, opp, settings.stages, 'pendency'));
        items.push(
          crmItem(scope, 'note:pending', 'note', opp, {
            text: `Crédito do Trabalhador (V8): proposta com pendência. Motivo: ${op.pendencyReason ?? 'não informado pela V8'}.`,
          }),
        );
      }
      if (status === 'paid') {
        const amount = op.disbursedAmount === undefined ? '' : ` (${formatBrl(op.disbursedAmount)})`;
        const contract = op.contractNumber ? `, contrato ${op.contractNumber}` : '';
        items.push(stageItem(scope, opp, settings.stages, 'paid'));
        items.push(
          crmItem(scope, 'note:paid', 'note', opp, {
            text: `Crédito do Trabalhador (V8): operação paga${amount}${contract}.`,
          }),
        );
      }
      if (status === 'canceled' || status === 'rejected') {
        const what = status === 'canceled' ? 'cancelada' : 'recusada';
        items.push(stageItem(scope, opp, settings.stages, 'cancelled'));
        items.push(
          crmItem(scope, `note:${status}`, 'note', opp, {
            text: `Crédito do Trabalhador (V8): proposta ${what}. Motivo: ${op.pendencyReason ?? 'não informado pela V8'}.`,
          }),
        );
      }
    }
    return { ...r, queued: enqueueAll(store, items, now) };
  });
  if (queued.length > 0) store.signals.emit('outbox-enqueued');
  const where = record.opportunityId === null ? '; no Kentro opportunity known for it' : '';
  return `operation ${id} ${record.status} ${statusChanged ? 'applied' : 'unchanged'}; CRM updates queued: ${queued.length}${where}`;
}

/**
 * The signing link to the borrower: a note with it and, when configured and the flow knows the lead's
 * phone, the WhatsApp template. Keys are per operation, so the webhook and the reconciler (or a
 * repeated event) queue each once; the outbox never re-sends a template whose outcome is unknown.
 */
function signingLink(
  deps: FlowDeps,
  scope: string,
  opp: number,
  flowId: string | null,
  op: {
    formalizationUrl?: string | undefined;
    disbursedAmount?: number | undefined;
    issueAmount?: number | undefined;
    installments?: number | undefined;
  },
): NewOutboxItem[] {
  const url = op.formalizationUrl as string;
  const items: NewOutboxItem[] = [
    crmItem(scope, 'note:formalization', 'note', opp, {
      text: `Crédito do Trabalhador (V8): proposta aguardando assinatura. Link de formalização: ${url}`,
    }),
  ];
  const templateId = deps.settings.waFormalizationTemplateId;
  const lead = flowId === null ? undefined : deps.store.flows.get(flowId)?.lead;
  if (templateId === undefined || !lead) return items;
  const amount = op.disbursedAmount ?? op.issueAmount;
  items.push(
    crmItem(
      scope,
      'wa_template:formalization',
      'wa_template',
      opp,
      {
        number: `${lead.phone.countryCode}${lead.phone.areaCode}${lead.phone.phoneNumber}`,
        templateId,
        params: [
          lead.name.split(/\s+/)[0] ?? lead.name,
          amount === undefined ? '-' : formatBrl(amount),
          op.installments === undefined ? '-' : String(op.installments),
          url,
        ],
      },
      flowId ?? undefined,
    ),
  );
  return items;
}

/**
 * Processes one stored event. Handshakes and unknown types are acknowledged and recorded; consult
 * and operation events update our rows (never backwards) and queue CRM updates. A failure leaves the
 * event unprocessed with the error: the replay endpoint (or a later redelivery) retries it.
 */
export async function processWebhookEvent(deps: FlowDeps, eventId: number): Promise<ProcessOutcome> {
  const { store, clock, logger } = deps;
  const event = store.webhookEvents.get(eventId);
  if (!event) return { status: 'skipped', result: 'no such event' };
  if (event.processedAt !== null) return { status: 'skipped', result: 'already processed' };
  let payload: unknown;
  try {
    payload = JSON.parse(event.body);
  } catch {
    store.webhookEvents.markProcessed(eventId, 'ignored: body is not JSON', clock.now());
    return { status: 'processed', result: 'ignored: body is not JSON' };
  }
  const facts = webhookFacts(payload);
  try {
    let result: string;
    if (facts.kind === 'handshake') result = `handshake ${facts.type} acknowledged`;
    else if (facts.kind === 'consult') result = await onConsult(deps, facts);
    else if (facts.kind === 'operation') result = await onOperation(deps, facts);
    else result = `ignored: unknown event type ${facts.type ?? '(none)'}`;
    store.webhookEvents.markProcessed(eventId, result, clock.now());
    logger.info('V8 webhook processed', { eventId, type: facts.type, result });
    return { status: 'processed', result };
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    store.webhookEvents.markFailed(eventId, error);
    logger.warn('V8 webhook processing failed (kept for replay)', { eventId, type: facts.type, error });
    return { status: 'failed', error };
  }
}
