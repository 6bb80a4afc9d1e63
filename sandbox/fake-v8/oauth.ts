import type { FakeContext } from './context.ts';
import { type FakeRequest, isRecord, json, type Reply, str } from './http-util.ts';

const authError = (status: number, error: string, description: string): Reply =>
  json(status, { error, error_description: description });

/**
 * `POST /oauth/token`, Auth0 password grant (§1.3). Form-urlencoded or JSON. Check order follows
 * Auth0: required fields, grant type, client, audience, then credentials.
 */
export function tokenEndpoint(req: FakeRequest, ctx: FakeContext): Reply {
  if (!isRecord(req.body)) {
    return authError(400, 'invalid_request', 'Missing required parameter: grant_type');
  }
  const b = req.body;
  const username = str(b.username);
  ctx.stats.countTokenRequest(username ?? '');
  for (const field of ['grant_type', 'client_id', 'username', 'password']) {
    if (!str(b[field])) return authError(400, 'invalid_request', `Missing required parameter: ${field}`);
  }
  if (b.grant_type !== 'password') {
    return authError(400, 'unsupported_grant_type', `Unsupported grant type: ${String(b.grant_type)}`);
  }
  const clientId = str(b.client_id) ?? '';
  const knownClients = new Set([...ctx.accounts.values()].map((a) => a.clientId));
  if (!knownClients.has(clientId)) {
    return authError(401, 'invalid_client', 'Unknown client.');
  }
  const audience = str(b.audience);
  if (audience !== ctx.audience) {
    return authError(
      403,
      'access_denied',
      audience
        ? `Service not found: ${audience}. Invalid audience specified for password grant exchange`
        : 'Invalid audience specified for password grant exchange',
    );
  }
  const account = username ? ctx.accounts.get(username) : undefined;
  if (!account || account.password !== b.password || account.clientId !== clientId) {
    return authError(ctx.config.wrongPasswordStatus, 'invalid_grant', 'Wrong email or password.');
  }
  const scope = str(b.scope) ?? 'offline_access';
  const ttl = ctx.config.tokenTtlS;
  const record = ctx.tokens.issue(account, scope, ctx.audience, ttl);
  ctx.stats.countTokenIssued(account.username);
  return json(
    200,
    { access_token: record.token, token_type: 'Bearer', expires_in: ttl, scope },
    { 'cache-control': 'no-store', pragma: 'no-cache' },
  );
}
