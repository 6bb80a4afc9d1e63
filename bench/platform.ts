// Issue 2 benchmarks: image size, start-to-healthy (1, 20 and N clients), idle memory per client,
// host CPU with N idle clients, and how many clients run healthy at once. Usage:
//   node bench/platform.ts [--clients 100] [--image clt-v8-service:latest]
// Prints a Markdown table. Only local containers on 127.0.0.1; everything it creates is removed.
import { execFile, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
const ctlPath = path.join(import.meta.dirname, '..', 'scripts', 'clientctl.ts');
const docker = (args: string[]) => spawnSync('docker', args, { encoding: 'utf8' }).stdout.trim();

class Home {
  readonly dir = mkdtempSync(path.join(os.tmpdir(), 'cltv8-bench-'));
  readonly ports: number[];
  constructor(ports: number[]) {
    this.ports = ports;
  }
  ctl(args: string[]): Promise<{ code: number; out: string }> {
    const env = {
      ...process.env,
      CLT_V8_HOME: this.dir,
      CLT_V8_PREFIX: 'cltv8b',
      CLT_V8_IMAGE: values.image,
      BIND_ADDRESS: '127.0.0.1',
      HEALTH_TIMEOUT_S: '600',
    };
    return new Promise((resolve) =>
      execFile(process.execPath, [ctlPath, ...args], { env, maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
        resolve({ code: err ? 1 : 0, out: stdout + stderr }),
      ),
    );
  }
  async create(): Promise<void> {
    for (const p of this.ports) {
      const r = await this.ctl(['add-client', '--port', String(p), '--no-start']);
      if (r.code !== 0) throw new Error(`add-client ${p}: ${r.out}`);
    }
  }
  async remove(): Promise<void> {
    await this.ctl(['down']);
    for (const p of this.ports) await this.ctl(['remove-client', '--port', String(p), '--purge']);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** `make up` for every client of a home; returns seconds until the command said all are healthy. */
async function timeUp(home: Home): Promise<{ s: number; healthy: number }> {
  const t0 = Date.now();
  const r = await home.ctl(['up']);
  if (r.code !== 0) console.error(`[bench] up reported: ${r.out.split('\n').slice(-3).join(' ')}`);
  return { s: (Date.now() - t0) / 1000, healthy: (r.out.match(/: healthy/g) ?? []).length };
}

async function dockerHealthyAll(prefix: string, n: number, deadlineMs: number): Promise<number> {
  const t0 = Date.now();
  while (Date.now() - t0 < deadlineMs) {
    const healthy = docker(['ps', '--filter', `name=${prefix}`, '--filter', 'health=healthy', '-q'])
      .split('\n')
      .filter(Boolean).length;
    if (healthy >= n) return (Date.now() - t0) / 1000;
    await new Promise((r) => setTimeout(r, 500));
  }
  return Number.NaN;
}

function cpuBusyPercent(ms: number): Promise<number> {
  const read = () => {
    const f = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '')
      .trim()
      .split(/\s+/)
      .slice(1)
      .map(Number);
    const idle = (f[3] ?? 0) + (f[4] ?? 0);
    return { idle, total: f.reduce((a, b) => a + b, 0) };
  };
  const a = read();
  return new Promise((resolve) =>
    setTimeout(() => {
      const b = read();
      resolve(100 * (1 - (b.idle - a.idle) / (b.total - a.total)));
    }, ms),
  );
}

function memStats(): number[] {
  return docker(['stats', '--no-stream', '--format', '{{.Name}} {{.MemUsage}}'])
    .split('\n')
    .filter((l) => l.startsWith('cltv8b-'))
    .map((l) => {
      const m = /([\d.]+)(MiB|KiB|GiB)/.exec(l);
      if (!m) return Number.NaN;
      const v = Number(m[1]);
      return m[2] === 'GiB' ? v * 1024 : m[2] === 'KiB' ? v / 1024 : v;
    })
    .filter((v) => !Number.isNaN(v));
}

async function main() {
  const rows: [string, string][] = [];
  const size = Number(docker(['image', 'inspect', '--format', '{{.Size}}', values.image]));
  rows.push([
    'image size',
    `${(size / 1024 / 1024).toFixed(0)} MiB (base image ${(Number(docker(['image', 'inspect', '--format', '{{.Size}}', 'clt-v8/node-base:24'])) / 1024 / 1024).toFixed(0)} MiB)`,
  ]);

  const one = new Home([first]);
  const twenty = new Home(Array.from({ length: 20 }, (_, i) => first + 10 + i));
  const many = new Home(Array.from({ length: total }, (_, i) => first + 100 + i));
  try {
    await one.create();
    const t1 = await timeUp(one);
    rows.push(['1 client: `make up` until /health answers 200', `${t1.s.toFixed(2)} s`]);
    rows.push([
      "1 client: until Docker's healthcheck says healthy (30 s interval)",
      `${(t1.s + (await dockerHealthyAll('cltv8b-', 1, 120_000))).toFixed(1)} s`,
    ]);
    await one.remove();

    await twenty.create();
    const t20 = await timeUp(twenty);
    rows.push([
      '20 clients: one `make up` until all answer /health',
      `${t20.s.toFixed(1)} s (${t20.healthy}/20)`,
    ]);
    await twenty.remove();

    await many.create();
    const tn = await timeUp(many);
    rows.push([`${total} clients: one \`make up\` until all answer /health`, `${tn.s.toFixed(1)} s`]);
    rows.push([`${total} clients healthy at once`, `${tn.healthy} / ${total}`]);
    const dockerAll = await dockerHealthyAll('cltv8b-', total, 300_000);
    rows.push([
      `${total} clients: Docker reports all healthy, after up returned`,
      `${dockerAll.toFixed(1)} s`,
    ]);
    const busy = await cpuBusyPercent(60_000);
    rows.push([`host CPU busy with ${total} idle clients (60 s, 2 cores)`, `${busy.toFixed(1)} %`]);
    const mem = memStats().sort((a, b) => a - b);
    const avg = mem.reduce((a, b) => a + b, 0) / mem.length;
    rows.push([
      'idle memory per client (docker stats, mean / max)',
      `${avg.toFixed(1)} MiB / ${(mem.at(-1) ?? 0).toFixed(1)} MiB`,
    ]);
    rows.push([`host load average (1 min) with ${total} idle clients`, (os.loadavg()[0] ?? 0).toFixed(2)]);
  } finally {
    await many.remove();
  }
  console.log('| measure | result |\n|---|---|');
  for (const [k, v] of rows) console.log(`| ${k} | ${v} |`);
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
