import type { V8Client } from '../adapters/v8/v8-client.ts';

export interface AuthorizedConsult {
  readonly id: string;
  readonly authorized: true;
  /** V8 said consult_already_approved: nothing changed, which is fine. */
  readonly alreadyApproved: boolean;
}

export async function authorizeConsult(v8: V8Client, consultId: string): Promise<AuthorizedConsult> {
  const r = await v8.authorizeConsult(consultId);
  return { id: consultId, authorized: true, alreadyApproved: r.alreadyApproved };
}
