// Drives one sandbox client (`add-client --sandbox`: its api container plus its own fake V8 and fake
// Kentro in its Compose project) and reads its fakes. The fakes are not published on the host: their
// admin APIs are called from inside the fake's own container (docker exec … node -e fetch 127.0.0.1),
// which keeps working while the api container is down (kill tests).
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { docker, type OpsHome, setConfigKeys, TEST_PREFIX } from './ops.ts';
import { waitFor } from './wait.ts';

const run = promisify(execFile);

export type Service = 'api' | 'fake-v8' | 'fake-kentro';

export interface Answer {
  readonly status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers are read loosely in assertions
  readonly body: any;
  readonly text: string;
}

export interface SandboxClientOptions {
  readonly port: number;
  readonly name?: string;
  /** Keys written to clients/<PORT>/config.env before the first start (V8_MAX_RPS, FLOW_*…). */
  readonly config?: Readonly<Record<string, string>>;
  /** Keys written to clients/<PORT>/sandbox.env before the first start (FAKE_V8_STEP_MS…). */
  readonly fakes?: Readonly<Record<string, string>>;
  /** Register this client's webhook URL at its fake V8 (default true), as an operator would. */
  readonly registerWebhooks?: boolean;
}

/** A V8 request as the fake logged it (the fields tests read). */
export interface FakeV8Request {
  readonly seq: number;
  readonly method: string;
  readonly path: string;
  readonly body: unknown;
  readonly status: number | null;
}

/** A Kentro request as the fake logged it. */
export interface FakeKentroRequest {
  readonly seq: number;
  readonly op: string | undefined;
  readonly body: unknown;
  readonly status: number | undefined;
}

export interface FakeKentroOpportunity {
  readonly id: number;
  readonly title: string;
  readonly mainmail: string;
  readonly fkStage: number;
  readonly value: number;
  readonly formsdata: Record<string, string>;
  readonly notes: { note: string }[];
}

export interface FakeV8Consult {
  readonly id: string;
  readonly documentNumber: string;
  readonly status: string;
}

const ADMIN_SCRIPT = `const [m,u,b]=process.argv.slice(1);
fetch(u,{method:m,headers:b?{'content-type':'application/json'}:{},body:b||undefined,signal:AbortSignal.timeout(10000)})
.then(async r=>process.stdout.write(JSON.stringify({status:r.status,text:await r.text()})))
.catch(e=>{process.stderr.write(String(e));process.exit(1)})`;

export { waitFor };

export class SandboxClient {
  readonly home: OpsHome;
  readonly port: number;
  private token = '';

  private constructor(home: OpsHome, port: number) {
    this.home = home;
    this.port = port;
  }

  /** add-client --sandbox --no-start, the given keys in its files, then `up` (waits for health). */
  static async start(home: OpsHome, o: SandboxClientOptions): Promise<SandboxClient> {
    const c = new SandboxClient(home, o.port);
    const added = await home.ctl([
      'add-client',
      '--port',
      String(o.port),
      '--name',
      o.name ?? `Sandbox ${o.port}`,
      '--sandbox',
      '--no-start',
    ]);
    if (added.code !== 0) throw new Error(`add-client --sandbox ${o.port} failed: ${added.stderr}`);
    if (o.config) writeFileSync(c.configFile, setConfigKeys(c.configFile, o.config));
    if (o.fakes) writeFileSync(c.sandboxFile, setConfigKeys(c.sandboxFile, o.fakes));
    await c.up();
    c.token = c.configValue('API_TOKEN');
    if (o.registerWebhooks ?? true) {
      const r = await c.call('POST', '/api/v1/v8/webhooks/register');
      if (r.status !== 200) throw new Error(`webhook registration failed: ${r.status} ${r.text}`);
    }
    return c;
  }

  get configFile(): string {
    return this.home.configFile(this.port);
  }

  get sandboxFile(): string {
    return path.join(path.dirname(this.configFile), 'sandbox.env');
  }

  configValue(key: string): string {
    const m = new RegExp(`^${key}=(.*)$`, 'm').exec(readFileSync(this.configFile, 'utf8'));
    if (!m?.[1]) throw new Error(`${key} not found in the config of ${this.port}`);
    return m[1].trim();
  }

  /** `make up PORT=`: starts whatever is not running and waits until the api answers /health. */
  async up(): Promise<void> {
    const r = await this.home.ctl(['up', '--port', String(this.port)]);
    if (r.code !== 0) throw new Error(`up ${this.port} failed: ${r.stderr}\n${r.stdout}`);
  }

  /** SIGKILL to the api container: no shutdown handler runs, in-flight work is cut where it is. */
  kill(): void {
    const r = docker(['kill', '-s', 'KILL', this.container('api')]);
    if (r.code !== 0) throw new Error(`docker kill failed: ${r.stderr}`);
  }

  container(service: Service): string {
    if (service === 'api') return `${TEST_PREFIX}-${this.port}`;
    const r = docker([
      'ps',
      '-a',
      '--filter',
      `label=com.docker.compose.project=${TEST_PREFIX}-${this.port}`,
      '--filter',
      `label=com.docker.compose.service=${service}`,
      '--format',
      '{{.Names}}',
    ]);
    const name = r.stdout.trim().split('\n')[0];
    if (r.code !== 0 || !name)
      throw new Error(`no ${service} container for client ${this.port}: ${r.stderr}`);
    return name;
  }

  inspect(service: Service, format: string): string {
    return docker(['inspect', '--format', format, this.container(service)]).stdout.trim();
  }

  /** Our API on 127.0.0.1 with the client's token; `p` is the full path (/api/v1/… or an old route). */
  async call(method: string, p: string, body?: unknown): Promise<Answer> {
    const res = await fetch(`http://127.0.0.1:${this.port}${p}`, {
      method,
      headers: {
        authorization: `Bearer ${this.token || this.configValue('API_TOKEN')}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      signal: AbortSignal.timeout(70_000),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {}
    return { status: res.status, body: parsed, text };
  }

  /** An admin call on one of the fakes, from inside its own container. */
  async admin(
    service: 'fake-v8' | 'fake-kentro',
    method: string,
    p: string,
    body?: unknown,
  ): Promise<Answer> {
    const args = [
      'exec',
      this.container(service),
      'node',
      '-e',
      ADMIN_SCRIPT,
      method,
      `http://127.0.0.1:8080${p}`,
    ];
    if (body !== undefined) args.push(JSON.stringify(body));
    const { stdout } = await run('docker', args, { maxBuffer: 256 * 1024 * 1024 });
    const r = JSON.parse(stdout) as { status: number; text: string };
    let parsed: unknown = r.text;
    try {
      parsed = JSON.parse(r.text);
    } catch {}
    return { status: r.status, body: parsed, text: r.text };
  }

  async v8Requests(filter: { method?: string; path?: string } = {}): Promise<FakeV8Request[]> {
    const q = new URLSearchParams(filter as Record<string, string>).toString();
    return (await this.admin('fake-v8', 'GET', `/__admin/requests${q ? `?${q}` : ''}`)).body;
  }

  async v8Consults(): Promise<FakeV8Consult[]> {
    return (await this.admin('fake-v8', 'GET', '/__admin/state')).body.consults;
  }

  async kentroRequests(op?: string): Promise<FakeKentroRequest[]> {
    return (await this.admin('fake-kentro', 'GET', `/__admin/requests${op ? `?op=${op}` : ''}`)).body;
  }

  async kentroOpportunities(): Promise<FakeKentroOpportunity[]> {
    return (await this.admin('fake-kentro', 'GET', '/__admin/state')).body.opportunities;
  }

  async kentroDown(down: boolean): Promise<void> {
    const r = await this.admin('fake-kentro', down ? 'POST' : 'DELETE', '/__admin/down', { down });
    if (r.status !== 200 || r.body.down !== down) throw new Error(`fake Kentro down=${down}: ${r.text}`);
  }

  /** Waits until the flow is done and none of its CRM updates is still queued. */
  async settledFlow(id: string, timeoutMs = 60_000): Promise<Answer['body']> {
    const r = await waitFor(
      () => this.call('GET', `/api/v1/flows/${id}`),
      (a) =>
        a.status === 200 &&
        !a.body.active &&
        (a.body.crm as { status: string }[]).every((c) => c.status !== 'pending'),
      timeoutMs,
      () => `flow ${id} did not settle\n${this.logTail()}`,
    );
    return r.body;
  }

  async batch(id: string): Promise<Answer['body']> {
    const r = await this.call('GET', `/api/v1/batches/${id}`);
    if (r.status !== 200) throw new Error(`GET batch ${id}: ${r.status} ${r.text}`);
    return r.body;
  }

  async completedBatch(id: string, timeoutMs = 120_000): Promise<Answer['body']> {
    return waitFor(
      () => this.batch(id),
      (b) => b.status === 'completed',
      timeoutMs,
      () => `batch ${id} did not complete\n${this.logTail()}`,
      500,
    );
  }

  logTail(lines = 30): string {
    return this.home.readLog(this.port, 'combined').trim().split('\n').slice(-lines).join('\n');
  }
}

/** Per key, how many entries carry it. */
export function countBy<T>(
  items: readonly T[],
  key: (t: T) => string | number | undefined,
): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) {
    const k = key(i);
    if (k === undefined) continue;
    m.set(String(k), (m.get(String(k)) ?? 0) + 1);
  }
  return m;
}
