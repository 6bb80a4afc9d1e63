import type { NewOutboxItem } from '../../adapters/store/outbox-repository.ts';
import { formatBrl } from '../../domain/flow-steps.ts';
import { listWindow } from '../../domain/v8-list-window.ts';
import type { FlowDeps } from '../flow/flow-deps.ts';
import { applyConsultObservation, refreshConsult } from '../flow/refresh-consult.ts';
import { crmItem, enqueueAll, stageItem } from '../outbox/crm-updates.ts';
import { type WebhookFacts, webhookFacts } from './receive-webhook.ts';

export type ProcessOutcome =
  | { readonly status: 'processed'; readonly result: string }
  | { readonly status: 'skipped'; readonly result: string }
  | { readonly status: 'failed'; readonly error: string };

/** Statuses after which the lead is not "with a proposal" any more (final or being cancelled). */
const NOT_A_PROPOSAL = new Set(['paid', 'canceled', 'rejected', 'refunded', 'awaiting_cancel']);

async function onConsult(deps: FlowDeps, f: WebhookFacts): Promise<string> {
  if (!f.subjectId || !f.status) return 'ignored: consult event without consultId or status';
  const status = f.status.toUpperCase();
  // A result with money in it is taken from V8's GET, never from the webhook body.
  const applied =
    status === 'SUCCESS'
      ? await refreshConsult(deps, f.subjectId)
      : applyConsultObservation(deps, {
          id: f.subjectId,
          status,
          description: f.description,
          cpf: f.document,
          verified: false,
        });
  const what = applied.statusChanged ? 'applied' : 'unchanged (duplicate or older than what we know)';
  return `consult ${f.subjectId} ${applied.record.status} ${what}; flows woken: ${applied.woken.length}`;
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
  const { store, clock, settings } = deps;
  // Re-read: amounts and "paid" come from V8's detail, and it settles out-of-order events.
  const op = await deps.v8.getOperation(id);
  const known = store.operations.get(id);
  const cpf = known?.cpf ?? f.document ?? (await findOperationCpf(deps, id));
  let opportunityId = known?.opportunityId ?? (cpf ? store.flows.knownOpportunity(cpf) : undefined);
  if (opportunityId === undefined && cpf) opportunityId = (await deps.kentro.findOpportunityByCpf(cpf))?.id;
  const now = clock.now();
  const { record, statusChanged, queued } = store.tx(() => {
    const r = store.operations.record({ id, status: op.status, cpf, opportunityId }, now);
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
        }
      }
      if (status === 'paid') {
        const amount = op.disbursedAmount === undefined ? '' : ` (${formatBrl(op.disbursedAmount)})`;
        items.push(stageItem(scope, opp, settings.stages, 'paid'));
        items.push(
          crmItem(scope, 'note:paid', 'note', opp, {
            text: `Crédito do Trabalhador (V8): operação paga${amount}.`,
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
