import type { FakeV8Admin } from './admin.ts';
import type { SeedConsult } from './consults.ts';
import { type FaultSpec, validateFaultSpec } from './faults.ts';
import {
  asRecord,
  type FakeRequest,
  isRecord,
  json,
  noContent,
  type Reply,
  str,
  validation,
} from './http-util.ts';
import type { RuntimeConfig } from './options.ts';
import type { Router } from './router.ts';
import type { Scenario } from './scenarios.ts';
import type { AdvanceOptions } from './scheduler.ts';
import { isConsultStatus, isOperationStatus } from './statuses.ts';

const fail = (err: unknown): Reply => validation([err instanceof Error ? err.message : String(err)]);

function statusChange(req: FakeRequest, set: (status: unknown, description?: string | null) => Reply): Reply {
  const b = asRecord(req.body);
  const description = b.description === null ? null : str(b.description);
  return set(b.status, description);
}

/** `/__admin/*`: no auth, not logged, not rate limited, never faulted. */
export function adminRoutes(router: Router, admin: FakeV8Admin): void {
  const usernameOf = (r: FakeRequest) => str(asRecord(r.body).username);
  router
    .add('GET', '/__admin/requests', (r) =>
      json(
        200,
        admin.requests({
          ...(r.query.method ? { method: r.query.method } : {}),
          ...(r.query.path ? { path: r.query.path } : {}),
          ...(r.query.account ? { account: r.query.account } : {}),
        }),
      ),
    )
    .add('DELETE', '/__admin/requests', () => {
      admin.clearRequests();
      return noContent();
    })
    .add('GET', '/__admin/stats', () => json(200, admin.stats()))
    .add('POST', '/__admin/reset', () => {
      admin.reset();
      return noContent();
    })
    .add('GET', '/__admin/faults', () => json(200, admin.faults()))
    .add('POST', '/__admin/faults', (r) => {
      const errors = validateFaultSpec(r.body);
      return errors.length > 0 ? validation(errors) : json(201, admin.setFault(r.body as FaultSpec));
    })
    .add('DELETE', '/__admin/faults', () => {
      admin.clearFaults();
      return noContent();
    })
    .add('DELETE', '/__admin/faults/:id', (r) =>
      admin.removeFault(r.params.id ?? '') ? noContent() : json(404, { message: 'no such fault' }),
    )
    .add('POST', '/__admin/tokens/revoke', (r) => json(200, { revoked: admin.revokeTokens(usernameOf(r)) }))
    .add('POST', '/__admin/tokens/expire', (r) => json(200, { expired: admin.expireTokens(usernameOf(r)) }))
    .add('POST', '/__admin/clock/advance', (r) => {
      const ms = asRecord(r.body).ms;
      if (typeof ms !== 'number' || !Number.isFinite(ms)) return validation(['ms must be a number']);
      return json(200, { now: admin.advanceClock(ms) });
    })
    .add('POST', '/__admin/advance', (r) => {
      const b = asRecord(r.body);
      const opts: AdvanceOptions = {};
      if (b.kind === 'consult' || b.kind === 'operation') opts.kind = b.kind;
      if (typeof b.id === 'string') opts.id = b.id;
      if (b.untilIdle === true) opts.untilIdle = true;
      return json(200, { fired: admin.advance(opts) });
    })
    .add('GET', '/__admin/webhooks', () => json(200, admin.webhooks()))
    .add('DELETE', '/__admin/webhooks', () => {
      admin.clearWebhooks();
      return noContent();
    })
    .add('GET', '/__admin/config', () => json(200, admin.config()))
    .add('PATCH', '/__admin/config', (r) => {
      try {
        return json(200, admin.configure(asRecord(r.body) as Partial<RuntimeConfig>));
      } catch (err) {
        return fail(err);
      }
    })
    .add('GET', '/__admin/scenarios', () => json(200, admin.scenarios()))
    .add('PUT', '/__admin/scenarios/:cpf', (r) => {
      const s = r.body;
      if (!isRecord(s) || !['success', 'rejected', 'failed', 'hang'].includes(String(s.outcome))) {
        return validation(['outcome must be one of: success, rejected, failed, hang']);
      }
      admin.setScenario(r.params.cpf ?? '', { label: 'custom', ...(s as object) } as Scenario);
      return noContent();
    })
    .add('POST', '/__admin/consults', (r) => {
      const b = (r.body ?? {}) as Record<string, unknown>;
      const errors: string[] = [];
      if (typeof b.cpf !== 'string' || !/^\d{11}$/.test(b.cpf)) errors.push('cpf must be 11 digits');
      if (!['SUCCESS', 'REJECTED', 'FAILED'].includes(String(b.status)))
        errors.push('status must be SUCCESS, REJECTED or FAILED');
      if (b.ageDays !== undefined && !(typeof b.ageDays === 'number' && b.ageDays >= 0))
        errors.push('ageDays must be a number >= 0');
      if (errors.length > 0) return validation(errors);
      const username = typeof b.username === 'string' ? b.username : undefined;
      return json(201, admin.seedConsult(b as unknown as SeedConsult, username));
    })
    .add('POST', '/__admin/consults/:id/status', (r) =>
      statusChange(r, (status, description) => {
        if (!isConsultStatus(status)) return validation(['status must be a consult status']);
        const c = admin.setConsultStatus(r.params.id ?? '', status, description);
        return c ? json(200, c) : json(404, { message: 'no such consult' });
      }),
    )
    .add('POST', '/__admin/operations/:id/status', (r) =>
      statusChange(r, (status, description) => {
        if (!isOperationStatus(status)) return validation(['status must be an operation status']);
        const op = admin.setOperationStatus(r.params.id ?? '', status, description);
        return op ? json(200, op) : json(404, { message: 'no such operation' });
      }),
    )
    .add('GET', '/__admin/state', () => json(200, admin.state()));
}
