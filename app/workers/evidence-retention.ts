import { pruneEvidence } from '../use-cases/evidence/consent-evidence.ts';
import type { FlowDeps } from '../use-cases/flow/flow-deps.ts';
import { PeriodicWorker } from './periodic-worker.ts';

/** Removes consent evidence older than EVIDENCE_RETENTION_DAYS, once an hour (and at start). */
export function evidenceRetention(deps: FlowDeps, tickMs: number): PeriodicWorker {
  return new PeriodicWorker({
    name: 'evidence-retention',
    tickMs,
    logger: deps.logger,
    runOnce: async () => {
      pruneEvidence(deps, deps.settings.evidenceRetentionDays);
      return false;
    },
  });
}
