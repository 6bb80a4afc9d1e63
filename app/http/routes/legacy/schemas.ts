import { z } from 'zod';
import { AppError } from '../../../domain/app-error.ts';
import { listedCpf } from '../../../domain/cpf-list-parser.ts';
import { looseNumber } from '../../../use-cases/legacy/legacy-simulation.ts';
import { dateOrInstantField, issuesToFields, providerField } from '../../validation.ts';

/**
 * Every input of the old service's routes (docs/LEGACY-CONTRACT.md), with pt-BR reasons for the old
 * callers. The old callers send what their tools produce: CPFs with punctuation or as numbers, money
 * as "300,50", booleans as strings; all of it is accepted here and nothing else.
 */

/** Highest instalment (valor / installment_face_value) accepted, BRL: far above any payroll margin. */
export const MAX_INSTALMENT_BRL = 100_000;
export const MAX_FLOW_WAIT_S = 55;
export const MAX_WA_WAIT_S = 30;

/** Like parseInput, with "é obrigatório" for missing fields. */
export function parseLegacy<S extends z.ZodType>(schema: S, input: unknown, root = 'body'): z.output<S> {
  const r = schema.safeParse(input ?? {});
  if (r.success) return r.data;
  throw AppError.invalid(issuesToFields(r.error, input ?? {}, root, 'é obrigatório'));
}

export const cpfField = z
  .union([z.string(), z.number()], { error: 'é obrigatório: CPF com 11 dígitos' })
  .transform((v, ctx) => {
    const r = listedCpf(String(v));
    if ('reason' in r) {
      ctx.addIssue({ code: 'custom', message: r.reason });
      return z.NEVER;
    }
    return r.cpf;
  });

/** BRL: a number or text with a decimal comma or point ("300,50", "1.234,56", "R$ 300"). */
const money = (what: string, max: number) =>
  z.union([z.number(), z.string()], { error: `deve ser um número (${what})` }).transform((v, ctx) => {
    const n = looseNumber(v);
    if (n === undefined || n <= 0) {
      ctx.addIssue({ code: 'custom', message: `deve ser um número maior que zero (${what})` });
      return z.NEVER;
    }
    if (n > max) {
      ctx.addIssue({ code: 'custom', message: `deve ser no máximo ${max} (${what})` });
      return z.NEVER;
    }
    return Math.round(n * 100) / 100;
  });

const instalment = money('valor da parcela, em reais', MAX_INSTALMENT_BRL);

const term = z
  .union([z.number(), z.string()], { error: 'deve ser o número de parcelas' })
  .transform((v, ctx) => {
    const n = Number(typeof v === 'string' ? v.trim() : v);
    if (!Number.isInteger(n) || n < 1 || n > 420) {
      ctx.addIssue({ code: 'custom', message: 'deve ser um número inteiro de parcelas (1 a 420)' });
      return z.NEVER;
    }
    return n;
  });

const yesNo = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0'])], { error: 'deve ser true ou false' })
  .transform((v) => v === true || v === 'true' || v === '1');

const seconds = (max: number) =>
  z.coerce
    .number({ error: `deve ser um número de segundos (0 a ${max})` })
    .int(`deve ser um número inteiro de segundos (0 a ${max})`)
    .min(0, `deve estar entre 0 e ${max}`)
    .max(max, `deve estar entre 0 e ${max}`);

export const fluxoInput = z.object({
  cpf: cpfField,
  valor: instalment.optional(),
  prazo: term.optional(),
  criarOportunidade: yesNo.optional(),
  createOpportunity: yesNo.optional(),
  enviarWhatsapp: yesNo.optional(),
  sendWhatsapp: yesNo.optional(),
  async: yesNo.optional(),
  aguardar_s: seconds(MAX_FLOW_WAIT_S).optional(),
});

export const personalizadaInput = z
  .object({
    cpf: cpfField,
    valor: instalment.optional(),
    installment_face_value: instalment.optional(),
    prazo: term.optional(),
    number_of_installments: term.optional(),
  })
  .superRefine((b, ctx) => {
    if (b.prazo === undefined && b.number_of_installments === undefined) {
      ctx.addIssue({ code: 'custom', path: ['prazo'], message: 'é obrigatório (número de parcelas)' });
    }
    if (b.valor === undefined && b.installment_face_value === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['valor'],
        message: 'é obrigatório (valor da parcela, em reais)',
      });
    }
    if (b.valor !== undefined && b.installment_face_value !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['valor'],
        message: 'envie valor OU installment_face_value (os dois são o valor da parcela)',
      });
    }
  });

export const cpfOnly = z.object({ cpf: cpfField });
export const objectBody = z.record(z.string(), z.unknown(), { error: 'deve ser um objeto JSON' });
export const salvarInput = z
  .object({
    cpf: cpfField,
    consultId: z
      .string({ error: 'deve ser um texto' })
      .max(100, 'deve ter no máximo 100 caracteres')
      .optional(),
    dadosSimulacao: objectBody.optional(),
    dadosCliente: objectBody.nullable().optional(),
  })
  .loose();
export const whatsappInput = z.object({
  cpf: cpfField,
  reenviar: yesNo.optional(),
  aguardar_s: seconds(MAX_WA_WAIT_S).optional(),
});
export const listQuery = z.object({
  limit: z.coerce
    .number({ error: 'deve ser um número' })
    .int('deve ser um número inteiro')
    .min(1, 'mínimo 1')
    .max(1000, 'máximo 1000')
    .default(1000),
  offset: z.coerce.number({ error: 'deve ser um número' }).int().min(0, 'mínimo 0').default(0),
});
export const operacoesQuery = z.object({
  startDate: dateOrInstantField.optional(),
  endDate: dateOrInstantField.optional(),
  cpf: cpfField.optional(),
  limit: z.coerce
    .number({ error: 'deve ser um número' })
    .int('deve ser um número inteiro')
    .min(1, 'mínimo 1')
    .max(100, 'máximo 100')
    .default(50),
  page: z.coerce.number({ error: 'deve ser um número' }).int().min(1, 'mínimo 1').default(1),
  provider: providerField.optional(),
});
