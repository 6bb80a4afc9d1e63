import type { Clock } from '../../adapters/clock.ts';
import type { Store } from '../../adapters/store/store.ts';
import { AppError } from '../../domain/app-error.ts';
import type {
  ChainCheck,
  EvidenceContext,
  EvidenceEntry,
  EvidenceEvent,
  V8Answer,
} from '../../domain/evidence-chain.ts';
import type { Logger } from '../../logging/logger.ts';

export interface EvidenceDeps {
  readonly store: Store;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** Records one step of a consult for the caller it was built for (see recorderFor). */
export interface EvidenceRecorder {
  record(event: EvidenceEvent, consultId: string, cpf: string | null, v8: V8Answer): EvidenceEntry;
}

const DAY_MS = 86_400_000;

/**
 * Appends an entry to the client's evidence chain. The CPF of an authorization is the consult's
 * (from the consult row or an earlier entry) when the caller did not give one.
 */
export function recordEvidence(
  deps: EvidenceDeps,
  context: EvidenceContext,
  event: EvidenceEvent,
  consultId: string,
  cpf: string | null,
  v8: V8Answer,
): EvidenceEntry {
  const { store } = deps;
  const entry = store.tx(() =>
    store.evidence.append(
      {
        event,
        consultId,
        cpf:
          cpf ?? store.consults.get(consultId)?.cpf ?? store.evidence.forConsult(consultId)[0]?.cpf ?? null,
        actor: context.actor,
        ip: context.ip,
        userAgent: context.userAgent,
        consent: context.consent,
        flowId: context.flowId ?? null,
        v8,
      },
      deps.clock.now(),
    ),
  );
  deps.logger.info('consent evidence recorded', {
    event,
    consultId,
    entryId: entry.id,
    actor: `${context.actor.kind}:${context.actor.label}`,
    consent: context.consent !== null,
  });
  return entry;
}

export function recorderFor(deps: EvidenceDeps, context: EvidenceContext): EvidenceRecorder {
  return { record: (event, consultId, cpf, v8) => recordEvidence(deps, context, event, consultId, cpf, v8) };
}

const batchKey = (batchId: string) => `batch:${batchId}`;

/** Who started a batch: its flows' evidence names them (saved right after the batch is created). */
export function saveBatchEvidenceContext(
  deps: Pick<EvidenceDeps, 'store' | 'clock'>,
  batchId: string,
  context: EvidenceContext,
): void {
  deps.store.evidence.saveFlowContext(batchKey(batchId), context, deps.clock.now());
}

/**
 * Who a flow acts for: its caller (saved at start), else the caller who started its batch, else
 * the service itself (flows started before evidence existed).
 */
export function flowEvidenceContext(
  store: Store,
  flow: { readonly id: string; readonly batchItemId?: string | null | undefined },
): EvidenceContext {
  const saved = store.evidence.flowContext(flow.id);
  if (saved) return { ...saved, flowId: flow.id };
  const batchId = flow.batchItemId ? store.batches.item(flow.batchItemId)?.batchId : undefined;
  const ofBatch = batchId ? store.evidence.flowContext(batchKey(batchId)) : undefined;
  if (ofBatch) return { ...ofBatch, flowId: flow.id };
  return {
    actor: { kind: 'system', label: batchId ? `batch ${batchId}` : 'flow' },
    ip: null,
    userAgent: null,
    consent: null,
    flowId: flow.id,
  };
}

export interface ConsultEvidence {
  readonly consultId: string;
  readonly entries: readonly EvidenceEntry[];
  /** These entries checked now, with their links to the entries around them (the whole chain: make verify-evidence). */
  readonly chain: ChainCheck;
}

/** The evidence of one consult and the check of the chain; not_found when it has none. */
export function consultEvidence(deps: Pick<EvidenceDeps, 'store'>, consultId: string): ConsultEvidence {
  const entries = deps.store.evidence.forConsult(consultId);
  if (entries.length === 0) throw new AppError('not_found', `no consent evidence for consult ${consultId}`);
  return { consultId, entries, chain: deps.store.evidence.verifyConsult(consultId) };
}

export interface EvidenceEntryView extends Omit<EvidenceEntry, 'at'> {
  /** ISO 8601, UTC. */
  readonly at: string;
}

export interface ConsultEvidenceView {
  readonly consultId: string;
  readonly entries: readonly EvidenceEntryView[];
  readonly chain: ChainCheck;
}

export const toEntryView = (e: EvidenceEntry): EvidenceEntryView => ({
  ...e,
  at: new Date(e.at).toISOString(),
});

/** consultEvidence with times as ISO UTC text (the API answer). */
export function consultEvidenceView(
  deps: Pick<EvidenceDeps, 'store'>,
  consultId: string,
): ConsultEvidenceView {
  const r = consultEvidence(deps, consultId);
  return { consultId: r.consultId, entries: r.entries.map(toEntryView), chain: r.chain };
}

/** Retention: removes entries older than `retentionDays` (oldest first). Returns how many. */
export function pruneEvidence(deps: EvidenceDeps, retentionDays: number): number {
  const now = deps.clock.now();
  const removed = deps.store.tx(() => deps.store.evidence.prune(now - retentionDays * DAY_MS, now));
  if (removed > 0) deps.logger.info('consent evidence past retention removed', { removed, retentionDays });
  return removed;
}
