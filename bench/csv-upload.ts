// Issue 10 item 2: what one hostile or oversized CSV upload costs the app. The real app (FlowHarness:
// buildApp, store, fakes on 127.0.0.1, workers off) gets each body streamed from a generator (so
// the client side holds one 64 KB chunk), while this process samples its heap every 2 ms and the
// event loop's longest stall. Run: node --expose-gc bench/csv-upload.ts
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { cpfWithCheckDigits } from '../sandbox/fake-v8/cpf.ts';
import { API_TOKEN, FlowHarness } from '../test/support/flow-harness.ts';

const CHUNK = 64 * 1024;

function streamOf(lines: () => Generator<string>): ReadableStream<Uint8Array> {
  const it = lines();
  const enc = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      let text = '';
      while (text.length < CHUNK) {
        const n = it.next();
        if (n.done) break;
        text += n.value;
      }
      if (text === '') controller.close();
      else controller.enqueue(enc.encode(text));
    },
  });
}

interface Case {
  readonly name: string;
  readonly lines: () => Generator<string>;
}

const CASES: Case[] = [
  {
    name: '5.2 MB of "1\\n" (2.6 M lines), chunked',
    *lines() {
      for (let i = 0; i < 2_600_000; i++) yield '1\n';
    },
  },
  {
    name: '130,000 CPFs, no header (1.6 MB)',
    *lines() {
      for (let i = 0; i < 130_000; i++) yield `${cpfWithCheckDigits(String(100_000_000 + i))}\n`;
    },
  },
  {
    name: '10,000 rows cpf;nome;nascimento;telefone;email;sexo (accepted)',
    *lines() {
      yield 'cpf;nome;nascimento;telefone;email;sexo\n';
      for (let i = 0; i < 10_000; i++) {
        const cpf = cpfWithCheckDigits(String(200_000_000 + i));
        yield `${cpf};Maria Aparecida dos Santos ${i};31/01/1990;(11) 97777-${String(i).padStart(4, '0')};maria${i}@example.com;F\n`;
      }
    },
  },
];

const gc = (globalThis as { gc?: () => void }).gc;
const h = await FlowHarness.start({ workers: false });
try {
  for (const c of CASES) {
    gc?.();
    const base = process.memoryUsage().heapUsed;
    let peak = base;
    const sampler = setInterval(() => {
      peak = Math.max(peak, process.memoryUsage().heapUsed);
    }, 2);
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const t0 = performance.now();
    const res = await fetch(`${h.app.url}/api/v1/batches`, {
      method: 'POST',
      headers: { authorization: `Bearer ${API_TOKEN}`, 'content-type': 'text/csv' },
      body: streamOf(c.lines),
      duplex: 'half',
    } as RequestInit);
    const answer = (await res.json()) as { error?: { code: string }; accepted?: number };
    const ms = performance.now() - t0;
    loop.disable();
    clearInterval(sampler);
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    const health = await fetch(`${h.app.url}/health`);
    console.log(
      `${c.name}: ${res.status} ${answer.error?.code ?? `accepted ${answer.accepted}`}; ${ms.toFixed(0)} ms; ` +
        `heap +${((peak - base) / 1048576).toFixed(1)} MiB peak; longest event-loop stall ` +
        `${(loop.max / 1e6).toFixed(0)} ms; /health after: ${health.status}`,
    );
  }
} finally {
  await h.close();
}
