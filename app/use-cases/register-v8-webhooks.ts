import type { V8Client, WebhookKind } from '../adapters/v8/v8-client.ts';
import { AppError } from '../domain/app-error.ts';

export interface WebhookTarget {
  readonly publicBaseUrl: string | undefined;
  readonly webhookSecret: string | undefined;
  /** An explicit URL from the caller wins over the configured one. */
  readonly explicitUrl?: string | undefined;
}

/** `<PUBLIC_BASE_URL>/webhooks/v8/<WEBHOOK_SECRET>`, or not_configured naming the missing keys. */
export function webhookUrl(t: WebhookTarget): string {
  if (t.explicitUrl) return t.explicitUrl;
  const missing = [
    ...(t.publicBaseUrl ? [] : ['PUBLIC_BASE_URL']),
    ...(t.webhookSecret ? [] : ['WEBHOOK_SECRET']),
  ];
  if (missing.length > 0) {
    throw new AppError(
      'not_configured',
      `cannot build the webhook URL: fill in ${missing.join(' and ')} in this client's config file, ` +
        'or send {"url": "https://..."} in the request body',
    );
  }
  return `${(t.publicBaseUrl as string).replace(/\/+$/, '')}/webhooks/v8/${encodeURIComponent(t.webhookSecret as string)}`;
}

const KINDS: readonly WebhookKind[] = ['consult', 'operation'];

/** Registers the same URL for consult and operation events (V8 keeps one URL per kind and user). */
export async function registerV8Webhooks(
  v8: V8Client,
  target: WebhookTarget,
): Promise<{ url: string; registered: WebhookKind[] }> {
  const url = webhookUrl(target);
  for (const kind of KINDS) await v8.registerWebhook(kind, url);
  return { url, registered: [...KINDS] };
}
