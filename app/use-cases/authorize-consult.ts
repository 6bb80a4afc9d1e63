import type { V8Client } from '../adapters/v8/v8-client.ts';
import type { EvidenceRecorder } from './evidence/consent-evidence.ts';

export interface AuthorizedConsult {
  readonly id: string;
  readonly authorized: true;
  /** V8 said consult_already_approved: nothing changed, which is fine. */
  readonly alreadyApproved: boolean;
}

/** Authorizes the consent term; `evidence` records who asked (and the consent proof) once V8 accepted. */
export async function authorizeConsult(
  v8: V8Client,
  consultId: string,
  evidence?: EvidenceRecorder,
): Promise<AuthorizedConsult> {
  const r = await v8.authorizeConsult(consultId);
  evidence?.record('consult_authorized', consultId, null, {
    id: consultId,
    authorized: true,
    alreadyApproved: r.alreadyApproved,
  });
  return { id: consultId, authorized: true, alreadyApproved: r.alreadyApproved };
}
