import type { Request, Response } from 'express';
import { z } from 'zod';
import type { ConsentProof, EvidenceActor, EvidenceContext } from '../domain/evidence-chain.ts';
import { sessionOf } from './middleware/session.ts';

const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** Where the worker agreed to the consult, as the caller's channel recorded it. */
export const consentField = z
  .strictObject({
    channel: z
      .string({ error: 'must be the channel name, e.g. whatsapp' })
      .regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,39}$/, 'must be a channel name such as whatsapp, sms or web'),
    messageId: z
      .string({ error: 'must be the id of the message where the worker agreed' })
      .trim()
      .min(1, 'must not be empty')
      .max(200, 'must have at most 200 characters'),
    acceptedAt: z
      .string({ error: 'must be an ISO-8601 date-time with time zone' })
      .refine(
        (v) => ISO_INSTANT.test(v) && !Number.isNaN(Date.parse(v)),
        'must be an ISO-8601 date-time with time zone, e.g. 2026-01-31T14:05:00-03:00',
      ),
  })
  .meta({
    description:
      'Where and when the worker agreed to the consult (kept as consent evidence): channel, id of the message, time',
    example: { channel: 'whatsapp', messageId: 'wamid.HBgM…', acceptedAt: '2026-01-31T14:05:00-03:00' },
  });

/** The label of the API token used (set by the bearer middleware); "API_TOKEN" is the client's token. */
export const API_TOKEN_LABEL_LOCAL = 'apiTokenLabel';

const MAX_USER_AGENT = 512;

/** Who is calling and from where, for the consent evidence of what this request does. */
export function requestEvidenceContext(
  req: Request,
  res: Response,
  consent: ConsentProof | undefined,
): EvidenceContext {
  const label = res.locals[API_TOKEN_LABEL_LOCAL];
  const actor: EvidenceActor =
    typeof label === 'string'
      ? { kind: 'api_token', label }
      : sessionOf(req)
        ? { kind: 'console', label: 'admin' }
        : { kind: 'system', label: 'unauthenticated' };
  const ua = req.get('user-agent');
  return {
    actor,
    ip: req.ip ?? null,
    userAgent: ua ? ua.slice(0, MAX_USER_AGENT) : null,
    consent: consent ?? null,
  };
}
