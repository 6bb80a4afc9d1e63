import { z } from 'zod';
import { cpfProblem, stripCpf } from '../../domain/cpf.ts';
import { splitBrazilianPhone } from '../../domain/phone.ts';
import { consentField } from '../evidence-context.ts';
import {
  amountField,
  cpfField,
  dateOrInstantField,
  emailField,
  genderField,
  isoDateField,
  limitField,
  pageField,
  phoneField,
  providerField,
  v8IdField,
} from '../validation.ts';

/** Request schemas of the V8 routes; the same objects feed validation and openapi.json. */

const name = z
  .string({ error: 'must be a name' })
  .trim()
  .min(2, 'must have at least 2 characters')
  .max(120, 'must have at most 120 characters');

export const createConsultBody = z.object({
  cpf: cpfField,
  name,
  birthDate: isoDateField,
  gender: genderField,
  email: emailField,
  phone: phoneField,
  provider: providerField.optional(),
  consent: consentField.optional(),
});

export const authorizeConsultBody = z.object({ consent: consentField.optional() });

export const idParams = z.object({ id: v8IdField });

const window = {
  from: dateOrInstantField
    .optional()
    .meta({ description: 'start of the creation window (default: 30 days ago)' }),
  to: dateOrInstantField.optional().meta({ description: 'end of the creation window (default: now)' }),
  page: pageField,
  limit: limitField,
  provider: providerField.optional(),
};

const fromBeforeTo = (q: { from?: string | undefined; to?: string | undefined }, ctx: z.RefinementCtx) => {
  if (q.from && q.to && Date.parse(q.from) > Date.parse(q.to)) {
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
  }
};

export const listConsultsQuery = z
  .object({
    cpf: cpfField.optional(),
    status: z
      .string()
      .regex(/^[A-Za-z_]{1,40}$/, 'must be a V8 consult status such as SUCCESS')
      .transform((s) => s.toUpperCase())
      .optional(),
    ...window,
  })
  .superRefine(fromBeforeTo);

export const listOperationsQuery = z
  .object({ cpf: cpfField.optional(), ...window })
  .superRefine(fromBeforeTo);

export const getOperationQuery = z.object({ provider: providerField.optional() });

export const simulationBody = z
  .object({
    consultId: v8IdField,
    configId: v8IdField,
    installments: z.coerce
      .number({ error: 'must be a number of months' })
      .int('must be a whole number of months')
      .min(1, 'must be between 1 and 120')
      .max(120, 'must be between 1 and 120'),
    installmentValue: amountField.optional().meta({ description: 'desired monthly instalment (BRL)' }),
    disbursedAmount: amountField.optional().meta({ description: 'desired released amount (BRL)' }),
    provider: providerField.optional(),
  })
  .superRefine((b, ctx) => {
    if (b.installmentValue !== undefined && b.disbursedAmount !== undefined) {
      for (const path of ['installmentValue', 'disbursedAmount']) {
        ctx.addIssue({
          code: 'custom',
          path: [path],
          message: 'send installmentValue or disbursedAmount, not both',
        });
      }
    }
  })
  .meta({
    description:
      'At most one of installmentValue / disbursedAmount; with neither V8 simulates the largest instalment the margin allows.',
  });

const shortText = (max: number) =>
  z
    .string({ error: 'is required' })
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must have at most ${max} characters`);

const pixBank = z
  .object({
    transferMethod: z.literal('pix'),
    pixKey: shortText(140),
    pixKeyType: z.enum(['cpf', 'email', 'phone', 'random'], { error: 'must be cpf, email, phone or random' }),
  })
  .transform((b, ctx) => {
    // V8 wants phone keys as +55DDDNUMBER and CPF keys as 11 digits.
    if (b.pixKeyType === 'phone') {
      const r = splitBrazilianPhone(b.pixKey);
      if (!r.ok) {
        ctx.addIssue({ code: 'custom', path: ['pixKey'], message: r.reason });
        return z.NEVER;
      }
      return { ...b, pixKey: `+55${r.phone.areaCode}${r.phone.phoneNumber}` };
    }
    if (b.pixKeyType === 'cpf') {
      if (cpfProblem(b.pixKey)) {
        ctx.addIssue({
          code: 'custom',
          path: ['pixKey'],
          message: 'must be a valid CPF when pixKeyType is cpf',
        });
        return z.NEVER;
      }
      return { ...b, pixKey: stripCpf(b.pixKey) };
    }
    if (b.pixKeyType === 'email' && !z.email().safeParse(b.pixKey).success) {
      ctx.addIssue({
        code: 'custom',
        path: ['pixKey'],
        message: 'must be an e-mail when pixKeyType is email',
      });
      return z.NEVER;
    }
    return b;
  });

const digits = (min: number, max: number, what: string) =>
  z.string({ error: 'is required' }).regex(new RegExp(`^\\d{${min},${max}}$`), `must be ${what}`);

const tedBank = z.object({
  transferMethod: z.literal('ted'),
  bankId: z.string().max(64).optional(),
  bankCode: digits(3, 3, 'the 3-digit bank code'),
  branchNumber: digits(1, 6, 'the branch number (digits)'),
  accountNumber: digits(1, 20, 'the account number (digits)'),
  accountDigit: z.string({ error: 'is required' }).regex(/^[0-9Xx]{1,2}$/, 'must be the account check digit'),
});

export const bankSchema = z.discriminatedUnion('transferMethod', [pixBank, tedBank], {
  error: 'transferMethod must be pix or ted',
});

export const createOperationBody = z.object({
  simulationId: v8IdField,
  provider: providerField.optional(),
  borrower: z.object({
    name,
    email: emailField,
    phone: phoneField,
    politicallyExposed: z.boolean({ error: 'must be true or false' }).default(false),
    address: z.object({
      street: shortText(120),
      number: shortText(20),
      complement: z.string().trim().max(60, 'must have at most 60 characters').optional(),
      neighborhood: shortText(80),
      city: shortText(80),
      state: z
        .string({ error: 'is required' })
        .regex(/^[A-Za-z]{2}$/, 'must be the two-letter state (UF), e.g. SP')
        .transform((s) => s.toUpperCase()),
      postalCode: z
        .string({ error: 'is required' })
        .regex(/^\d{5}-?\d{3}$/, 'must be a CEP with 8 digits')
        .transform((s) => s.replace('-', '')),
    }),
    birthDate: isoDateField,
    motherName: name,
    nationality: z.string().trim().min(2).max(40).default('brazilian'),
    documentIssuer: shortText(20),
    gender: genderField,
    maritalStatus: z.enum(['single', 'married', 'divorced', 'widowed'], {
      error: 'must be single, married, divorced or widowed',
    }),
    cpf: cpfField,
    identityDocument: z.object({
      type: z.enum(['rg', 'cnh'], { error: 'must be rg or cnh' }),
      number: shortText(20),
      issueDate: isoDateField,
    }),
    bank: bankSchema,
    workData: z
      .object({
        employerName: z.string().trim().max(120).optional(),
        employerDocumentNumber: z
          .string()
          .regex(/^\d{14}$/, 'must be a CNPJ with 14 digits')
          .optional(),
        registrationNumber: z.string().trim().max(40).optional(),
      })
      .optional(),
  }),
});

export const cancelOperationBody = z.object({
  reason: z
    .string()
    .regex(/^[a-z_]+:[a-z_]+$/, 'must look like category:detail, e.g. invalid_data:other')
    .default('invalid_data:other'),
  description: z.string().trim().max(200, 'must have at most 200 characters').optional(),
  provider: providerField.optional(),
});

export const paymentDataBody = z.object({ bank: bankSchema });

export const registerWebhooksBody = z.object({
  url: z
    .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
    .optional()
    .meta({ description: 'URL to register instead of <PUBLIC_BASE_URL>/webhooks/v8/<WEBHOOK_SECRET>' }),
});
