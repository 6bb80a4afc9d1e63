/**
 * Reads a PM2 ecosystem file (`ecosystem.config.cjs`) of the old service WITHOUT running it.
 *
 * The file is JavaScript: requiring it would run whatever it contains (a `require('fs')`, a
 * `child_process` call...). So it is only read as text: a small tokenizer (strings, template
 * literals, numbers, identifiers, punctuation, comments and regex literals) and a parser of the
 * literal subset PM2 files use (`module.exports = { apps: [ { name, env: { PORT } } ] }`, top-level
 * `const x = ...` references, shorthand properties, spreads of known objects). Anything that is not a
 * literal (`process.env.PORT || 4000`, a function call, a template with `${}`) becomes an opaque
 * value that is reported, never evaluated.
 */

export type EcoValue =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'boolean'; readonly value: boolean }
  | { readonly kind: 'null' }
  | { readonly kind: 'object'; readonly entries: ReadonlyMap<string, EcoValue> }
  | { readonly kind: 'array'; readonly items: readonly EcoValue[] }
  /** Not a literal: kept as source text, never evaluated. */
  | { readonly kind: 'opaque'; readonly text: string };

export class EcosystemParseError extends Error {
  constructor(message: string, line: number) {
    super(`${message} (line ${line})`);
    this.name = 'EcosystemParseError';
  }
}

type TokenKind = 'string' | 'template' | 'number' | 'ident' | 'punct' | 'regex';
interface Token {
  readonly kind: TokenKind;
  readonly text: string;
  /** Decoded value of strings and no-substitution templates. */
  readonly value?: string;
  readonly start: number;
  readonly end: number;
  readonly line: number;
}

// Longest first: three-character operators, then two.
const PUNCTS =
  '... === !== **= <<= >>= >>> => == != <= >= && || ?? ?. ++ -- += -= *= /= %= &= |= ^= ** << >>'.split(' ');
const SINGLE_PUNCT = '{}[]()<>,;:.=+-*/%!?&|^~@#';
/** After these a `/` starts a regex literal, not a division. */
const REGEX_AFTER = new Set(
  '( , = : [ ! & | ? { } ; && || ?? => == === != !== + - * % return typeof case'.split(' '),
);

const ESCAPES: Record<string, string> = {
  n: '\n',
  r: '\r',
  t: '\t',
  b: '\b',
  f: '\f',
  v: '\v',
  '0': '\0',
};

export function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  const n = src.length;
  const fail = (msg: string): never => {
    throw new EcosystemParseError(msg, line);
  };
  const prevSignificant = () => tokens[tokens.length - 1];

  while (i < n) {
    const c = src[i] as string;
    if (c === '\n') {
      line++;
      i++;
      continue;
    }
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    // Comments (and a #! line at the very start).
    if (c === '/' && src[i + 1] === '/') {
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    if (c === '#' && i === 0 && src[1] === '!') {
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    if (c === '/' && src[i + 1] === '*') {
      const close = src.indexOf('*/', i + 2);
      if (close < 0) fail('unterminated comment');
      for (let k = i; k < close; k++) if (src[k] === '\n') line++;
      i = close + 2;
      continue;
    }
    const start = i;
    const startLine = line;
    if (c === '"' || c === "'") {
      let value = '';
      i++;
      for (;;) {
        if (i >= n) fail('unterminated string');
        const d = src[i] as string;
        if (d === c) {
          i++;
          break;
        }
        if (d === '\n') fail('line break inside a string');
        if (d === '\\') {
          const e = src[i + 1] ?? '';
          if (e === '\n') {
            line++;
            i += 2;
            continue;
          }
          if (e === 'u' || e === 'x') {
            const m =
              e === 'x'
                ? /^x([0-9a-fA-F]{2})/.exec(src.slice(i + 1, i + 4))
                : /^u(?:\{([0-9a-fA-F]+)\}|([0-9a-fA-F]{4}))/.exec(src.slice(i + 1, i + 12));
            if (!m) fail('bad escape in a string');
            const hex = (m?.[1] ?? m?.[2]) as string;
            value += String.fromCodePoint(Number.parseInt(hex, 16));
            i += 1 + (m?.[0].length ?? 0);
            continue;
          }
          value += ESCAPES[e] ?? e;
          i += 2;
          continue;
        }
        value += d;
        i++;
      }
      tokens.push({ kind: 'string', text: src.slice(start, i), value, start, end: i, line: startLine });
      continue;
    }
    if (c === '`') {
      // A template literal: decoded when it has no ${}, otherwise only skipped (kept opaque).
      let value = '';
      let substituted = false;
      i++;
      let depth = 0;
      for (;;) {
        if (i >= n) fail('unterminated template literal');
        const d = src[i] as string;
        if (d === '\n') line++;
        if (depth === 0) {
          if (d === '`') {
            i++;
            break;
          }
          if (d === '\\') {
            value += ESCAPES[src[i + 1] ?? ''] ?? src[i + 1] ?? '';
            i += 2;
            continue;
          }
          if (d === '$' && src[i + 1] === '{') {
            substituted = true;
            depth = 1;
            i += 2;
            continue;
          }
          value += d;
          i++;
          continue;
        }
        // Inside ${...}: track braces; nested strings/templates are rare in ecosystem files and only
        // need to be skipped, so a simple quote-aware skip is enough.
        if (d === '{') depth++;
        else if (d === '}') depth--;
        else if (d === '"' || d === "'" || d === '`') {
          const q = d;
          i++;
          while (i < n && src[i] !== q) i += src[i] === '\\' ? 2 : 1;
        }
        i++;
      }
      tokens.push({
        kind: 'template',
        text: src.slice(start, i),
        ...(substituted ? {} : { value }),
        start,
        end: i,
        line: startLine,
      });
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      const m =
        /^(?:0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+|(?:\d[\d_]*)?\.?\d[\d_]*(?:[eE][+-]?\d+)?)n?/.exec(
          src.slice(i),
        );
      const text = m?.[0] || c;
      i += text.length;
      tokens.push({ kind: 'number', text, start, end: i, line: startLine });
      continue;
    }
    if (/[A-Za-z_$\u00c0-\uffff]/.test(c)) {
      const m = /^[A-Za-z0-9_$\u00c0-\uffff]+/.exec(src.slice(i));
      const text = m?.[0] ?? c;
      i += text.length;
      tokens.push({ kind: 'ident', text, start, end: i, line: startLine });
      continue;
    }
    if (c === '/') {
      const prev = prevSignificant();
      if (!prev || (prev.kind === 'punct' && REGEX_AFTER.has(prev.text)) || REGEX_AFTER.has(prev.text)) {
        // Regex literal: up to the closing / outside a [class], then flags.
        i++;
        let inClass = false;
        for (;;) {
          if (i >= n || src[i] === '\n') fail('unterminated regular expression');
          const d = src[i];
          if (d === '\\') {
            i += 2;
            continue;
          }
          if (d === '[') inClass = true;
          else if (d === ']') inClass = false;
          else if (d === '/' && !inClass) {
            i++;
            break;
          }
          i++;
        }
        while (i < n && /[a-z]/i.test(src[i] as string)) i++;
        tokens.push({ kind: 'regex', text: src.slice(start, i), start, end: i, line: startLine });
        continue;
      }
    }
    const p = PUNCTS.find((x) => src.startsWith(x, i));
    if (p) {
      i += p.length;
      tokens.push({ kind: 'punct', text: p, start, end: i, line: startLine });
      continue;
    }
    if (SINGLE_PUNCT.includes(c)) {
      i++;
      tokens.push({ kind: 'punct', text: c, start, end: i, line: startLine });
      continue;
    }
    fail(`unexpected character ${JSON.stringify(c)}`);
  }
  return tokens;
}

const OPEN: Record<string, string> = { '{': '}', '[': ']', '(': ')' };
const CLOSERS = new Set(['}', ']', ')']);

class Parser {
  private pos = 0;
  private readonly tokens: Token[];
  private readonly src: string;
  /** Top-level `const|let|var name = <literal>` bindings, for `{ apps }` and `apps: apps`. */
  readonly bindings = new Map<string, EcoValue>();

  constructor(src: string) {
    this.src = src;
    this.tokens = tokenize(src);
  }

  private peek(offset = 0): Token | undefined {
    return this.tokens[this.pos + offset];
  }

  private is(text: string, offset = 0): boolean {
    const t = this.peek(offset);
    return t !== undefined && (t.kind === 'punct' || t.kind === 'ident') && t.text === text;
  }

  private fail(msg: string): never {
    throw new EcosystemParseError(msg, this.peek()?.line ?? this.tokens.at(-1)?.line ?? 1);
  }

  private expect(text: string): void {
    if (!this.is(text)) this.fail(`expected "${text}"`);
    this.pos++;
  }

  /** Skips one balanced expression up to , ; or a closer at depth 0. */
  private skipExpression(): void {
    const stack: string[] = [];
    while (this.pos < this.tokens.length) {
      const t = this.peek() as Token;
      if (t.kind === 'punct') {
        if (stack.length === 0 && (t.text === ',' || t.text === ';' || CLOSERS.has(t.text))) return;
        if (OPEN[t.text]) stack.push(OPEN[t.text] as string);
        else if (CLOSERS.has(t.text)) {
          if (stack.pop() !== t.text) this.fail('unbalanced brackets');
        }
      }
      this.pos++;
      // A statement ends at a line break after a complete expression (no semicolons style):
      // good enough for top-level statements we do not care about.
      const next = this.peek();
      if (stack.length === 0 && next && next.line > t.line && isStatementStart(next)) return;
    }
  }

  private atValueEnd(): boolean {
    const t = this.peek();
    if (!t || (t.kind === 'punct' && (t.text === ',' || t.text === ';' || CLOSERS.has(t.text)))) return true;
    // No semicolon: a new statement on the next line ends the value (automatic semicolon insertion).
    const prev = this.tokens[this.pos - 1];
    return prev !== undefined && t.line > prev.line && isStatementStart(t);
  }

  /** A value; anything past a literal (an operator, a call, a member access) makes it opaque. */
  parseValue(): EcoValue {
    const startTok = this.peek();
    if (!startTok) this.fail('unexpected end of file');
    const from = this.pos;
    const literal = this.parsePrimary();
    if (literal && this.atValueEnd()) return literal;
    this.pos = from;
    this.skipExpression();
    const last = this.tokens[this.pos - 1] as Token;
    return { kind: 'opaque', text: this.src.slice(startTok.start, last.end).replace(/\s+/g, ' ') };
  }

  private parsePrimary(): EcoValue | undefined {
    const t = this.peek() as Token;
    if (t.kind === 'string') {
      this.pos++;
      return { kind: 'string', value: t.value ?? '' };
    }
    if (t.kind === 'template') {
      this.pos++;
      return t.value !== undefined ? { kind: 'string', value: t.value } : undefined;
    }
    if (t.kind === 'number') {
      this.pos++;
      const v = Number(t.text.replaceAll('_', '').replace(/n$/, ''));
      return Number.isFinite(v) ? { kind: 'number', value: v } : undefined;
    }
    if (t.kind === 'punct' && t.text === '-' && this.peek(1)?.kind === 'number') {
      this.pos++;
      const inner = this.parsePrimary();
      return inner?.kind === 'number' ? { kind: 'number', value: -inner.value } : undefined;
    }
    if (t.kind === 'ident') {
      this.pos++;
      if (t.text === 'true' || t.text === 'false') return { kind: 'boolean', value: t.text === 'true' };
      if (t.text === 'null' || t.text === 'undefined') return { kind: 'null' };
      return this.bindings.get(t.text);
    }
    if (t.kind === 'punct' && t.text === '{') return this.parseObject();
    if (t.kind === 'punct' && t.text === '[') return this.parseArray();
    return undefined;
  }

  private parseObject(): EcoValue {
    this.expect('{');
    const entries = new Map<string, EcoValue>();
    while (!this.is('}')) {
      if (this.is('...')) {
        this.pos++;
        const spread = this.parseValue();
        if (spread.kind === 'object') for (const [k, v] of spread.entries) entries.set(k, v);
        else entries.set(`...${spread.kind === 'opaque' ? spread.text : '?'}`, spread);
      } else {
        const keyTok = this.peek();
        if (!keyTok) this.fail('unterminated object');
        let key: string;
        if (keyTok.kind === 'ident' || keyTok.kind === 'number') key = keyTok.text;
        else if (keyTok.kind === 'string') key = keyTok.value ?? '';
        else if (keyTok.kind === 'template' && keyTok.value !== undefined) key = keyTok.value;
        else if (keyTok.kind === 'punct' && keyTok.text === '[') {
          // Computed key: skip it and its value.
          this.skipBalanced();
          if (this.is(':')) this.pos++;
          this.parseValue();
          if (this.is(',')) this.pos++;
          continue;
        } else this.fail('unexpected token in an object');
        this.pos++;
        if (this.is(':')) {
          this.pos++;
          entries.set(key, this.parseValue());
        } else if (this.is('(')) {
          // Method shorthand: name(...) { ... }
          this.skipBalanced();
          if (this.is('{')) this.skipBalanced();
          entries.set(key, { kind: 'opaque', text: `${key}() {...}` });
        } else if (keyTok.kind === 'ident') {
          entries.set(key, this.bindings.get(key) ?? { kind: 'opaque', text: key });
        } else this.fail('expected ":" in an object');
      }
      if (this.is(',')) this.pos++;
      else if (!this.is('}')) this.fail('expected "," or "}" in an object');
    }
    this.expect('}');
    return { kind: 'object', entries };
  }

  private parseArray(): EcoValue {
    this.expect('[');
    const items: EcoValue[] = [];
    while (!this.is(']')) {
      if (this.is(',')) {
        this.pos++;
        items.push({ kind: 'null' });
        continue;
      }
      if (this.is('...')) {
        this.pos++;
        const spread = this.parseValue();
        if (spread.kind === 'array') items.push(...spread.items);
        else items.push(spread.kind === 'opaque' ? spread : { kind: 'opaque', text: '...' });
      } else items.push(this.parseValue());
      if (this.is(',')) this.pos++;
      else if (!this.is(']')) this.fail('expected "," or "]" in an array');
    }
    this.expect(']');
    return { kind: 'array', items };
  }

  private skipBalanced(): void {
    const open = this.peek()?.text ?? '';
    const close = OPEN[open];
    if (!close) this.fail('expected a bracket');
    const stack = [close];
    this.pos++;
    while (stack.length > 0) {
      const t = this.peek();
      if (!t) this.fail('unbalanced brackets');
      if (t.kind === 'punct') {
        if (OPEN[t.text]) stack.push(OPEN[t.text] as string);
        else if (CLOSERS.has(t.text) && stack.pop() !== t.text) this.fail('unbalanced brackets');
      }
      this.pos++;
    }
  }

  /** Walks the top level: records literal bindings, returns what `module.exports =` is given. */
  parseProgram(): EcoValue | undefined {
    let exported: EcoValue | undefined;
    const assigned = new Map<string, EcoValue>();
    while (this.pos < this.tokens.length) {
      if (this.is(';')) {
        this.pos++;
        continue;
      }
      if (
        (this.is('const') || this.is('let') || this.is('var')) &&
        this.peek(1)?.kind === 'ident' &&
        this.is('=', 2)
      ) {
        const name = (this.peek(1) as Token).text;
        this.pos += 3;
        this.bindings.set(name, this.parseValue());
        continue;
      }
      if (this.is('module') && this.is('.', 1) && this.is('exports', 2)) {
        if (this.is('=', 3)) {
          this.pos += 4;
          exported = this.parseValue();
          continue;
        }
        // module.exports.apps = [...]
        if (this.is('.', 3) && this.peek(4)?.kind === 'ident' && this.is('=', 5)) {
          const key = (this.peek(4) as Token).text;
          this.pos += 6;
          assigned.set(key, this.parseValue());
          continue;
        }
      }
      if (this.is('exports') && this.is('.', 1) && this.peek(2)?.kind === 'ident' && this.is('=', 3)) {
        const key = (this.peek(2) as Token).text;
        this.pos += 4;
        assigned.set(key, this.parseValue());
        continue;
      }
      // Any other statement (a require(), a function, an if): skipped, never run.
      const before = this.pos;
      if (this.peek()?.kind === 'punct' && OPEN[this.peek()?.text ?? '']) this.skipBalanced();
      else this.skipExpression();
      if (this.pos === before) this.pos++;
    }
    if (assigned.size > 0) {
      const base = exported?.kind === 'object' ? new Map(exported.entries) : new Map<string, EcoValue>();
      for (const [k, v] of assigned) base.set(k, v);
      return { kind: 'object', entries: base };
    }
    return exported;
  }
}

function isStatementStart(t: Token): boolean {
  return (
    t.kind === 'ident' &&
    ['const', 'let', 'var', 'module', 'exports', 'function', 'if', 'for', 'while', 'require'].includes(t.text)
  );
}

/** One PM2 app as written in the file: only literal values are known. */
export interface EcosystemApp {
  readonly index: number;
  readonly name: string | undefined;
  readonly script: string | undefined;
  /** Literal `env` entries (numbers as text); opaque ones listed apart. */
  readonly env: Readonly<Record<string, string>>;
  readonly envProduction: Readonly<Record<string, string>>;
  readonly opaqueEnv: readonly string[];
}

export interface Ecosystem {
  readonly apps: readonly EcosystemApp[];
  /** What could not be read as a literal (reported, never evaluated). */
  readonly notes: readonly string[];
}

function literalText(v: EcoValue | undefined): string | undefined {
  if (!v) return undefined;
  if (v.kind === 'string') return v.value;
  if (v.kind === 'number') return String(v.value);
  if (v.kind === 'boolean') return String(v.value);
  return undefined;
}

function envOf(v: EcoValue | undefined, opaque: string[], label: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (v?.kind !== 'object') {
    if (v && v.kind !== 'null') opaque.push(`${label} (not an object literal)`);
    return out;
  }
  for (const [k, val] of v.entries) {
    const text = literalText(val);
    if (text !== undefined) out[k] = text;
    else if (val.kind !== 'null') opaque.push(`${label}.${k}`);
  }
  return out;
}

/** Parses the text of an ecosystem file. Throws EcosystemParseError when it is not readable. */
export function readEcosystem(src: string): Ecosystem {
  const parser = new Parser(src);
  const exported = parser.parseProgram();
  const notes: string[] = [];
  if (!exported) throw new EcosystemParseError('no "module.exports = ..." found', 1);
  let appsValue: EcoValue | undefined;
  if (exported.kind === 'object') appsValue = exported.entries.get('apps');
  else if (exported.kind === 'array') appsValue = exported;
  if (!appsValue) throw new EcosystemParseError('module.exports has no "apps" list', 1);
  if (appsValue.kind !== 'array') {
    throw new EcosystemParseError(
      `"apps" is not a literal list (${appsValue.kind === 'opaque' ? appsValue.text : appsValue.kind}); it is not evaluated`,
      1,
    );
  }
  const apps: EcosystemApp[] = [];
  appsValue.items.forEach((item, index) => {
    if (item.kind !== 'object') {
      notes.push(`apps[${index}] is not an object literal; skipped`);
      return;
    }
    const opaqueEnv: string[] = [];
    const nameValue = item.entries.get('name');
    const name = literalText(nameValue);
    if (nameValue && name === undefined) notes.push(`apps[${index}].name is not a literal; skipped`);
    apps.push({
      index,
      name,
      script: literalText(item.entries.get('script')),
      env: envOf(item.entries.get('env'), opaqueEnv, 'env'),
      envProduction: envOf(item.entries.get('env_production'), opaqueEnv, 'env_production'),
      opaqueEnv,
    });
  });
  return { apps, notes };
}
