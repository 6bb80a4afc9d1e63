import assert from 'node:assert/strict';

/** The /config-v8 console as a browser does it: session cookie + CSRF token. */
export class ConsoleSession {
  private readonly cookies = new Map<string, string>();
  private csrf = '';
  private readonly base: string;
  constructor(base: string) {
    this.base = base;
  }

  /** The cookie and CSRF headers of this session, for a request made without `call`. */
  headers(): Record<string, string> {
    const headers: Record<string, string> = {};
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (this.csrf) headers['x-csrf-token'] = this.csrf;
    return headers;
  }

  async call(method: string, p: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const headers: Record<string, string> = {};
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (this.csrf) headers['x-csrf-token'] = this.csrf;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(this.base + p, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const eq = pair.indexOf('=');
      this.cookies.set(pair.slice(0, eq).trim(), pair.slice(eq + 1).trim());
    }
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return { status: res.status, body: parsed };
  }

  /** The Cookie header this session sends (to replay it without the CSRF token). */
  cookieHeader(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  async login(password: string): Promise<void> {
    const s = await this.call('GET', '/config-v8/api/session');
    this.csrf = (s.body as { csrfToken: string }).csrfToken;
    const r = await this.call('POST', '/config-v8/login', { password });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    this.csrf = (r.body as { csrfToken: string }).csrfToken;
  }
}
