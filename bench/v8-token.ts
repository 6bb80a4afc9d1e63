// Issue 3 benchmark: how many V8 token requests 1,000 concurrent calls cause (target: exactly 1).
// The service (same wiring as app/main.ts, V8_MAX_RPS from --max-rps) and the fake V8 run as local
// processes on 127.0.0.1; each round fires 1,000 concurrent GET /api/v1/simulation-configs:
//   cold     right after DELETE /api/v1/v8/token (nothing held)
//   warm     with the token held
//   revoked  after the fake revoked every token (each call's first V8 answer is a 401)
// and reads the fake's /__admin/stats before and after.
// Usage: node bench/v8-token.ts [--calls 1000] [--rounds 3] [--max-rps 100]
import { parseArgs } from 'node:util';
import { API_TOKEN, machine, startFake, startService, stopAll } from './v8-procs.ts';

const { values } = parseArgs({
  options: {
    calls: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '3' },
    'max-rps': { type: 'string', default: '100' },
  },
});
const CALLS = Number(values.calls);
const ROUNDS = Number(values.rounds);
const MAX_RPS = Number(values['max-rps']);

interface Stats {
  tokenRequests: Record<string, number>;
  requests: Record<string, number>;
}
const sum = (r: Record<string, number>) => Object.values(r).reduce((a, b) => a + b, 0);

async function main(): Promise<void> {
  // Each burst of calls runs at MAX_RPS at the fake: bound the whole run by that.
  const limitS = ROUNDS * Math.ceil((4 * CALLS) / MAX_RPS + 30) + 60;
  setTimeout(() => {
    console.error('[bench] hard time limit reached, stopping');
    void stopAll().then(() => process.exit(1));
  }, limitS * 1000).unref();
  const info = machine();
  const fake = await startFake();
  const service = await startService(fake.url, MAX_RPS);
  const api = (method: string, path: string) =>
    fetch(`${service.url}/api/v1${path}`, {
      method,
      headers: { authorization: `Bearer ${API_TOKEN}` },
      signal: AbortSignal.timeout(limitS * 1000),
    });
  const stats = async () => (await (await fetch(`${fake.url}/__admin/stats`)).json()) as Stats;

  const rows: Record<string, { tokens: number[]; bff: number[]; failed: number; seconds: number[] }> = {};
  const burst = async (label: string) => {
    const before = await stats();
    const started = performance.now();
    const answers = await Promise.all(
      Array.from({ length: CALLS }, () =>
        api('GET', '/simulation-configs').then(
          async (r) => {
            await r.arrayBuffer();
            return r.status;
          },
          () => 0,
        ),
      ),
    );
    const seconds = (performance.now() - started) / 1000;
    const after = await stats();
    const row = rows[label] ?? { tokens: [], bff: [], failed: 0, seconds: [] };
    row.tokens.push(sum(after.tokenRequests) - sum(before.tokenRequests));
    row.bff.push(sum(after.requests) - sum(before.requests));
    row.failed += answers.filter((s) => s !== 200).length;
    row.seconds.push(seconds);
    rows[label] = row;
    console.error(`[bench] ${label}: ${row.tokens.at(-1)} token request(s), ${seconds.toFixed(1)} s`);
  };

  for (let round = 0; round < ROUNDS; round++) {
    await (await api('DELETE', '/v8/token')).arrayBuffer();
    await burst('cold (no token held)');
    await burst('warm (token held)');
    await fetch(`${fake.url}/__admin/tokens/revoke`, { method: 'POST' });
    await burst('token revoked at V8 (first answer 401)');
  }

  console.log(`Machine: ${info}`);
  console.log(`${CALLS} concurrent calls per burst, ${ROUNDS} rounds, V8_MAX_RPS=${MAX_RPS}\n`);
  console.log(
    `| burst of ${CALLS} concurrent calls | token requests (each round) | V8 requests (each round) | non-200 answers | seconds (each round) |`,
  );
  console.log('|---|---|---|---|---|');
  for (const [label, r] of Object.entries(rows)) {
    console.log(
      `| ${label} | ${r.tokens.join(', ')} | ${r.bff.join(', ')} | ${r.failed} | ${r.seconds.map((s) => s.toFixed(1)).join(', ')} |`,
    );
  }
}

try {
  await main();
} finally {
  await stopAll();
}
