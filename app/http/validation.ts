import { z } from 'zod';
import { AppError, type FieldIssue } from '../domain/app-error.ts';
import { CPF_PROBLEM_TEXT, cpfProblem, stripCpf } from '../domain/cpf.ts';
import { type SplitPhone, splitBrazilianPhone } from '../domain/phone.ts';

/**
 * Request validation: a zod schema per input, and one AppError('invalid_data') naming EVERY bad
 * field with a reason. Reasons are rules ("must have 11 digits"), never the value received.
 */
function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let v = input;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v;
}

export function issuesToFields(
  error: z.ZodError,
  input: unknown,
  root = 'body',
  requiredText = 'is required',
): FieldIssue[] {
  const seen = new Set<string>();
  const fields: FieldIssue[] = [];
  for (const i of error.issues) {
    const field = i.path.length > 0 ? i.path.map(String).join('.') : root;
    if (seen.has(field)) continue;
    seen.add(field);
    // Zod does not report the input (so no value leaks into messages); we look it up ourselves.
    const missing = i.code !== 'custom' && valueAt(input, i.path) === undefined;
    fields.push({ field, reason: missing ? requiredText : i.message });
  }
  return fields;
}

/** Parses `input` or throws AppError.invalid; `root` names the whole input when it is missing. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, root = 'body'): z.output<S> {
  const result = schema.safeParse(input);
  if (!result.success) throw AppError.invalid(issuesToFields(result.error, input, root));
  return result.data;
}

// ---- Field schemas shared by the routes (and documented in openapi.json). ----

export const cpfField = z
  .string({ error: 'must be a string of 11 digits' })
  .superRefine((v, ctx) => {
    const problem = cpfProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: CPF_PROBLEM_TEXT[problem] });
  })
  .transform(stripCpf)
  .meta({
    description: 'CPF, 11 digits with valid check digits; dots and dash allowed',
    example: '123.456.789-09',
  });

function isCalendarDate(v: string): boolean {
  const d = new Date(`${v}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === v;
}

export const isoDateField = z
  .string({ error: 'must be a date as YYYY-MM-DD' })
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date as YYYY-MM-DD')
  .refine(isCalendarDate, 'is not a calendar date')
  .meta({ format: 'date', example: '1990-04-15' });

const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** A day (YYYY-MM-DD) or an ISO-8601 instant with a time zone. */
export const dateOrInstantField = z
  .string()
  .refine(
    (v) =>
      /^\d{4}-\d{2}-\d{2}$/.test(v)
        ? isCalendarDate(v)
        : ISO_DATETIME.test(v) && !Number.isNaN(Date.parse(v)),
    'must be a date (YYYY-MM-DD) or an ISO-8601 date-time with time zone',
  )
  .meta({ example: '2025-03-01' });

export const providerField = z
  .enum(['QI', 'CELCOIN'], { error: 'must be QI or CELCOIN' })
  .meta({ description: 'V8 provider (bancarizadora); defaults to V8_PROVIDER of this client' });

export const genderField = z.enum(['male', 'female'], { error: 'must be male or female' });

export const emailField = z.email({ error: 'must be an e-mail address' }).max(254);

export const phoneField = z
  .string({ error: 'must be a Brazilian phone number' })
  .transform((v, ctx): SplitPhone => {
    const r = splitBrazilianPhone(v);
    if (!r.ok) {
      ctx.addIssue({ code: 'custom', message: r.reason });
      return z.NEVER;
    }
    return r.phone;
  })
  .meta({
    description: 'Brazilian phone with DDD: "(11) 91234-5678", "11912345678" or "+55 11 91234-5678"',
    example: '(11) 91234-5678',
  });

/** A positive amount in BRL: a number or a numeric string ("350.00"). */
export const amountField = z
  .union(
    [
      z.number(),
      z
        .string()
        .trim()
        .regex(/^\d+(\.\d{1,2})?$/, 'must be a number'),
    ],
    {
      error: 'must be a positive number',
    },
  )
  .transform((v) => (typeof v === 'number' ? v : Number(v)))
  .pipe(
    z
      .number()
      .positive('must be greater than zero')
      .max(10_000_000, 'is too large')
      .refine((n) => Number.isFinite(n), 'must be a number')
      // Reais and centavos: 0.001 is not an amount V8 can pay (the text form allows 2 decimals too).
      .refine((n) => Math.abs(n * 100 - Math.round(n * 100)) < 1e-6, 'must have at most 2 decimal places'),
  )
  .meta({ example: 350 });

/** Ids V8 gave us (UUIDs in practice): letters, digits and dashes. */
export const v8IdField = z
  .string({ error: 'must be the id V8 returned' })
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/, 'must be the id V8 returned (letters, digits and dashes)')
  .meta({ example: '6b1f9c2e-3d4a-4f5b-9a8c-000000000101' });

export const pageField = z.coerce
  .number()
  .int('must be a whole number')
  .min(1, 'must be 1 or more')
  .default(1);
export const limitField = z.coerce
  .number()
  .int('must be a whole number')
  .min(1, 'must be between 1 and 100')
  .max(100, 'must be between 1 and 100')
  .default(50);
