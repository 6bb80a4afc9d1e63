/**
 * Redaction lives here, not in callers: whatever a caller logs (objects, upstream bodies, error
 * messages) passes through this before it reaches a file or stdout.
 */
const SECRET_KEY =
  /pass(word|wd)?|pwd|senha|secret|token|authorization|api[-_]?key|apikey|cookie|client[-_]?secret|hash|credential|private[-_]?key|signature|^sig$/i;
const REDACTED = '[REDACTED]';
const MAX_STACK = 4000;
const CPF_FORMATTED = /\b(\d{3})\.\d{3}\.\d{3}-(\d{2})\b/g;
// 11 digits not touching other digits: CPFs (and 11-digit phones, also personal data).
const CPF_DIGITS = /(?<!\d)(\d{3})\d{6}(\d{2})(?!\d)/g;
const BEARER = /\b(Bearer)\s+[A-Za-z0-9._~+/=-]+/gi;
// HTTP Basic credentials are base64 of user:password; "basic" followed by a lowercase word is prose.
const BASIC = /\b(Basic)\s+([A-Za-z0-9+/]{6,}={0,2})/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
// scheme://user:password@host (or a token as the user): the whole userinfo goes.
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/?#@"'<>]+@/gi;
// Names whose value is a secret when they appear as a key in free text.
const NAMES =
  'password|passwd|pwd|pass|senha|access_token|refresh_token|id_token|api_?key|apikey|token|client_secret|secret|credentials?|authorization|private_?key';
// Query parameters that carry a secret in signed or keyed URLs (?key=..., &sig=..., X-Amz-Signature=...).
const QUERY_NAMES = `${NAMES}|key|sig|signature|x-amz-signature|x-amz-credential|x-amz-security-token|x-goog-signature|code_verifier`;
// "any-key-with-a-secret-word": "a quoted value, spaces and \" escapes included"
const QUOTED_PAIR = /(["'])([A-Za-z0-9_.-]{1,64})\1(\s*[:=]\s*)(["'])((?:\\.|(?!\4)[^\\\r\n])*)\4/g;
// A name, also as the end of a longer one (V8_PASSWORD, db_token), not inside a word.
const NAME_START = '(?<![A-Za-z0-9])(?:[A-Za-z0-9]+_)*';
// password='a quoted value' / V8_PASSWORD="a quoted value" (the key itself not quoted)
const KEY_QUOTED_VALUE = new RegExp(
  `(${NAME_START}(?:${NAMES}))(\\s*[:=]\\s*)(["'])((?:\\\\.|(?!\\3)[^\\\\\\r\\n])*)\\3`,
  'gi',
);
// ?key=value&sig=value in URLs and form bodies
const QUERY_PAIR = new RegExp(`([?&;](?:${QUERY_NAMES})=)[^&#\\s"'<>]*`, 'gi');
// password=value / V8_PASSWORD=value / password: value (one token, up to a separator). A prefixed
// name only with "=": "V8_PASSWORD: is required" is a validation message naming a field.
const NOT_DONE = '(?!\\[REDACTED\\]|(?:Bearer|Basic)\\s)';
const INLINE_PAIR = new RegExp(
  `((?:${NAME_START}(?:${NAMES})"?\\s*=|\\b(?:${NAMES})"?\\s*:)\\s*)${NOT_DONE}([^"'&\\s,;}]+)`,
  'gi',
);

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
    out = out
      .replace(URL_USERINFO, `$1${REDACTED}@`)
      .replace(BEARER, `$1 ${REDACTED}`)
      .replace(BASIC, (all, scheme: string, value: string) =>
        /^[a-z]+$/.test(value) ? all : `${scheme} ${REDACTED}`,
      )
      .replace(JWT, REDACTED)
      .replace(QUOTED_PAIR, (all, q: string, key: string, sep: string, vq: string) =>
        SECRET_KEY.test(key) ? `${q}${key}${q}${sep}${vq}${REDACTED}${vq}` : all,
      )
      .replace(KEY_QUOTED_VALUE, `$1$2$3${REDACTED}$3`)
      .replace(QUERY_PAIR, `$1${REDACTED}`)
      .replace(INLINE_PAIR, `$1${REDACTED}`);
    return maskCpf(out);
  }

  value(input: unknown, depth = 0): unknown {
    if (typeof input === 'string') return this.text(input);
    if (input === null || typeof input !== 'object') return input;
    if (depth > 8) return '[depth limit]';
    if (input instanceof Error) {
      // Only these fields: an error of an HTTP library also carries the request options (bodies,
      // headers). The stack is kept, redacted like any text: a 500 must be diagnosable from the log.
      const cause = (input as { cause?: unknown }).cause;
      return {
        name: input.name,
        message: this.text(input.message),
        code: (input as { code?: unknown }).code,
        ...(input.stack ? { stack: this.text(input.stack.slice(0, MAX_STACK)) } : {}),
        ...(cause !== undefined ? { cause: this.value(cause, depth + 1) } : {}),
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
