import type { FakeContext } from './context.ts';
import { asRecord, type FakeRequest, json, type Reply, validation } from './http-util.ts';
import type { Router } from './router.ts';
import type { WebhookKind } from './webhooks.ts';

function isHttpUrl(v: unknown): v is string {
  if (typeof v !== 'string') return false;
  try {
    const u = new URL(v);
    return u.protocol === 'http:' || u.protocol === 'https:';
  } catch {
    return false;
  }
}

/** Registers (replaces) the account's URL; the handshake webhooks follow asynchronously. */
function register(req: FakeRequest, ctx: FakeContext, kind: WebhookKind): Reply {
  const url = asRecord(req.body).url;
  if (!isHttpUrl(url)) return validation(['url must be a URL address']);
  ctx.webhooks.register(req.account ?? '', kind, url);
  return json(201, { url });
}

export function webhookRoutes(router: Router, ctx: FakeContext): void {
  router
    .add('POST', '/user/webhook/private-consignment/consult', (r) => register(r, ctx, 'consult'))
    .add('POST', '/user/webhook/private-consignment/operation', (r) => register(r, ctx, 'operation'));
}
