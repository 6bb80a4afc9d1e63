/**
 * Redaction lives here, not in callers: whatever a caller logs (objects, upstream bodies, error
 * messages) passes through this before it reaches a file or stdout.
 */
const SECRET_KEY =
  /pass(word)?|senha|secret|token|authorization|api[-_]?key|apikey|cookie|client[-_]?secret|hash/i;
const REDACTED = '[REDACTED]';
const CPF_FORMATTED = /\b(\d{3})\.\d{3}\.\d{3}-(\d{2})\b/g;
// 11 digits not touching other digits: CPFs (and 11-digit phones, also personal data).
const CPF_DIGITS = /(?<!\d)(\d{3})\d{6}(\d{2})(?!\d)/g;
const BEARER = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
// key=value or "key":"value" pairs inside free text (form bodies, query strings, serialized JSON).
const INLINE_PAIR =
  /((?:"|\b)(?:password|senha|access_token|refresh_token|id_token|api_?key|apiKey|token|client_secret|secret)"?\s*[:=]\s*"?)([^"&\s,}]+)/gi;

export function maskCpf(text: string): string {
  return text.replace(CPF_FORMATTED, '$1.***.***-$2').replace(CPF_DIGITS, '$1.***.***-$2');
}

export class Redactor {
  private readonly secrets = new Set<string>();

  /** Known secret values (config credentials, tokens obtained at run time) are cut out wherever they appear. */
  addSecret(value: string | undefined | null): void {
    if (value && value.length >= 4) this.secrets.add(value);
  }

  removeSecret(value: string | undefined | null): void {
    if (value) this.secrets.delete(value);
  }

  text(input: string): string {
    let out = input;
    for (const s of this.secrets) if (out.includes(s)) out = out.split(s).join(REDACTED);
    out = out.replace(BEARER, `$1 ${REDACTED}`).replace(JWT, REDACTED).replace(INLINE_PAIR, `$1${REDACTED}`);
    return maskCpf(out);
  }

  value(input: unknown, depth = 0): unknown {
    if (typeof input === 'string') return this.text(input);
    if (input === null || typeof input !== 'object') return input;
    if (depth > 8) return '[depth limit]';
    if (input instanceof Error) {
      return {
        name: input.name,
        message: this.text(input.message),
        code: (input as { code?: unknown }).code,
      };
    }
    if (Array.isArray(input)) return input.map((v) => this.value(v, depth + 1));
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(input)) {
      out[k] =
        SECRET_KEY.test(k) && v !== undefined && v !== null && v !== '' ? REDACTED : this.value(v, depth + 1);
    }
    return out;
  }
}
