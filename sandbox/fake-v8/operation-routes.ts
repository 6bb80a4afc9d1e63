import { randomUUID } from 'node:crypto';
import type { FakeContext } from './context.ts';
import { asRecord, type FakeRequest, isRecord, json, problem, type Reply, validation } from './http-util.ts';
import { listWindow } from './list-query.ts';
import { parseOperationBody, validateBank } from './operation-body.ts';
import type { Operation } from './operations.ts';
import type { Router } from './router.ts';

const iso = (ms: number) => new Date(ms).toISOString();
const money = (v: unknown) => (typeof v === 'number' ? v.toFixed(2) : null);

/** List item (§1.11): camelCase, `operationId` (not `id`), amounts as strings. */
export function operationListItem(op: Operation): Record<string, unknown> {
  return {
    operationId: op.id,
    contractNumber: op.contractNumber,
    name: op.name,
    documentNumber: op.documentNumber,
    status: op.status,
    partnerId: op.partnerId,
    provider: op.provider,
    createdAt: iso(op.createdAt),
    updatedAt: iso(op.updatedAt),
    disbursedIssueAmount: money(op.simulation.disbursed_issue_amount),
    history: op.history.map((h) => ({ ...h })),
  };
}

/** Detail (§1.11): `id`, snake_case, amounts under operation_data. */
export function operationDetail(op: Operation, publicUrl: string): Record<string, unknown> {
  const s = op.simulation;
  const signed = ['analysis', 'manual_analysis', 'awaiting_call', 'processing', 'paid'].includes(op.status);
  return {
    id: op.id,
    status: op.status,
    provider: op.provider,
    consult_id: op.consultId,
    simulation_id: op.simulationId,
    contract_number: op.contractNumber,
    contract_url: signed ? `${publicUrl}/contratos/${op.id}.pdf` : null,
    formalization_url: formalizationUrl(op, publicUrl),
    status_description: op.statusDescription,
    pendency_reason: op.pendencyReason,
    document_number: op.documentNumber,
    name: op.name,
    operation_data: {
      issue_amount: s.issue_amount,
      installment_face_value: s.installment_value,
      number_of_installments: s.number_of_installments,
      disbursed_issue_amount: s.disbursed_issue_amount,
      operation_amount: s.operation_amount,
      iof_amount: s.iof_amount,
      monthly_interest_rate: s.monthly_interest_rate,
      first_installment_date: s.first_installment_date,
    },
    borrower: structuredClone(op.borrower),
    bank: structuredClone(op.bank),
    history: op.history.map((h) => ({ ...h })),
    created_at: iso(op.createdAt),
    updated_at: iso(op.updatedAt),
  };
}

export const formalizationUrl = (op: Operation, publicUrl: string) =>
  `${publicUrl}/formalizacao/${op.formalizationToken}`;

function create(req: FakeRequest, ctx: FakeContext): Reply {
  const parsed = parseOperationBody(req.body);
  if (Array.isArray(parsed)) return validation(parsed);
  const account = ctx.accounts.get(req.account ?? '');
  if (!account) return json(401, { message: 'Unauthorized' });
  const sim = parsed.simulationId
    ? ctx.simulations.get(account.username, parsed.simulationId)
    : ctx.simulations.latestForConsult(account.username, parsed.consultId ?? '');
  if (!sim) return problem(400, 'simulation_not_found', 'Simulação não encontrada.');
  if (parsed.consultId && parsed.consultId !== sim.consultId) {
    return validation(['consult_id does not match the simulation']);
  }
  const consult = ctx.consults.byId(sim.consultId);
  if (consult && consult.documentNumber !== parsed.cpf) {
    return validation(['borrower document number does not match the consult document']);
  }
  const op = ctx.operations.create(account, {
    simulation: sim,
    provider: parsed.provider ?? sim.request.provider,
    cpf: parsed.cpf,
    name: parsed.name,
    borrower: parsed.borrower,
    bank: parsed.bank,
    bodyShape: parsed.shape,
  });
  return json(201, {
    id: op.id,
    status: op.status,
    formalization_url: formalizationUrl(op, ctx.publicUrl()),
  });
}

function list(req: FakeRequest, ctx: FakeContext): Reply {
  const q = req.query;
  const w = listWindow(q);
  if ('errors' in w) return validation(w.errors);
  const search = q.search?.trim().toLowerCase();
  const items = ctx.operations
    .list(req.account ?? '')
    .filter(
      (o) =>
        (w.window.startDate === undefined || o.createdAt >= w.window.startDate) &&
        (w.window.endDate === undefined || o.createdAt <= w.window.endDate) &&
        (!q.provider || o.provider === q.provider) &&
        (!q.status || o.status === q.status) &&
        (!search || o.documentNumber.includes(search) || o.name.toLowerCase().includes(search)),
    );
  const start = (w.page - 1) * w.limit;
  const page = items.slice(start, start + w.limit).map(operationListItem);
  const shape = ctx.config.operationListShape;
  if (shape === 'array') return json(200, page);
  const totalPages = Math.max(1, Math.ceil(items.length / w.limit));
  return json(
    200,
    shape === 'items' ? { items: page, pages: { totalPages } } : { data: page, pages: { totalPages } },
  );
}

function cancel(req: FakeRequest, ctx: FakeContext): Reply {
  const b = asRecord(req.body);
  const errors: string[] = [];
  if (typeof b.cancel_reason !== 'string' || !b.cancel_reason) errors.push('cancel_reason must be a string');
  if (b.cancel_description !== undefined && typeof b.cancel_description !== 'string') {
    errors.push('cancel_description must be a string');
  } else if (typeof b.cancel_description === 'string' && b.cancel_description.length > 200) {
    errors.push('cancel_description must be shorter than or equal to 200 characters');
  }
  if (errors.length > 0) return validation(errors);
  const description = typeof b.cancel_description === 'string' ? b.cancel_description : null;
  const op = ctx.operations.cancel(
    req.account ?? '',
    req.params.id ?? '',
    String(b.cancel_reason),
    description,
  );
  return json(200, { id: op.id, status: op.status });
}

function paymentData(req: FakeRequest, ctx: FakeContext): Reply {
  const b = asRecord(req.body);
  const errors = validateBank(b.bank, 'bank');
  if (errors.length > 0) return validation(errors);
  const op = ctx.operations.fixPaymentData(req.account ?? '', req.params.id ?? '', asRecord(b.bank));
  return json(200, { id: op.id, status: op.status });
}

function presentation(req: FakeRequest, ctx: FakeContext): Reply {
  const op = ctx.operations.present(req.account ?? '', req.params.id ?? '');
  return json(200, { id: op.id, status: op.status });
}

/** Multipart is not decoded: the upload is recorded with its size. */
function document(req: FakeRequest, ctx: FakeContext): Reply {
  const body = asRecord(req.body);
  if (body.multipart !== true) return validation(['file must be sent as multipart/form-data']);
  return json(
    201,
    ctx.operations.addDocument(req.account ?? '', req.params.id ?? '', Number(body.bytes) || 0),
  );
}

function documentsPendency(req: FakeRequest, ctx: FakeContext): Reply {
  const op = ctx.operations.get(req.account ?? '', req.params.id ?? '');
  return json(200, { id: op.id, status: op.status });
}

function fileUpload(req: FakeRequest): Reply {
  const items = Array.isArray(req.body) ? req.body : [req.body];
  return json(
    201,
    items.map((i) => ({ key: randomUUID(), file_name: isRecord(i) ? (i.file_name ?? null) : null })),
  );
}

const BANKS = [
  { id: 'b0000001-0000-4000-8000-000000000001', code: '001', name: 'BANCO DO BRASIL S.A.' },
  { id: 'b0000001-0000-4000-8000-000000000104', code: '104', name: 'CAIXA ECONOMICA FEDERAL' },
  { id: 'b0000001-0000-4000-8000-000000000237', code: '237', name: 'BANCO BRADESCO S.A.' },
  { id: 'b0000001-0000-4000-8000-000000000341', code: '341', name: 'ITAU UNIBANCO S.A.' },
  { id: 'b0000001-0000-4000-8000-000000000260', code: '260', name: 'NU PAGAMENTOS S.A.' },
];

export function operationRoutes(router: Router, ctx: FakeContext): void {
  const base = '/private-consignment/operation';
  router
    .add('POST', base, (r) => create(r, ctx))
    .add('GET', base, (r) => list(r, ctx))
    .add('GET', `${base}/:id`, (r) =>
      json(200, operationDetail(ctx.operations.get(r.account ?? '', r.params.id ?? ''), ctx.publicUrl())),
    )
    .add('POST', `${base}/:id/cancel`, (r) => cancel(r, ctx))
    .add('PATCH', `${base}/:id/pendency/payment-data`, (r) => paymentData(r, ctx))
    .add('PATCH', `${base}/:id/pendency/presentation`, (r) => presentation(r, ctx))
    .add('PATCH', `${base}/:id/pendency/documents`, (r) => documentsPendency(r, ctx))
    .add('POST', `${base}/:id/document`, (r) => document(r, ctx))
    .add('POST', '/file/upload/private-consignment', (r) => fileUpload(r))
    .add('GET', '/banks', () => json(200, { data: BANKS }));
}
