// Benchmark (issue 11): a batch of 1,000 CPFs against a fake V8 that allows `--quota` new consults per
// login per `--window-s` (V8's "250 per hour", reference §1.15, with a short window), where
// `--existing` of the CPFs already have a valid (SUCCESS) consult at V8.
//
//   export PATH=$PWD/.tools/node/bin:$PATH
//   node bench/batch-quota.ts [--cpfs 1000] [--quota 250] [--window-s 60] [--existing 0.3] [--deadline-s 1200]
//
// One process: the real app (app/runtime.ts composition, store, V8 client with its pacer, workers)
// against the in-process fake V8 and fake Kentro of the component tests (test/support/flow-harness.ts),
// on 127.0.0.1, with V8_CONSULT_QUOTA/V8_CONSULT_QUOTA_WINDOW_S equal to the fake's quota. Time runs
// from POST /api/v1/batches until the batch says completed. Prints a Markdown table and a JSON line.
import { parseArgs } from 'node:util';
import type { BatchView } from '../app/use-cases/batches/index.ts';
import { cpfWithCheckDigits } from '../sandbox/fake-v8/cpf.ts';
import { API_TOKEN, FlowHarness } from '../test/support/flow-harness.ts';

const { values } = parseArgs({
  options: {
    cpfs: { type: 'string', default: '1000' },
    quota: { type: 'string', default: '250' },
    'window-s': { type: 'string', default: '60' },
    existing: { type: 'string', default: '0.3' },
    'deadline-s': { type: 'string', default: '1200' },
  },
});
const N = Number(values.cpfs);
const QUOTA = Number(values.quota);
const WINDOW_S = Number(values['window-s']);
const EXISTING = Number(values.existing);
const DEADLINE_MS = Number(values['deadline-s']) * 1000;

// 9th digit 0-5: SUCCESS with a margin (fake V8 rule); every CPF ends simulated, so any other outcome
// is a failure of the run. Every (1 / existing)-th CPF, spread over the batch, has a consult already.
const cpfs = Array.from({ length: N }, (_, i) =>
  cpfWithCheckDigits(`6${String(i).padStart(7, '0')}${i % 6}`),
);
const existing = new Set(cpfs.filter((_, i) => Math.floor((i + 1) * EXISTING) > Math.floor(i * EXISTING)));
const LEAD = { name: 'Cliente Cota Bench', birthDate: '1990-01-31', phone: '(11) 97777-1234' };

const h = await FlowHarness.start({
  fakeV8: { consultsPerHour: QUOTA, consultQuotaWindowS: WINDOW_S, maxLogEntries: 20 * N },
  config: {
    V8_CONSULT_QUOTA: String(QUOTA),
    V8_CONSULT_QUOTA_WINDOW_S: String(WINDOW_S),
    V8_MAX_RPS: '50',
    FLOW_CONCURRENCY: '8',
    FLOW_MARGIN_TIMEOUT_S: '600',
    LOG_LEVEL: 'info',
  },
  ticks: { batchTickMs: 50 },
  // The service's step retries (2 s .. 60 s, 15 attempts: about 10 min against a 1 h window) scaled to
  // the short window, so a build that retries V8's 429s gives up as early, relative to the window.
  settings: {
    stepRetry: {
      baseMs: Math.round((2000 * WINDOW_S) / 3600),
      maxMs: Math.round((60_000 * WINDOW_S) / 3600),
      maxAttempts: 15,
    },
  },
});
try {
  for (const cpf of existing) h.fakeV8.seedConsult({ cpf, status: 'SUCCESS', ageDays: 2 });
  const creations = () =>
    h.fakeV8
      .requests({ method: 'POST', path: '/private-consignment/consult' })
      .filter((r) => r.path === '/private-consignment/consult');

  const started = Date.now();
  const post = await h.call<{ id: string }>('POST', '/batches', {
    cpfs,
    options: { createOpportunity: true, lead: LEAD },
  });
  if (post.status !== 202) throw new Error(`POST /batches answered ${post.status}`);
  const id = post.body.id;
  // ETA as the batch reported it while it ran, against the time it really took (read at the end).
  const etas: { at: number; etaS: number | null; waiting: number }[] = [];
  let last: BatchView | undefined;
  let maxWaiting = 0;
  for (;;) {
    last = (await h.call<BatchView>('GET', `/batches/${id}`)).body;
    maxWaiting = Math.max(maxWaiting, last.waitingQuota?.items ?? 0);
    const now = Date.now();
    if (etas.length === 0 || now - (etas.at(-1)?.at ?? 0) >= (WINDOW_S * 1000) / 4) {
      etas.push({ at: now, etaS: last.etaS, waiting: last.waitingQuota?.items ?? 0 });
    }
    if (last.status === 'completed') break;
    if (now - started > DEADLINE_MS) throw new Error(`deadline: ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const totalS = (Date.now() - started) / 1000;
  const posts = creations();
  const created = posts.filter((r) => r.status === 201).length;
  const refused = posts.filter((r) => r.status === 429).length;
  const newNeeded = N - existing.size;
  const windows = Math.ceil(newNeeded / QUOTA);
  const minimumS = windows * WINDOW_S;
  const stats = h.fakeV8.stats();
  const quotaRefusals = Object.values(stats.quotaRefused).reduce((a, b) => a + b, 0);
  // Failed lines whose reason names the quota or V8's 429 (the old behaviour: retried, then failed).
  const csv = await fetch(`${h.app.url}/api/v1/batches/${id}/results.csv`, {
    headers: { authorization: `Bearer ${API_TOKEN}` },
  }).then((r) => r.text());
  const failedLines = csv
    .split('\n')
    .filter((l) => /;failed;/.test(l) && /cota|quota|429|Limite de requisi/i.test(l)).length;
  const etaRows = etas.map((e) => {
    const actualLeft = totalS - (e.at - started) / 1000;
    return `${Math.round((e.at - started) / 1000)} s: ETA ${e.etaS ?? '—'} s, ${Math.round(actualLeft)} s really left, ${e.waiting} waiting`;
  });
  const row = (k: string, v: string) => `| ${k} | ${v} |`;
  const out = [
    `| ${N} CPFs, quota ${QUOTA} per ${WINDOW_S} s, ${existing.size} with a consult at V8 | result |`,
    '|---|---|',
    row(
      'total time',
      `${totalS.toFixed(1)} s = ${(totalS / WINDOW_S).toFixed(2)} windows (${((totalS / WINDOW_S) * 60).toFixed(0)} min scaled to a 1 h window)`,
    ),
    row(
      'quota-bound minimum ceil(new / quota) windows',
      `${windows} × ${WINDOW_S} s = ${minimumS} s; **time / minimum = ${(totalS / minimumS).toFixed(2)} ×**`,
    ),
    row(
      'the first window starts at once: (windows - 1) × window',
      `${(windows - 1) * WINDOW_S} s; the rest is the last window's own work`,
    ),
    row(
      'consults created at V8 / CPFs',
      last.consults
        ? `**${created} / ${N}** (batch reports created ${last.consults.created}, reused ${last.consults.reused})`
        : `**${created} / ${N}** (this build does not report reuse)`,
    ),
    row(
      'creations refused by the quota (429)',
      `**${quotaRefusals}** (POSTs answered 429: ${refused}; all 429s sent: ${stats.sent429})`,
    ),
    row('leads failed (of them naming the quota or a 429)', `**${last.counts.failed} (${failedLines})**`),
    row('outcomes', JSON.stringify(last.counts)),
    row('most items waiting_quota at once', String(maxWaiting)),
    row('ETA samples', etaRows.join('<br>')),
  ];
  process.stdout.write(`${out.join('\n')}\n`);
  process.stdout.write(
    `${JSON.stringify({ N, QUOTA, WINDOW_S, existing: existing.size, totalS, windows, minimumS, created, quotaRefusals, failed: last.counts.failed, counts: last.counts, consults: last.consults })}\n`,
  );
} finally {
  await h.close();
}
