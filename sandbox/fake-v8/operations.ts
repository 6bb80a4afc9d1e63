import { randomBytes, randomUUID } from 'node:crypto';
import type { Account } from './accounts.ts';
import type { FakeContext } from './context.ts';
import { problem, ReplyError } from './http-util.ts';
import type { Simulation } from './simulations.ts';
import {
  AFTER_PENDENCY_FLOW,
  DEFAULT_OPERATION_FLOW,
  FINAL_OPERATION_STATUSES,
  type OperationStatus,
} from './statuses.ts';

export interface Operation {
  id: string;
  account: string;
  partnerId: string;
  provider: string;
  simulationId: string;
  consultId: string;
  documentNumber: string;
  name: string;
  status: OperationStatus;
  statusDescription: string | null;
  pendencyReason: string | null;
  /** Statuses still to walk: flow[flowIndex] is the current one. */
  flow: OperationStatus[];
  flowIndex: number;
  contractNumber: string;
  formalizationToken: string;
  simulation: Record<string, unknown>;
  borrower: Record<string, unknown>;
  bank: Record<string, unknown>;
  bodyShape: 'majority' | 'flat';
  cancel: { reason: string; description: string | null } | null;
  documents: { id: string; bytes: number; at: string }[];
  createdAt: number;
  updatedAt: number;
  history: { status: OperationStatus; createdAt: string }[];
}

export interface NewOperation {
  simulation: Simulation;
  provider: string;
  cpf: string;
  name: string;
  borrower: Record<string, unknown>;
  bank: Record<string, unknown>;
  bodyShape: 'majority' | 'flat';
}

const DESCRIPTIONS: Partial<Record<OperationStatus, string>> = {
  pending: 'Dados bancários inválidos: chave PIX não encontrada. Atualize os dados de pagamento.',
  rejected: 'Proposta reprovada na análise de crédito.',
};

export const operationNotFound = () =>
  new ReplyError(problem(404, 'operation_not_found', 'Operação não encontrada.'));

/** Operations (proposals) of all accounts; public methods are scoped to one account. */
export class OperationStore {
  private ops = new Map<string, Operation>();
  private seq = 0;
  private readonly ctx: FakeContext;

  constructor(ctx: FakeContext) {
    this.ctx = ctx;
  }

  create(account: Account, n: NewOperation): Operation {
    const dup = [...this.ops.values()].find(
      (o) =>
        o.account === account.username &&
        o.simulationId === n.simulation.id &&
        !FINAL_OPERATION_STATUSES.has(o.status),
    );
    if (dup) {
      throw new ReplyError(
        problem(400, 'operation_already_exists', `Proposta já existente para esta simulação. ID ${dup.id}`),
      );
    }
    const consult = this.ctx.consults.byId(n.simulation.consultId);
    const flow = [...(consult?.scenario.operationFlow ?? DEFAULT_OPERATION_FLOW)];
    const now = this.ctx.clock.now();
    const first = flow[0] ?? 'generating_ccb';
    const op: Operation = {
      id: randomUUID(),
      account: account.username,
      partnerId: account.partnerId,
      provider: n.provider,
      simulationId: n.simulation.id,
      consultId: n.simulation.consultId,
      documentNumber: n.cpf,
      name: n.name,
      status: first,
      statusDescription: DESCRIPTIONS[first] ?? null,
      pendencyReason: first === 'pending' ? 'payment_data' : null,
      flow,
      flowIndex: 0,
      contractNumber: `CCB-${String(++this.seq).padStart(6, '0')}`,
      formalizationToken: randomBytes(12).toString('base64url'),
      simulation: n.simulation.response,
      borrower: n.borrower,
      bank: n.bank,
      bodyShape: n.bodyShape,
      cancel: null,
      documents: [],
      createdAt: now,
      updatedAt: now,
      history: [{ status: first, createdAt: this.ctx.clock.iso() }],
    };
    this.ops.set(op.id, op);
    this.emit(op, 'private.consignment.operation.created');
    this.scheduleNext(op);
    return op;
  }

  get(account: string, id: string): Operation {
    const op = this.ops.get(id);
    if (!op || op.account !== account) throw operationNotFound();
    return op;
  }

  list(account: string): Operation[] {
    return [...this.ops.values()]
      .filter((o) => o.account === account)
      .sort((a, b) => b.createdAt - a.createdAt);
  }

  byToken(token: string): Operation | undefined {
    return [...this.ops.values()].find((o) => o.formalizationToken === token);
  }

  all(): Operation[] {
    return [...this.ops.values()];
  }

  cancel(account: string, id: string, reason: string, description: string | null): Operation {
    const op = this.get(account, id);
    if (FINAL_OPERATION_STATUSES.has(op.status) || op.status === 'awaiting_cancel') {
      throw new ReplyError(
        problem(
          400,
          'operation_cannot_be_canceled',
          `Operação não pode ser cancelada no status ${op.status}.`,
        ),
      );
    }
    op.cancel = { reason, description };
    this.goTo(op, ['awaiting_cancel', 'canceled']);
    return op;
  }

  /** Payment-data pendency fixed: back to analysis and on to paid; elsewhere just stores the data. */
  fixPaymentData(account: string, id: string, bank: Record<string, unknown>): Operation {
    const op = this.get(account, id);
    if (FINAL_OPERATION_STATUSES.has(op.status) || op.status === 'awaiting_cancel') {
      throw new ReplyError(
        problem(
          400,
          'operation_status_not_allowed',
          `Operação no status ${op.status} não aceita alterações.`,
        ),
      );
    }
    op.bank = bank;
    if (op.status === 'pending') this.goTo(op, [...AFTER_PENDENCY_FLOW]);
    return op;
  }

  /** Re-present after documents were fixed: only from `pending`. */
  present(account: string, id: string): Operation {
    const op = this.get(account, id);
    if (op.status !== 'pending') {
      throw new ReplyError(
        problem(400, 'operation_without_pendency', `Operação no status ${op.status} sem pendência.`),
      );
    }
    this.goTo(op, [...AFTER_PENDENCY_FLOW]);
    return op;
  }

  addDocument(account: string, id: string, bytes: number): { id: string } {
    const op = this.get(account, id);
    const doc = { id: randomUUID(), bytes, at: this.ctx.clock.iso() };
    op.documents.push(doc);
    return { id: doc.id };
  }

  /** The borrower signed at formalization_url: leave `formalization` now. */
  sign(token: string): Operation | undefined {
    const op = this.byToken(token);
    if (op?.status === 'formalization') this.ctx.scheduler.advance({ kind: 'operation', id: op.id });
    return op;
  }

  /** Admin: jump to a status; from a status of the default flow it then continues along it. */
  force(id: string, status: OperationStatus, description?: string | null): Operation | undefined {
    const op = this.ops.get(id);
    if (!op) return undefined;
    const at = DEFAULT_OPERATION_FLOW.indexOf(status);
    this.goTo(op, at >= 0 ? DEFAULT_OPERATION_FLOW.slice(at) : [status], description);
    return op;
  }

  clear(): void {
    this.ops.clear();
    this.seq = 0;
  }

  private goTo(op: Operation, flow: OperationStatus[], description?: string | null): void {
    this.ctx.scheduler.cancel('operation', op.id);
    op.flow = flow;
    op.flowIndex = 0;
    this.setStatus(op, flow[0] ?? op.status, description);
    this.scheduleNext(op);
  }

  private scheduleNext(op: Operation): void {
    if (op.flowIndex + 1 >= op.flow.length) return;
    this.ctx.scheduler.schedule('operation', op.id, this.ctx.config.operationStepMs, () => {
      op.flowIndex++;
      this.setStatus(op, op.flow[op.flowIndex] ?? op.status);
      this.scheduleNext(op);
    });
  }

  private setStatus(op: Operation, status: OperationStatus, description?: string | null): void {
    op.status = status;
    op.statusDescription =
      description !== undefined
        ? description
        : status === 'canceled' || status === 'awaiting_cancel'
          ? (op.cancel?.description ?? null)
          : (DESCRIPTIONS[status] ?? null);
    op.pendencyReason = status === 'pending' ? 'payment_data' : null;
    op.updatedAt = this.ctx.clock.now();
    op.history.push({ status, createdAt: this.ctx.clock.iso() });
    this.emit(op, 'private.consignment.operation.updated');
  }

  private emit(op: Operation, type: string): void {
    this.ctx.webhooks.emit(op.account, 'operation', {
      type,
      operationId: op.id,
      status: op.status,
      timestamp: this.ctx.clock.iso(),
    });
  }
}
