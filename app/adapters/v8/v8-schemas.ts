import { z } from 'zod';
import type {
  V8Consult,
  V8Operation,
  V8OperationCreated,
  V8OperationSummary,
  V8Simulation,
  V8SimulationConfig,
} from './v8-client.ts';

/**
 * Zod schemas of V8's answers. Lenient on purpose: extra fields are allowed (looseObject), money
 * comes as a string or a number, and the wrappers seen in the wild (plain array, {data}, {items},
 * {configs}) are all accepted. Each schema outputs our own shape.
 */

const blankToUndefined = (v: unknown) =>
  v === null || (typeof v === 'string' && v.trim() === '') ? undefined : v;

/** "512.37", "512,37" or 512.37 -> 512.37. */
export const money = z.union([
  z.number(),
  z
    .string()
    .trim()
    .regex(/^-?\d+(?:[.,]\d+)?$/, 'not a number')
    .transform((s) => Number(s.replace(',', '.'))),
]);
const optMoney = z.preprocess(blankToUndefined, money.optional());
const optInt = z.preprocess(blankToUndefined, z.coerce.number().optional());
const optString = z.preprocess(blankToUndefined, z.string().optional());
const optBool = z.preprocess(blankToUndefined, z.boolean().optional());
const id = z.union([z.string().min(1), z.number().transform(String)]);

/** Accepts a plain array or an object wrapping it in one of `keys`; keeps `pages.totalPages`. */
function listOf<T extends z.ZodType>(item: T, keys: readonly string[] = ['data', 'items']) {
  return z
    .unknown()
    .transform((body, ctx): { items: unknown[]; totalPages?: number } => {
      if (Array.isArray(body)) return { items: body as unknown[] };
      if (body && typeof body === 'object') {
        const b = body as Record<string, unknown>;
        for (const k of keys) {
          if (Array.isArray(b[k])) {
            const pages = b.pages as { totalPages?: unknown } | undefined;
            const totalPages = Number(pages?.totalPages ?? b.totalPages);
            return { items: b[k] as unknown[], ...(Number.isFinite(totalPages) ? { totalPages } : {}) };
          }
        }
      }
      ctx.addIssue({ code: 'custom', message: `expected an array or an object with ${keys.join('/')}` });
      return z.NEVER;
    })
    .pipe(z.object({ items: z.array(item), totalPages: z.number().optional() }));
}

/** Some answers come wrapped in `data`; unwrap when the expected key is not at the top. */
const unwrapData = (keys: readonly string[]) => (v: unknown) => {
  if (v && typeof v === 'object' && !keys.some((k) => k in (v as object))) {
    const data = (v as { data?: unknown }).data;
    if (data && typeof data === 'object' && !Array.isArray(data)) return data;
  }
  return v;
};

const simulationLimitSchema = z.looseObject({
  monthMin: optInt,
  monthMax: optInt,
  installmentsMin: optInt,
  installmentsMax: optInt,
  valueMin: optMoney,
  valueMax: optMoney,
});

export const consultSchema = z
  .looseObject({
    id,
    status: z.string(),
    description: z.string().nullish(),
    documentNumber: optString,
    name: optString,
    birthDate: optString,
    availableMarginValue: optMoney,
    marginBaseValue: optMoney,
    admissionDateMonthsDifference: optInt,
    simulationLimit: z.preprocess(blankToUndefined, simulationLimitSchema.optional()),
    employerName: optString,
    createdAt: optString,
    updatedAt: optString,
  })
  .transform(
    (c): V8Consult => ({
      id: c.id,
      status: c.status,
      description: c.description ?? null,
      documentNumber: c.documentNumber,
      name: c.name,
      ...(c.birthDate !== undefined ? { birthDate: c.birthDate } : {}),
      availableMarginValue: c.availableMarginValue,
      marginBaseValue: c.marginBaseValue,
      admissionDateMonthsDifference: c.admissionDateMonthsDifference,
      simulationLimit: c.simulationLimit
        ? {
            monthMin: c.simulationLimit.monthMin,
            monthMax: c.simulationLimit.monthMax,
            installmentsMin: c.simulationLimit.installmentsMin,
            installmentsMax: c.simulationLimit.installmentsMax,
            valueMin: c.simulationLimit.valueMin,
            valueMax: c.simulationLimit.valueMax,
          }
        : undefined,
      employerName: c.employerName,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
    }),
  );

export const consultCreatedSchema = z.preprocess(
  unwrapData(['id']),
  z
    .looseObject({ id, status: optString })
    .transform((c) => ({ id: c.id, status: c.status ?? 'WAITING_CONSENT' })),
);

export const consultListSchema = listOf(consultSchema);

const simulationConfigSchema = z
  .looseObject({
    id,
    slug: optString,
    name: optString,
    monthly_interest_rate: optMoney,
    number_of_installments: z.preprocess(blankToUndefined, z.array(z.coerce.number()).optional()),
    is_insured: optBool,
  })
  .transform(
    (c): V8SimulationConfig => ({
      id: c.id,
      slug: c.slug,
      name: c.name,
      monthlyInterestRate: c.monthly_interest_rate,
      installments: c.number_of_installments ?? [],
      // An insured table is flagged, or only recognisable by "seguro" in its slug.
      insured: c.is_insured ?? /seguro/i.test(c.slug ?? ''),
    }),
  );

export const simulationConfigsSchema = listOf(simulationConfigSchema, ['configs', 'data', 'items']).transform(
  (p) => p.items,
);

export const simulationSchema = z.preprocess(
  unwrapData(['id_simulation', 'simulation_id']),
  z
    .looseObject({
      id_simulation: id.optional(),
      simulation_id: id.optional(),
      id: id.optional(),
      installment_value: optMoney,
      installment_face_value: optMoney,
      number_of_installments: optInt,
      operation_amount: optMoney,
      issue_amount: optMoney,
      disbursed_issue_amount: optMoney,
      disbursement_amount: optMoney,
      iof_amount: optMoney,
      monthly_interest_rate: optMoney,
      first_installment_date: optString,
      is_insured: optBool,
      provider: optString,
      simulation_config_id: optString,
      disbursement_option: z.preprocess(
        blankToUndefined,
        z
          .looseObject({
            cet: optMoney,
            iof_amount: optMoney,
            first_due_date: optString,
            final_disbursement_amount: optMoney,
          })
          .optional(),
      ),
    })
    .refine((s) => (s.id_simulation ?? s.simulation_id ?? s.id) !== undefined, {
      message: 'id_simulation is missing',
      path: ['id_simulation'],
    })
    .transform(
      (s): V8Simulation => ({
        id: (s.id_simulation ?? s.simulation_id ?? s.id) as string,
        installmentValue: s.installment_value ?? s.installment_face_value,
        installments: s.number_of_installments,
        operationAmount: s.operation_amount,
        issueAmount: s.issue_amount,
        disbursedAmount:
          s.disbursement_option?.final_disbursement_amount ??
          s.disbursed_issue_amount ??
          s.disbursement_amount,
        iofAmount: s.iof_amount ?? s.disbursement_option?.iof_amount,
        monthlyInterestRate: s.monthly_interest_rate,
        cet: s.disbursement_option?.cet,
        firstInstallmentDate: s.first_installment_date ?? s.disbursement_option?.first_due_date,
        insured: s.is_insured,
        provider: s.provider,
        configId: s.simulation_config_id,
      }),
    ),
);

export const operationCreatedSchema = z.preprocess(
  unwrapData(['id', 'operation_id', 'idOperation']),
  z
    .looseObject({
      id: id.optional(),
      operation_id: id.optional(),
      idOperation: id.optional(),
      formalization_url: optString,
      formalizationUrl: optString,
      status: optString,
    })
    .refine((o) => (o.id ?? o.operation_id ?? o.idOperation) !== undefined, {
      message: 'id is missing',
      path: ['id'],
    })
    .transform(
      (o): V8OperationCreated => ({
        id: (o.id ?? o.operation_id ?? o.idOperation) as string,
        formalizationUrl: o.formalization_url ?? o.formalizationUrl,
        status: o.status ?? 'pending',
      }),
    ),
);

const operationSummarySchema = z
  .looseObject({
    operationId: id.optional(),
    id: id.optional(),
    status: z.string(),
    contractNumber: optString,
    name: optString,
    documentNumber: optString,
    createdAt: optString,
    disbursedIssueAmount: optMoney,
  })
  .refine((o) => (o.operationId ?? o.id) !== undefined, {
    message: 'operationId is missing',
    path: ['operationId'],
  })
  .transform(
    (o): V8OperationSummary => ({
      id: (o.operationId ?? o.id) as string,
      status: o.status,
      contractNumber: o.contractNumber,
      name: o.name,
      documentNumber: o.documentNumber,
      createdAt: o.createdAt,
      disbursedAmount: o.disbursedIssueAmount,
    }),
  );

export const operationListSchema = listOf(operationSummarySchema);

const operationData = z.looseObject({
  issue_amount: optMoney,
  installment_face_value: optMoney,
  number_of_installments: optInt,
  disbursed_issue_amount: optMoney,
});

export const operationSchema = z.preprocess(
  unwrapData(['id', 'operationId', 'status']),
  z
    .looseObject({
      id: id.optional(),
      operationId: id.optional(),
      status: z.string(),
      provider: optString,
      contract_number: optString,
      contractNumber: optString,
      contract_url: optString,
      contractUrl: optString,
      formalization_url: optString,
      formalizationUrl: optString,
      pendency_reason: optString,
      status_description: optString,
      operation_data: z.preprocess(blankToUndefined, operationData.optional()),
      issue_amount: optMoney,
      installment_face_value: optMoney,
      number_of_installments: optInt,
      disbursed_issue_amount: optMoney,
    })
    .refine((o) => (o.id ?? o.operationId) !== undefined, { message: 'id is missing', path: ['id'] })
    .transform(
      (o): V8Operation => ({
        id: (o.id ?? o.operationId) as string,
        status: o.status,
        provider: o.provider,
        contractNumber: o.contract_number ?? o.contractNumber,
        contractUrl: o.contract_url ?? o.contractUrl,
        formalizationUrl: o.formalization_url ?? o.formalizationUrl,
        pendencyReason: o.pendency_reason ?? o.status_description,
        issueAmount: o.operation_data?.issue_amount ?? o.issue_amount,
        installmentValue: o.operation_data?.installment_face_value ?? o.installment_face_value,
        installments: o.operation_data?.number_of_installments ?? o.number_of_installments,
        disbursedAmount: o.operation_data?.disbursed_issue_amount ?? o.disbursed_issue_amount,
      }),
    ),
);

export const tokenSchema = z.looseObject({
  access_token: z.string().min(1),
  expires_in: z.preprocess(blankToUndefined, z.coerce.number().positive().optional()),
});
