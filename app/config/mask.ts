/** Masks a login for display: "operador@corban.com.br" -> "op******@corban.com.br". */
export function maskUsername(value: string | undefined): string | null {
  if (!value) return null;
  const at = value.indexOf('@');
  const local = at >= 0 ? value.slice(0, at) : value;
  const domain = at >= 0 ? value.slice(at) : '';
  const keep = local.length <= 3 ? 1 : 2;
  return `${local.slice(0, keep)}${'*'.repeat(Math.max(3, local.length - keep))}${domain}`;
}

/** Shows only that a secret exists, never any part of it. */
export function describeSecret(value: string | undefined): 'definido' | 'vazio' {
  return value ? 'definido' : 'vazio';
}
