/** CPF (Brazilian individual taxpayer id): 11 digits, the last two are check digits (mod 11). */

export type CpfProblem = 'not_11_digits' | 'invalid_characters' | 'repeated_digits' | 'wrong_check_digits';

export const CPF_PROBLEM_TEXT: Record<CpfProblem, string> = {
  invalid_characters: 'must contain only digits (dots and a dash are allowed as separators)',
  not_11_digits: 'must have 11 digits',
  repeated_digits: 'is not a valid CPF (all digits are the same)',
  wrong_check_digits: 'is not a valid CPF (check digits do not match)',
};

function checkDigit(digits: string, length: number): number {
  let sum = 0;
  for (let i = 0; i < length; i++) sum += Number(digits[i]) * (length + 1 - i);
  const rest = (sum * 10) % 11;
  return rest === 10 ? 0 : rest;
}

/** Strips the usual separators ("123.456.789-09" -> "12345678909") without validating. */
export function stripCpf(input: string): string {
  return input.trim().replace(/[.\-\s]/g, '');
}

/** Returns why the input is not a CPF, or undefined when it is one. */
export function cpfProblem(input: string): CpfProblem | undefined {
  const digits = stripCpf(input);
  if (!/^\d*$/.test(digits)) return 'invalid_characters';
  if (digits.length !== 11) return 'not_11_digits';
  if (/^(\d)\1{10}$/.test(digits)) return 'repeated_digits';
  if (checkDigit(digits, 9) !== Number(digits[9]) || checkDigit(digits, 10) !== Number(digits[10])) {
    return 'wrong_check_digits';
  }
  return undefined;
}

export function isValidCpf(input: string): boolean {
  return cpfProblem(input) === undefined;
}

/** Digits-only CPF, or undefined when the input is not a valid CPF. */
export function normalizeCpf(input: string): string | undefined {
  return isValidCpf(input) ? stripCpf(input) : undefined;
}
