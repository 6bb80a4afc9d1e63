// Issue 3 benchmark: latency the service adds in front of V8. An open-loop load generator sends
// GET requests at a fixed rate (default 200/s for 20 s, after a 2 s warm-up) to three targets in
// turn, all local processes on 127.0.0.1, and reports p50/p90/p99/max:
//   direct   GET <fake>/private-consignment/simulation/configs with a bearer token
//   proxy    a bare node:http proxy doing the same forwarding (token obtained once at its start)
//   service  GET /api/v1/simulation-configs of the service (bearer auth, pacer, breaker, token
//            cache, got, zod parsing, mapping, winston access log to files + stdout)
// Usage: node bench/v8-latency.ts [--rate 200] [--seconds 20] [--rounds 1]
// Every loop is bounded; the children are stopped at the end (and on any failure).
import http from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { API_TOKEN, fakeToken, machine, startFake, startProxy, startService, stopAll } from './v8-procs.ts';

const { values } = parseArgs({
  options: {
    rate: { type: 'string', default: '200' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '1' },
  },
});
const RATE = Number(values.rate);
const SECONDS = Number(values.seconds);
const WARMUP = Number(values.warmup);
const ROUNDS = Number(values.rounds);
/** The pacer limit handed to the service: far above RATE, so nothing waits in its queue. */
const SERVICE_MAX_RPS = 1000;

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

/** One GET, body read to the end; resolves with its latency in ms, or NaN on error / non-200. */
function get(url: URL, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const started = performance.now();
    const req = http.get(url, { agent, headers, timeout: 5000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode === 200 ? performance.now() - started : Number.NaN));
      res.on('error', () => resolve(Number.NaN));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(Number.NaN));
  });
}

interface Run {
  readonly latencies: number[];
  readonly errors: number;
  /** Worst lateness of the generator against its schedule (ms): a busy machine shows here. */
  readonly maxLagMs: number;
}

/** Open loop: request i leaves at t0 + i/RATE whatever the earlier ones are doing. */
async function openLoop(url: URL, headers: Record<string, string>, seconds: number): Promise<Run> {
  const total = Math.round(RATE * seconds);
  const pending: Promise<number>[] = [];
  const t0 = performance.now();
  let maxLagMs = 0;
  for (let i = 0; i < total; i++) {
    const due = t0 + (i * 1000) / RATE;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    maxLagMs = Math.max(maxLagMs, performance.now() - due);
    pending.push(get(url, headers));
  }
  const all = await Promise.all(pending);
  const latencies = all.filter((ms) => !Number.isNaN(ms)).sort((a, b) => a - b);
  return { latencies, errors: all.length - latencies.length, maxLagMs };
}

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? NaN;
const ms = (v: number) => (Number.isNaN(v) ? '-' : v.toFixed(2));

async function main(): Promise<void> {
  const hardStop = setTimeout(
    () => {
      console.error('[bench] hard time limit reached, stopping');
      void stopAll().then(() => process.exit(1));
    },
    (ROUNDS * 3 * (SECONDS + WARMUP) + 120) * 1000,
  );
  hardStop.unref();
  const info = machine();
  const fake = await startFake();
  const proxy = await startProxy(fake.url);
  const service = await startService(fake.url, SERVICE_MAX_RPS);
  const token = await fakeToken(fake.url);
  const targets: { name: string; url: URL; headers: Record<string, string> }[] = [
    {
      name: 'direct to the fake V8',
      url: new URL(`${fake.url}/private-consignment/simulation/configs`),
      headers: { authorization: `Bearer ${token}` },
    },
    { name: 'bare node:http proxy', url: new URL(`${proxy.url}/x`), headers: {} },
    {
      name: 'clt-v8-service',
      url: new URL(`${service.url}/api/v1/simulation-configs`),
      headers: { authorization: `Bearer ${API_TOKEN}` },
    },
  ];
  const results = new Map<string, Run[]>();
  for (let round = 0; round < ROUNDS; round++) {
    for (const t of targets) {
      await openLoop(t.url, t.headers, WARMUP);
      const run = await openLoop(t.url, t.headers, SECONDS);
      results.set(t.name, [...(results.get(t.name) ?? []), run]);
      console.error(`[bench] round ${round + 1} ${t.name}: p50 ${ms(pct(run.latencies, 0.5))} ms`);
    }
  }
  const merged = targets.map((t) => {
    const runs = results.get(t.name) ?? [];
    const latencies = runs.flatMap((r) => r.latencies).sort((a, b) => a - b);
    return {
      name: t.name,
      latencies,
      errors: runs.reduce((a, r) => a + r.errors, 0),
      lag: Math.max(...runs.map((r) => r.maxLagMs)),
    };
  });
  const base = merged[0] as (typeof merged)[number];
  console.log(`Machine: ${info}`);
  console.log(
    `Load: ${RATE} requests/s for ${SECONDS} s per target (after ${WARMUP} s warm-up), ${ROUNDS} round(s); ` +
      `service pacer limit ${SERVICE_MAX_RPS}/s (not throttling)\n`,
  );
  console.log(
    '| target | requests | errors | p50 ms | p90 ms | p99 ms | max ms | added p50 | added p99 | generator lag max ms |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  for (const m of merged) {
    const added = (p: number) => (m === base ? '-' : ms(pct(m.latencies, p) - pct(base.latencies, p)));
    console.log(
      `| ${m.name} | ${m.latencies.length + m.errors} | ${m.errors} | ${ms(pct(m.latencies, 0.5))} | ` +
        `${ms(pct(m.latencies, 0.9))} | ${ms(pct(m.latencies, 0.99))} | ${ms(m.latencies.at(-1) ?? NaN)} | ` +
        `${added(0.5)} | ${added(0.99)} | ${m.lag.toFixed(1)} |`,
    );
  }
}

try {
  await main();
} finally {
  agent.destroy();
  await stopAll();
}
