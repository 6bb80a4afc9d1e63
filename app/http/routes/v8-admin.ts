import { type RequestHandler, Router } from 'express';
import { registerV8Webhooks } from '../../use-cases/register-v8-webhooks.ts';
import { clearV8Token, describeV8Token } from '../../use-cases/v8-token.ts';
import type { AppDeps } from '../app-deps.ts';
import { parseInput } from '../validation.ts';
import { v8Access } from './v8-guard.ts';
import { registerWebhooksBody } from './v8-schemas.ts';

/** The V8 connection of this client: token status/reset and webhook registration. */
export function v8AdminRoutes(deps: AppDeps, guard: RequestHandler): Router {
  const router = Router();

  router.get('/v8/token', guard, (_req, res) => {
    res.json(describeV8Token(v8Access(deps).tokens));
  });

  router.delete('/v8/token', guard, async (_req, res) => {
    res.json(await clearV8Token(v8Access(deps).tokens));
  });

  router.post('/v8/webhooks/register', guard, async (req, res) => {
    const body = parseInput(registerWebhooksBody, req.body ?? {});
    const secret = deps.config.webhook.secret;
    const result = await registerV8Webhooks(v8Access(deps).client, {
      publicBaseUrl: deps.config.http.publicBaseUrl,
      webhookSecret: secret,
      explicitUrl: body.url,
    });
    // The URL carries the webhook secret: it is registered at V8, never echoed.
    const shown = secret ? result.url.split(encodeURIComponent(secret)).join('[REDACTED]') : result.url;
    res.json({ ...result, url: deps.redactor.text(shown) });
  });

  return router;
}
