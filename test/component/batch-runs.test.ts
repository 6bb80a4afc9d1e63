import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BatchView } from '../../app/use-cases/batches/index.ts';
import { cpfWithCheckDigits } from '../../sandbox/fake-v8/fake-v8-server.ts';
import { API_TOKEN, CPF, FlowHarness, waitUntil } from '../support/flow-harness.ts';

// The fake V8 decides a CPF's outcome by its 9th digit: 0-5 SUCCESS (margin), 6 REJECTED, 7 FAILED,
// 8 never finishes (FLOW_MARGIN_TIMEOUT_S ends it), 9 SUCCESS without margin.
const cpf = (base8: string, ninth: number) => cpfWithCheckDigits(`${base8}${ninth}`);
const LEAD = { name: 'Cliente Lote Teste', birthDate: '1990-01-31', phone: '(11) 97777-1234' };
const OPTIONS = { createOpportunity: true, lead: LEAD };

let h: FlowHarness;

before(async () => {
  h = await FlowHarness.start({
    config: { FLOW_MARGIN_TIMEOUT_S: '2' },
    ticks: { batchTickMs: 20 },
  });
});
after(async () => {
  await h?.close();
});

async function batch(id: string): Promise<BatchView> {
  const r = await h.call<BatchView>('GET', `/batches/${id}`);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
}

async function finished(id: string, timeoutMs = 15_000): Promise<BatchView> {
  let last: BatchView | undefined;
  await waitUntil(
    async () => {
      last = await batch(id);
      return last.status === 'completed';
    },
    timeoutMs,
    () => `batch ${id} did not complete: ${JSON.stringify(last)}\n${h.logTail()}`,
  );
  return last as BatchView;
}

/** A lead with full data in the fake Kentro (as a broker's CRM would have it), so a CSV needs no options. */
async function seedLead(c: string): Promise<void> {
  await h.app.flow.kentro.findOrCreateOpportunity(c, {
    title: 'CLIENTE LOTE TESTE',
    phone: '5511977771234',
    fields: { birthDate: '31/01/1990', phone: '5511977771234' },
  });
}

async function postCsv(csv: string, query = ''): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${h.app.url}/api/v1/batches${query}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'text/csv; charset=utf-8' },
    body: csv,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('batches of CPFs (fake V8 + fake Kentro, real workers)', () => {
  test('a CSV of 20 lines with mixed outcomes reaches 100% with the right counts and results.csv', async () => {
    const ok = [0, 1, 2, 3, 4, 5].map((n) => cpf(`3100000${n}`, n));
    const rejected = [1, 2, 3].map((n) => cpf(`3100010${n}`, 6));
    const failedConsult = [1, 2].map((n) => cpf(`3100020${n}`, 7));
    const noMargin = [1, 2].map((n) => cpf(`3100030${n}`, 9));
    const hang = cpf('31000401', 8);
    for (const c of [...ok, ...rejected, ...failedConsult, ...noMargin, hang]) await seedLead(c);
    const fmt = (c: string) => `${c.slice(0, 3)}.${c.slice(3, 6)}.${c.slice(6, 9)}-${c.slice(9)}`;
    const lines = [
      'Nome;CPF;Telefone',
      `A;${ok[0]};1`,
      `B;${fmt(ok[1] as string)};2`,
      `C;${ok[2]};3`,
      `D;${rejected[0]};`,
      `E;123.456.789-00;`, // wrong check digits
      `F;${failedConsult[0]};`,
      `G;${noMargin[0]};`,
      `H;${ok[3]};`,
      `I;${hang};`,
      `J;${fmt(ok[0] as string)};`, // repeated (formatted)
      `K;${rejected[1]};`,
      `"L; com ponto e vírgula";${CPF.approved};`,
      `M;${CPF.rejected};`,
      `N;${ok[4]};`,
      `O;${failedConsult[1]};`,
      `P;${noMargin[1]};`,
      `Q;${rejected[2]};`,
      `R;12345;`, // too short
      `S;${ok[5]};`,
      `T;${ok[2]};`, // repeated
    ];
    const csv = `\uFEFF${lines.join('\r\n')}\r\n`;
    const created = await postCsv(csv);
    assert.equal(created.status, 202, JSON.stringify(created.body));
    const id = created.body.id as string;
    assert.equal(created.body.accepted, 16);
    assert.deepEqual(
      (created.body.rejected as { line: number; reason: string }[]).map((r) => [r.line, r.reason]),
      [
        [6, 'CPF inválido (dígitos verificadores não conferem)'],
        [11, 'CPF repetido (já está na linha 2)'],
        [19, 'CPF deve ter 11 dígitos'],
        [21, 'CPF repetido (já está na linha 4)'],
      ],
    );

    const done = await finished(id, 20_000);
    assert.equal(done.total, 18);
    assert.equal(done.processed, 18);
    assert.equal(done.percent, 100);
    assert.equal(done.etaS, 0);
    assert.deepEqual(done.counts, {
      pending: 0,
      running: 0,
      simulated: 7,
      // REJECTED (4) and zero margin (2) are no_margin; V8's FAILED (2) and the hang are failed.
      no_margin: 6,
      needs_data: 0,
      blocked_by_worker: 0,
      failed: 3,
      invalid: 2,
      cancelled: 0,
    });
    assert.ok(done.startedAt && done.finishedAt);
    assert.equal(done.rejected.length, 4);

    // One flow per item; the repeated CPF ran once.
    const flows = h.app.store.flows.list({ cpf: ok[0], limit: 10 });
    assert.equal(flows.length, 1);
    assert.equal(h.consultsAtV8(ok[0] as string).length, 1);

    const res = await fetch(`${h.app.url}/api/v1/batches/${id}/results.csv`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/csv; charset=utf-8/);
    assert.match(
      res.headers.get('content-disposition') ?? '',
      /^attachment; filename="?lote-[0-9a-f]{8}-resultados\.csv"?$/,
    );
    const bytes = new Uint8Array(await res.arrayBuffer());
    assert.deepEqual([...bytes.slice(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM (Excel reads the accents)');
    const text = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes).slice(1);
    assert.ok(text.endsWith('\r\n'));
    const rows = text
      .trim()
      .split('\r\n')
      .map((l) => l.split(';'));
    assert.deepEqual(rows[0], [
      'linha',
      'cpf',
      'status',
      'resultado',
      'motivo',
      'valor_liberado',
      'parcela',
      'prazo',
      'flow_id',
    ]);
    assert.equal(rows.length, 21, 'one row per data line');
    assert.deepEqual(
      rows.slice(1).map((r) => Number(r[0])),
      Array.from({ length: 20 }, (_, i) => i + 2),
    );
    const byLine = new Map(rows.slice(1).map((r) => [Number(r[0]), r]));
    const first = byLine.get(2) as string[];
    assert.equal(first[1], fmt(ok[0] as string));
    assert.equal(first[2], 'simulated');
    assert.equal(first[3], 'simulado');
    assert.match(first[5] ?? '', /^\d+,\d\d$/);
    assert.match(first[6] ?? '', /^\d+,\d\d$/);
    assert.match(first[7] ?? '', /^\d+$/);
    assert.match(first[8] ?? '', /^[0-9a-f-]{36}$/);
    const flow = await h.flow(first[8] as string);
    assert.equal(flow.batchItemId !== null, true);
    assert.equal(
      first[5],
      (flow.simulation as { disbursedAmount: number }).disbursedAmount.toFixed(2).replace('.', ','),
    );
    assert.deepEqual((byLine.get(5) as string[]).slice(2, 4), ['no_margin', 'sem margem']);
    assert.match((byLine.get(5) as string[])[4] ?? '', /consulta recusada pela V8/);
    assert.deepEqual((byLine.get(6) as string[]).slice(1, 4), ['123.456.789-00', 'invalid', 'CPF inválido']);
    assert.deepEqual((byLine.get(7) as string[]).slice(2, 4), ['failed', 'falhou']);
    assert.deepEqual((byLine.get(10) as string[]).slice(2, 4), ['failed', 'falhou']);
    assert.match((byLine.get(10) as string[])[4] ?? '', /não informou a margem/);
    assert.deepEqual((byLine.get(11) as string[]).slice(2, 5), [
      'duplicate',
      'CPF repetido',
      'CPF repetido (já está na linha 2)',
    ]);
    assert.deepEqual((byLine.get(14) as string[]).slice(2, 3), ['no_margin']);
    assert.deepEqual((byLine.get(13) as string[]).slice(2, 3), ['simulated']);
    assert.deepEqual((byLine.get(19) as string[]).slice(2, 5), [
      'invalid',
      'CPF inválido',
      'CPF deve ter 11 dígitos',
    ]);

    const list = await h.call<{ items: BatchView[] }>('GET', '/batches?limit=5');
    assert.equal(list.status, 200);
    assert.equal(list.body.items[0]?.id, id, 'newest first');
  });

  test('the event stream delivers progress on every change and ends with a "done" event at 100%', async () => {
    const cpfs = [0, 1, 2, 3, 4].map((n) => cpf(`3200000${n}`, n % 6));
    const created = await h.call<{ id: string }>('POST', '/batches', { cpfs, options: OPTIONS });
    assert.equal(created.status, 202);
    const res = await fetch(`${h.app.url}/api/v1/batches/${created.body.id}/events`, {
      headers: { authorization: `Bearer ${API_TOKEN}`, accept: 'text/event-stream' },
    });
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
    assert.equal(res.headers.get('cache-control'), 'no-cache, no-transform');
    const text = await res.text(); // the server ends the stream after "done"
    const events = text
      .split('\n\n')
      .filter((block) => block.includes('event: '))
      .map((block) => {
        const event = /event: (\w+)/.exec(block)?.[1];
        const data = JSON.parse(/data: (.*)/.exec(block)?.[1] ?? 'null') as BatchView;
        return { event, data };
      });
    assert.ok(events.length >= 2, text);
    assert.equal(events[0]?.event, 'progress');
    const last = events[events.length - 1];
    assert.equal(last?.event, 'done');
    assert.equal(last?.data.percent, 100);
    assert.equal(last?.data.status, 'completed');
    assert.equal(events.filter((e) => e.event === 'done').length, 1);
    const percents = events.map((e) => e.data.percent);
    assert.deepEqual(
      percents,
      [...percents].sort((a, b) => a - b),
      'progress never goes back',
    );
    assert.ok(
      events.some((e) => e.event === 'progress' && e.data.counts.running > 0) ||
        events.some((e) => e.event === 'progress' && e.data.percent > 0 && e.data.percent < 100),
      'at least one intermediate state was streamed',
    );

    // A finished batch: one progress and the done event, then the end.
    const again = await fetch(`${h.app.url}/api/v1/batches/${created.body.id}/events`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
    });
    const replay = await again.text();
    assert.deepEqual(
      [...replay.matchAll(/event: (\w+)/g)].map((m) => m[1]),
      ['progress', 'done'],
    );
    const anon = await fetch(`${h.app.url}/api/v1/batches/${created.body.id}/events`);
    assert.equal(anon.status, 401, 'behind the bearer token');
  });

  test('the event stream stops (and unsubscribes) when the client goes away', async () => {
    const cpfs = [cpf('33000001', 8)]; // never finishes within the test
    const created = await h.call<{ id: string }>('POST', '/batches', { cpfs, options: OPTIONS });
    const ac = new AbortController();
    const res = await fetch(`${h.app.url}/api/v1/batches/${created.body.id}/events`, {
      headers: { authorization: `Bearer ${API_TOKEN}` },
      signal: ac.signal,
    });
    const reader = res.body?.getReader();
    const first = await reader?.read();
    assert.match(new TextDecoder().decode(first?.value), /event: progress/);
    const countListeners = () =>
      (
        h.app.store.signals as unknown as { emitter: { listenerCount(n: string): number } }
      ).emitter.listenerCount('batch-changed');
    assert.ok(countListeners() >= 1);
    ac.abort();
    await waitUntil(
      () => countListeners() === 0,
      3000,
      () => 'the subscription was not removed',
    );
    await finished(created.body.id, 10_000);
  });

  test('limits and bad input: 10,001 CPFs -> 413 naming the limit; empty -> 400; wrong type -> 415', async () => {
    const many = Array.from({ length: 10_001 }, (_, i) => cpfWithCheckDigits(String(100_000_000 + i)));
    const big = await h.call<{ error: { code: string; message: string; fields: { field: string }[] } }>(
      'POST',
      '/batches',
      { cpfs: many },
    );
    assert.equal(big.status, 413);
    assert.equal(big.body.error.code, 'payload_too_large');
    assert.match(big.body.error.message, /at most 10000 CPFs and this one has 10001/);
    assert.deepEqual(
      big.body.error.fields.map((f) => f.field),
      ['cpfs'],
    );
    const bigCsv = await postCsv(`cpf\n${many.join('\n')}\n`);
    assert.equal(bigCsv.status, 413);
    const exactly = await h.call('POST', '/batches', { cpfs: many.slice(0, 3) });
    assert.equal(exactly.status, 202, 'a small batch is fine');

    const empty = await postCsv('cpf\r\n\r\n');
    assert.equal(empty.status, 400);
    assert.deepEqual((empty.body.error as { fields: unknown }).fields, [
      { field: 'body', reason: 'has no CPF' },
    ]);
    const emptyList = await h.call<{ error: { fields: unknown } }>('POST', '/batches', { cpfs: [] });
    assert.equal(emptyList.status, 400);
    const noColumn = await postCsv('nome;telefone\nMaria;11912345678\n');
    assert.equal(noColumn.status, 400);
    const typo = await h.call('POST', '/batches', { cpfs: [CPF.approved], options: { sendWhatsap: true } });
    assert.equal(typo.status, 400);
    const wrongType = await fetch(`${h.app.url}/api/v1/batches`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'application/xml' },
      body: '<cpfs/>',
    });
    assert.equal(wrongType.status, 415);
    const anon = await fetch(`${h.app.url}/api/v1/batches`, { method: 'POST', body: 'x' });
    assert.equal(anon.status, 401);
    const missing = await h.call('GET', '/batches/0b8f3c3e-1111-4111-8111-111111111111');
    assert.equal(missing.status, 404);
    const badId = await h.call('GET', '/batches/nope');
    assert.equal(badId.status, 400);
  });

  test('huge CSV uploads: 130,000 lines and 5.2 MB of "1\\n" are 413, read no further than needed, the app answers on', async () => {
    const lines = Array.from({ length: 130_000 }, (_, i) => cpfWithCheckDigits(String(100_000_000 + i)));
    // No header: the CPF column is guessed (where Math.max(...all rows) used to throw a RangeError -> 500).
    const many = await postCsv(`${lines.join('\n')}\n`);
    assert.equal(many.status, 413, JSON.stringify(many.body));
    const error = many.body.error as { code: string; message: string; fields: { field: string }[] };
    assert.equal(error.code, 'payload_too_large');
    assert.match(error.message, /at most 10000 CPFs and this one has more than 10000/);
    assert.deepEqual(
      error.fields.map((f) => f.field),
      ['body'],
    );

    const ones = '1\n'.repeat(2_600_000); // 5.2 MB
    const declared = await postCsv(ones);
    assert.equal(declared.status, 413, 'refused by its Content-Length');
    // Without a Content-Length (chunked), the limit holds while reading.
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        const chunk = new TextEncoder().encode('1\n'.repeat(32_768));
        for (let sent = 0; sent < ones.length; sent += chunk.length) controller.enqueue(chunk);
        controller.close();
      },
    });
    const chunked = await fetch(`${h.app.url}/api/v1/batches`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'text/csv' },
      body,
      duplex: 'half',
    } as RequestInit);
    assert.equal(chunked.status, 413);
    assert.equal(((await chunked.json()) as { error: { code: string } }).error.code, 'payload_too_large');

    const before = (await h.call<{ items: unknown[] }>('GET', '/batches')).body.items.length;
    const small = await postCsv(`cpf\n${CPF.approved}\n`);
    assert.equal(small.status, 202, 'the app still takes a batch');
    assert.equal((await h.call<{ items: unknown[] }>('GET', '/batches')).body.items.length, before + 1);
  });

  test('an upload cut off by the client creates nothing and leaves the app answering', async () => {
    const before = (await h.call<{ items: unknown[] }>('GET', '/batches')).body.items.length;
    const ac = new AbortController();
    let sent: () => void = () => undefined;
    const firstChunkSent = new Promise<void>((resolve) => {
      sent = resolve;
    });
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(`cpf\n${CPF.approved}\n`));
        sent();
      },
    });
    const upload = fetch(`${h.app.url}/api/v1/batches`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'text/csv' },
      body,
      duplex: 'half',
      signal: ac.signal,
    } as RequestInit).catch((err: unknown) => err);
    await firstChunkSent;
    ac.abort();
    assert.ok((await upload) instanceof Error, 'the client gave up');
    const after = await h.call<{ items: unknown[] }>('GET', '/batches');
    assert.equal(after.status, 200);
    assert.equal(after.body.items.length, before, 'no batch from a cut-off upload');
  });

  test('a batch of only invalid lines is completed at once', async () => {
    const r = await h.call<{ id: string; accepted: number }>('POST', '/batches', {
      cpfs: ['123', '111.111.111-11'],
    });
    assert.equal(r.status, 202);
    assert.equal(r.body.accepted, 0);
    const view = await batch(r.body.id);
    assert.equal(view.status, 'completed');
    assert.equal(view.percent, 100);
    assert.equal(view.counts.invalid, 2);
  });
});
