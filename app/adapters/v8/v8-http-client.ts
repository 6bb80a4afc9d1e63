import type { z } from 'zod';
import type { V8Provider } from '../../config/app-config.ts';
import { AppError, isAppError } from '../../domain/app-error.ts';
import {
  DEFAULT_RETRY_POLICY,
  decideRetry,
  parseRetryAfter,
  type RetryPolicy,
} from '../../domain/retry-policy.ts';
import { classifyV8Failure, v8AppError } from '../../domain/v8-error-classification.ts';
import type { Logger } from '../../logging/logger.ts';
import type { Clock } from '../clock.ts';
import type {
  BankData,
  CancelRequest,
  ConsultQuery,
  NewConsult,
  NewOperation,
  OperationQuery,
  SimulationRequest,
  V8Client,
  WebhookKind,
} from './v8-client.ts';
import type { V8CredentialsProvider } from './v8-credentials.ts';
import {
  consultCreatedSchema,
  consultListSchema,
  consultSchema,
  operationCreatedSchema,
  operationListSchema,
  operationSchema,
  simulationConfigsSchema,
  simulationSchema,
} from './v8-schemas.ts';
import type { V8TokenCache } from './v8-token-cache.ts';
import type { V8Request, V8Transport } from './v8-transport.ts';

export type Sleep = (ms: number) => Promise<void>;
export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface V8HttpClientOptions {
  readonly credentials: V8CredentialsProvider;
  readonly transport: V8Transport;
  readonly tokens: V8TokenCache;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly retry?: RetryPolicy;
  /** Waits between retries (injectable so tests can see the Retry-After that was honoured). */
  readonly sleep?: Sleep;
  readonly random?: () => number;
}

interface Call<T> {
  readonly action: string;
  readonly method: 'GET' | 'POST' | 'PATCH';
  readonly path: string;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  readonly json?: unknown;
  /** Parses a 2xx body; undefined: the body is ignored (authorize answers text or nothing). */
  readonly schema?: z.ZodType<T>;
}

const seg = (id: string) => encodeURIComponent(id);

/** Only the fields of zod issues (never the values V8 sent) go into the error. */
function shapeIssues(error: z.ZodError): string[] {
  return error.issues.slice(0, 10).map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`);
}

export class V8HttpClient implements V8Client {
  private readonly opts: V8HttpClientOptions;
  private readonly retry: RetryPolicy;
  private readonly sleep: Sleep;
  private readonly random: () => number;

  constructor(opts: V8HttpClientOptions) {
    this.opts = opts;
    this.retry = opts.retry ?? DEFAULT_RETRY_POLICY;
    this.sleep = opts.sleep ?? realSleep;
    this.random = opts.random ?? Math.random;
  }

  async createConsult(input: NewConsult): Promise<{ id: string; status: string }> {
    return this.call({
      action: 'create consult',
      method: 'POST',
      path: '/private-consignment/consult',
      json: {
        borrowerDocumentNumber: input.cpf,
        gender: input.gender,
        birthDate: input.birthDate,
        signerName: input.name,
        signerEmail: input.email,
        signerPhone: {
          countryCode: input.phone.countryCode,
          areaCode: input.phone.areaCode,
          phoneNumber: input.phone.phoneNumber,
        },
        provider: input.provider,
      },
      schema: consultCreatedSchema,
    });
  }

  async authorizeConsult(consultId: string): Promise<{ alreadyApproved: boolean }> {
    try {
      await this.call({
        action: 'authorize consult',
        method: 'POST',
        path: `/private-consignment/consult/${seg(consultId)}/authorize`,
        json: {},
      });
      return { alreadyApproved: false };
    } catch (err) {
      // consult_already_approved (400) or a 409: the consent is in place, which is what we wanted.
      if (isAppError(err) && err.code === 'already_exists') return { alreadyApproved: true };
      throw err;
    }
  }

  listConsults(q: ConsultQuery) {
    return this.call({
      action: 'list consults',
      method: 'GET',
      path: '/private-consignment/consult',
      query: {
        startDate: q.startDate,
        endDate: q.endDate,
        limit: q.limit,
        page: q.page,
        provider: q.provider,
        search: q.search,
        status: q.status,
      },
      schema: consultListSchema,
    });
  }

  getConsult(consultId: string) {
    return this.call({
      action: 'get consult',
      method: 'GET',
      path: `/private-consignment/consult/${seg(consultId)}`,
      schema: consultSchema,
    });
  }

  listSimulationConfigs() {
    return this.call({
      action: 'list simulation configs',
      method: 'GET',
      path: '/private-consignment/simulation/configs',
      schema: simulationConfigsSchema,
    });
  }

  simulate(input: SimulationRequest) {
    if (input.installmentValue !== undefined && input.disbursedAmount !== undefined) {
      // V8 answers 422 to both; we do not spend a call to learn that.
      return Promise.reject(
        AppError.invalid([
          { field: 'installmentValue', reason: 'send installmentValue or disbursedAmount, not both' },
          { field: 'disbursedAmount', reason: 'send installmentValue or disbursedAmount, not both' },
        ]),
      );
    }
    return this.call({
      action: 'simulate',
      method: 'POST',
      path: '/private-consignment/simulation',
      json: {
        consult_id: input.consultId,
        config_id: input.configId,
        number_of_installments: input.installments,
        provider: input.provider,
        ...(input.installmentValue !== undefined ? { installment_face_value: input.installmentValue } : {}),
        ...(input.disbursedAmount !== undefined ? { disbursed_amount: input.disbursedAmount } : {}),
      },
      schema: simulationSchema,
    });
  }

  createOperation(input: NewOperation) {
    const b = input.borrower;
    return this.call({
      action: 'create operation',
      method: 'POST',
      path: '/private-consignment/operation',
      json: {
        simulation_id: input.simulationId,
        provider: input.provider,
        borrower: {
          name: b.name,
          email: b.email,
          phone: {
            country_code: b.phone.countryCode,
            area_code: b.phone.areaCode,
            number: b.phone.phoneNumber,
          },
          political_exposition: b.politicallyExposed,
          address: {
            street: b.address.street,
            number: b.address.number,
            ...(b.address.complement ? { complement: b.address.complement } : {}),
            neighborhood: b.address.neighborhood,
            city: b.address.city,
            state: b.address.state,
            postal_code: b.address.postalCode,
          },
          birth_date: b.birthDate,
          mother_name: b.motherName,
          nationality: b.nationality,
          document_issuer: b.documentIssuer,
          gender: b.gender,
          person_type: 'natural',
          marital_status: b.maritalStatus,
          individual_document_number: b.cpf,
          document_identification_date: b.identityDocument.issueDate,
          document_identification_type: b.identityDocument.type,
          document_identification_number: b.identityDocument.number,
          bank: bankBody(b.bank),
          ...(b.workData
            ? {
                work_data: {
                  employer_name: b.workData.employerName,
                  employer_document_number: b.workData.employerDocumentNumber,
                  registration_number: b.workData.registrationNumber,
                },
              }
            : {}),
        },
      },
      schema: operationCreatedSchema,
    });
  }

  listOperations(q: OperationQuery) {
    return this.call({
      action: 'list operations',
      method: 'GET',
      path: '/private-consignment/operation',
      query: {
        startDate: q.startDate,
        endDate: q.endDate,
        limit: q.limit,
        page: q.page,
        provider: q.provider,
        search: q.search,
      },
      schema: operationListSchema,
    });
  }

  getOperation(operationId: string, provider?: V8Provider) {
    return this.call({
      action: 'get operation',
      method: 'GET',
      path: `/private-consignment/operation/${seg(operationId)}`,
      query: { provider },
      schema: operationSchema,
    });
  }

  async cancelOperation(operationId: string, input: CancelRequest): Promise<void> {
    await this.call({
      action: 'cancel operation',
      method: 'POST',
      path: `/private-consignment/operation/${seg(operationId)}/cancel`,
      json: {
        cancel_reason: input.reason,
        ...(input.description ? { cancel_description: input.description } : {}),
        provider: input.provider,
      },
    });
  }

  async updatePaymentData(operationId: string, bank: BankData): Promise<void> {
    await this.call({
      action: 'update payment data',
      method: 'PATCH',
      path: `/private-consignment/operation/${seg(operationId)}/pendency/payment-data`,
      json: { bank: bankBody(bank) },
    });
  }

  async registerWebhook(kind: WebhookKind, url: string): Promise<void> {
    await this.call({
      action: `register ${kind} webhook`,
      method: 'POST',
      path: `/user/webhook/private-consignment/${kind}`,
      json: { url },
    });
  }

  /**
   * One BFF call: token, pacing and breaker (in the transport), one re-authentication on 401,
   * retries only for GET on 429/5xx honouring Retry-After, and the answer parsed with `schema`.
   */
  private async call<T>(c: Call<T>): Promise<T> {
    const base = this.opts.credentials().baseUrl.replace(/\/+$/, '');
    const query = c.query
      ? (Object.fromEntries(Object.entries(c.query).filter(([, v]) => v !== undefined && v !== '')) as Record<
          string,
          string | number
        >)
      : undefined;
    let attempt = 1;
    let reauthenticated = false;
    for (;;) {
      const token = await this.opts.tokens.getToken();
      const req: V8Request = {
        method: c.method,
        url: `${base}${c.path}`,
        action: c.action,
        bearer: token,
        currentBearer: () => this.opts.tokens.peek(),
        // invalidate() drops the held token synchronously; only the file removal is awaited.
        onUnauthorized: (bearer) => void this.opts.tokens.invalidate(bearer),
        ...(c.json !== undefined ? { json: c.json } : {}),
        ...(query && Object.keys(query).length > 0 ? { searchParams: query } : {}),
      };
      const res = await this.opts.transport.send(req);
      if (res.status >= 200 && res.status < 300) return this.parse(c, res.body);

      if (res.status === 401 && !reauthenticated) {
        // Expired or revoked token: forget it, get one new token, repeat the call once.
        reauthenticated = true;
        this.opts.logger.info('v8 answered 401, authenticating again', { action: c.action });
        await this.opts.tokens.invalidate(res.sentBearer ?? token);
        continue;
      }
      const retryAfterMs = parseRetryAfter(res.retryAfter, this.opts.clock.now());
      const decision = decideRetry(
        { method: c.method, status: res.status, attempt, retryAfterMs, random: this.random() },
        this.retry,
      );
      if (decision.retry) {
        this.opts.logger.warn('v8 call will be repeated', {
          action: c.action,
          status: res.status,
          attempt,
          delayMs: decision.delayMs,
        });
        await this.sleep(decision.delayMs);
        attempt++;
        continue;
      }
      const classified = classifyV8Failure({
        kind: 'http',
        status: res.status,
        body: res.body,
        endpoint: 'bff',
      });
      const retryAfterS =
        classified.code === 'rate_limited'
          ? Math.max(1, Math.ceil((retryAfterMs ?? 1000) / 1000))
          : undefined;
      throw v8AppError(c.action, classified, retryAfterS);
    }
  }

  private parse<T>(c: Call<T>, body: unknown): T {
    if (!c.schema) return undefined as T;
    const parsed = c.schema.safeParse(body);
    if (parsed.success) return parsed.data;
    this.opts.logger.warn('v8 answer in an unexpected shape', {
      action: c.action,
      issues: shapeIssues(parsed.error),
    });
    throw new AppError('upstream_error', `V8 answered in an unexpected shape (${c.action})`, {
      detail: { issues: shapeIssues(parsed.error) },
    });
  }
}

function bankBody(bank: BankData): Record<string, unknown> {
  if (bank.transferMethod === 'pix') {
    return { transfer_method: 'pix', pix_key: bank.pixKey, pix_key_type: bank.pixKeyType };
  }
  return {
    transfer_method: 'ted',
    ...(bank.bankId ? { bank_id: bank.bankId } : {}),
    bank_code: bank.bankCode,
    branch_number: bank.branchNumber,
    account_number: bank.accountNumber,
    account_digit: bank.accountDigit,
  };
}
