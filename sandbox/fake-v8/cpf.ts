function checkDigit(digits: number[], weightStart: number): number {
  let sum = 0;
  digits.forEach((d, i) => {
    sum += d * (weightStart - i);
  });
  const r = (sum * 10) % 11;
  return r === 10 ? 0 : r;
}

/** Completes a 9-digit base with the two CPF check digits. */
export function cpfWithCheckDigits(base9: string): string {
  if (!/^\d{9}$/.test(base9)) throw new Error('CPF base must have 9 digits');
  const digits = [...base9].map(Number);
  digits.push(checkDigit(digits, 10));
  digits.push(checkDigit(digits, 11));
  return digits.join('');
}

/** 11 digits, correct check digits, not all the same digit. */
export function isValidCpf(cpf: string): boolean {
  if (!/^\d{11}$/.test(cpf) || /^(\d)\1{10}$/.test(cpf)) return false;
  return cpfWithCheckDigits(cpf.slice(0, 9)) === cpf;
}

/** For stdout logs: `12345678909` -> `123******09` wherever an 11-digit run appears. */
export const maskCpfs = (text: string): string =>
  text.replace(/(?<!\d)(\d{3})\d{6}(\d{2})(?!\d)/g, '$1******$2');
