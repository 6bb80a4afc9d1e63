import { z } from 'zod';
import { OVERRIDABLE_KEYS, type OverridableKey, type OverrideValues } from '../../config/overrides.ts';

const field = z
  .string({ error: 'deve ser um texto' })
  .max(1000, 'deve ter no máximo 1000 caracteres')
  .optional();

/**
 * What "Testar conexão" and "Salvar" accept: the overridable config keys by name, each optional.
 * Anything else (API_TOKEN, KENTRO_API_KEY...) is refused: the console never changes those.
 */
export const v8CredentialsInput = z.strictObject(
  Object.fromEntries(OVERRIDABLE_KEYS.map((k) => [k, field])) as Record<OverridableKey, typeof field>,
);

export type V8CredentialsInput = z.output<typeof v8CredentialsInput>;

/** An empty field means "keep the current value" (a password is never sent back to the page). */
export function submittedValues(input: V8CredentialsInput): OverrideValues {
  const out: Partial<Record<OverridableKey, string>> = {};
  for (const k of OVERRIDABLE_KEYS) {
    const v = input[k];
    if (typeof v === 'string' && v.trim() !== '') out[k] = v;
  }
  return out;
}
