// Issue 2 benchmarks: image size, start-to-healthy (1 and N clients), idle memory per client and
// how many clients run healthy at once. Usage (results go to stdout as a Markdown table):
//   node bench/platform.ts [--clients 100] [--image clt-v8-service:latest]
// Only local containers on 127.0.0.1 are touched; everything it creates is removed at the end.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    clients: { type: 'string', default: '100' },
    image: { type: 'string', default: process.env.CLT_V8_IMAGE || 'clt-v8-service:latest' },
    // Above the kernel's ephemeral range (32768-60999) so no outgoing connection holds one.
    'first-port': { type: 'string', default: '61000' },
  },
});
const total = Number(values.clients);
const first = Number(values['first-port']);
const home = mkdtempSync(path.join(os.tmpdir(), 'cltv8-bench-'));
const env = {
  ...process.env,
  CLT_V8_HOME: home,
  CLT_V8_PREFIX: 'cltv8b',
  CLT_V8_IMAGE: values.image,
  BIND_ADDRESS: '127.0.0.1',
  HEALTH_TIMEOUT_S: '300',
};
const ctlPath = path.join(import.meta.dirname, '..', 'scripts', 'clientctl.ts');

function ctl(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [ctlPath, ...args], { env, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? 1 : 0, out: stdout + stderr }),
    ),
  );
}
const docker = (args: string[]) => spawnSync('docker', args, { encoding: 'utf8' }).stdout.trim();

async function firstHttp200(port: number, deadline: number): Promise<number> {
  while (Date.now() < deadline) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(500) });
      if (r.status === 200) return Date.now();
    } catch {}
    await new Promise((r) => setTimeout(r, 50));
  }
  return Number.NaN;
}

async function timeStart(ports: number[]): Promise<{ httpMs: number; healthyMs: number; healthy: number }> {
  const t0 = Date.now();
  const httpDone = Promise.all(ports.map((p) => firstHttp200(p, t0 + 300_000)));
  const up = ports.length === 1 ? await ctl(['up', '--port', String(ports[0])]) : await ctl(['up']);
  if (up.code !== 0) console.error(`[bench] up reported: ${up.out.split('\n').slice(-3).join(' ')}`);
  const healthyMs = Date.now() - t0;
  const https = await httpDone;
  const healthy = (up.out.match(/: healthy/g) ?? []).length;
  return { httpMs: Math.max(...https) - t0, healthyMs, healthy };
}

function memStats(): number[] {
  const out = docker(['stats', '--no-stream', '--format', '{{.Name}} {{.MemUsage}}']);
  return out
    .split('\n')
    .filter((l) => l.startsWith('cltv8b-'))
    .map((l) => {
      const m = /([\d.]+)(MiB|KiB|GiB)/.exec(l);
      if (!m) return Number.NaN;
      const v = Number(m[1]);
      return m[2] === 'GiB' ? v * 1024 : m[2] === 'KiB' ? v / 1024 : v;
    });
}

async function main() {
  const rows: [string, string][] = [];
  const size = Number(docker(['image', 'inspect', '--format', '{{.Size}}', values.image]));
  rows.push(['image size', `${(size / 1024 / 1024).toFixed(0)} MiB`]);
  const ports = Array.from({ length: total }, (_, i) => first + i);
  for (const p of ports) {
    const r = await ctl(['add-client', '--port', String(p), '--no-start']);
    if (r.code !== 0) throw new Error(`add-client ${p}: ${r.out}`);
  }
  const one = await timeStart([ports[0] as number]);
  rows.push(['1 client: up -> first HTTP 200 on /health', `${(one.httpMs / 1000).toFixed(2)} s`]);
  rows.push(['1 client: up -> Docker reports healthy', `${(one.healthyMs / 1000).toFixed(2)} s`]);
  await ctl(['down']);
  const twenty = ports.slice(0, 20);
  // `up` without PORT starts every client under clients/: keep only twenty for this step.
  const t20 = await (async () => {
    const t0 = Date.now();
    const http = Promise.all(twenty.map((p) => firstHttp200(p, t0 + 300_000)));
    for (const p of twenty) {
      const r = await ctl(['up', '--port', String(p)]);
      if (r.code !== 0) throw new Error(`up ${p} failed: ${r.out}`);
    }
    const h = await http;
    return { http: Math.max(...h) - t0, healthy: Date.now() - t0 };
  })();
  rows.push([
    '20 clients (sequential make up PORT=...): last first-200',
    `${(t20.http / 1000).toFixed(1)} s`,
  ]);
  rows.push([
    '20 clients (sequential make up PORT=...): all healthy',
    `${(t20.healthy / 1000).toFixed(1)} s`,
  ]);
  await ctl(['down']);
  const all = await timeStart(ports);
  rows.push([`${total} clients (one make up): all answered /health`, `${(all.httpMs / 1000).toFixed(1)} s`]);
  rows.push([`${total} clients (one make up): all healthy`, `${(all.healthyMs / 1000).toFixed(1)} s`]);
  rows.push([`${total} clients healthy at once`, `${all.healthy} / ${total}`]);
  await new Promise((r) => setTimeout(r, 20_000));
  const mem = memStats()
    .filter((m) => !Number.isNaN(m))
    .sort((a, b) => a - b);
  const avg = mem.reduce((a, b) => a + b, 0) / mem.length;
  rows.push([
    'idle memory per client (docker stats, mean / max)',
    `${avg.toFixed(1)} MiB / ${(mem.at(-1) ?? 0).toFixed(1)} MiB`,
  ]);
  const load = os.loadavg()[0] ?? 0;
  rows.push([`host load average (1 min) with ${total} idle clients, 2 cores`, load.toFixed(2)]);
  console.log('| measure | result |\n|---|---|');
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(async () => {
    for (const p of Array.from({ length: total }, (_, i) => first + i))
      await ctl(['remove-client', '--port', String(p), '--purge']);
    rmSync(home, { recursive: true, force: true });
  });
