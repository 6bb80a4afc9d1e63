// Issue 10 item 3: Kentro applies a note or a WhatsApp template but its answer is lost. The outbox must
// not send it again blindly (the borrower would get the message twice); only a request that provably
// never left is repeated. Real HTTP client against the fake Kentro; the manual clock stands in for the
// relay's backoff, so "several passes" need no waiting beyond Kentro's 1 s timeout itself.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, afterEach, before, describe, test } from 'node:test';
import { ManualClock } from '../../app/adapters/clock.ts';
import { createKentroClient } from '../../app/adapters/kentro/kentro-http-client.ts';
import { openStore, type Store } from '../../app/adapters/store/store.ts';
import type { KentroSettings } from '../../app/config/app-config.ts';
import { createLogger } from '../../app/logging/logger.ts';
import { type OutboxDeps, relayOutbox } from '../../app/use-cases/outbox/relay-outbox.ts';
import {
  FAKE_KENTRO_FORM_FIELDS,
  FAKE_KENTRO_TEMPLATE_ID,
  type FakeKentroHandle,
  FAKE_KENTRO_STAGES as S,
  startFakeKentro,
} from '../../sandbox/fake-kentro/fake-kentro-server.ts';

const NOTE_OPP = 40101;
const WA_OPP = 40102;
const STAGE_OPP = 40103;
const NUMBER = '5511912345678';
const BACKOFF = { baseMs: 1000, maxMs: 5000 };

const logDir = mkdtempSync(path.join(tmpdir(), 'cltv8-outbox-'));
const { logger, close: closeLogger } = createLogger({
  port: 6000,
  clientName: 't',
  level: 'error',
  stdout: false,
  logDir,
});
let fake: FakeKentroHandle;
const stores: Store[] = [];

before(async () => {
  fake = await startFakeKentro();
});
afterEach(() => {
  fake.reset();
  for (const s of stores.splice(0)) s.close();
});
after(async () => {
  await fake.close();
  await closeLogger();
  rmSync(logDir, { recursive: true, force: true });
});

function settings(baseUrl: string): KentroSettings {
  return {
    baseUrl,
    apiKey: fake.apiKey,
    queueId: fake.queueId,
    pipelineId: fake.pipelineId,
    responsibleId: undefined,
    stages: {
      marginFound: S.marginFound,
      noMargin: S.noMargin,
      simulated: S.simulated,
      proposal: S.proposal,
      paid: S.paid,
      failed: S.failed,
    },
    formFields: FAKE_KENTRO_FORM_FIELDS,
    lookup: 'mainmail',
    waTemplateId: FAKE_KENTRO_TEMPLATE_ID,
    timeoutMs: 1000,
  };
}

function setup(baseUrl = fake.url): { deps: OutboxDeps; clock: ManualClock; store: Store } {
  const clock = new ManualClock();
  const store = openStore({ dataDir: '', fileName: ':memory:', clock });
  stores.push(store);
  const kentro = createKentroClient(settings(baseUrl), {
    logger,
    retry: { attempts: 1 },
    sleep: async () => {},
    confirmDelayMs: 0,
  });
  return { deps: { store, kentro, clock, logger, backoff: BACKOFF }, clock, store };
}

function enqueueNoteAndTemplate(store: Store, now: number): void {
  store.outbox.enqueue(
    { key: 't:note', kind: 'note', opportunityId: NOTE_OPP, payload: { text: 'Simulação pronta' } },
    now,
  );
  store.outbox.enqueue(
    {
      key: 't:wa',
      kind: 'wa_template',
      opportunityId: WA_OPP,
      payload: { number: NUMBER, templateId: FAKE_KENTRO_TEMPLATE_ID, params: ['Maria', 'R$ 1.000,00'] },
    },
    now,
  );
}

/** Runs `passes` relay passes, moving the clock past the longest backoff between them. */
async function passes(deps: OutboxDeps, clock: ManualClock, n: number): Promise<void> {
  for (let i = 0; i < n; i++) {
    await relayOutbox(deps, { batch: 10, concurrency: 4 });
    clock.advance(BACKOFF.maxMs * 2);
  }
}

const notesOf = (id: number) =>
  ((fake.state().opportunities as { id: number; notes: unknown[] }[]).find((o) => o.id === id)?.notes ?? [])
    .length;
const messagesTo = (number: string) =>
  (fake.state().sentTemplates as { number: string }[]).filter((t) => t.number === number).length;

/** A port nothing listens on (bound, then released). */
async function closedPort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
  const port = (srv.address() as { port: number }).port;
  await new Promise<void>((resolve) => srv.close(() => resolve()));
  return port;
}

describe('outbox: a call whose outcome is unknown', () => {
  test('Kentro applies a note and a template but answers after 1.3 s (timeout 1 s): each arrives once, both rows parked', async () => {
    const { deps, clock, store } = setup();
    for (const op of ['insertOpportunityNote', 'sendWaTemplate']) {
      fake.setFault({ op, delayMs: 1300, when: 'after', count: 'always' });
    }
    enqueueNoteAndTemplate(store, clock.now());

    await passes(deps, clock, 4);

    assert.equal(notesOf(NOTE_OPP), 1, 'exactly one note at Kentro');
    assert.equal(messagesTo(NUMBER), 1, 'exactly one WhatsApp message');
    assert.equal(fake.requests('insertOpportunityNote').length, 1, 'the note was sent once');
    assert.equal(fake.requests('sendWaTemplate').length, 1, 'the template was sent once');
    const rows = store.outbox.list('parked', 10);
    assert.deepEqual(rows.map((r) => [r.kind, r.parkReason, r.attempts]).sort(), [
      ['note', 'unknown_outcome', 1],
      ['wa_template', 'unknown_outcome', 1],
    ]);
    for (const r of rows) assert.match(r.lastError ?? '', /did not answer .* within 1000 ms/);
  });

  test('a stage move (repeatable) with a lost answer is simply tried again and arrives', async () => {
    const { deps, clock, store } = setup();
    fake.setFault({ op: 'changeOpportunityStage', delayMs: 1300, when: 'after', count: 1 });
    store.outbox.enqueue(
      {
        key: 't:stage',
        kind: 'stage',
        opportunityId: STAGE_OPP,
        payload: { stageId: S.simulated, stage: 'simulated' },
      },
      clock.now(),
    );
    await passes(deps, clock, 2);
    const row = store.outbox.list(undefined, 1)[0];
    assert.equal(row?.status, 'delivered');
    assert.equal(row?.attempts, 2);
    assert.equal(fake.requests('changeOpportunityStage').length, 2);
  });

  test('Kentro answers 500 after applying: the note is parked, not repeated', async () => {
    const { deps, clock, store } = setup();
    fake.setFault({ op: 'insertOpportunityNote', status: 500, when: 'after', count: 'always' });
    enqueueNoteAndTemplate(store, clock.now());
    await passes(deps, clock, 3);
    assert.equal(notesOf(NOTE_OPP), 1);
    assert.equal(fake.requests('insertOpportunityNote').length, 1);
    assert.equal(store.outbox.list('parked', 10)[0]?.parkReason, 'unknown_outcome');
    assert.equal(messagesTo(NUMBER), 1, 'the template, answered normally, was delivered');
  });

  test('Kentro says the queue is unavailable (503, nothing applied): retried until delivered, once', async () => {
    const { deps, clock, store } = setup();
    fake.setFault({ op: 'sendWaTemplate', code: 'QUEUE_008', count: 2 });
    enqueueNoteAndTemplate(store, clock.now());
    await passes(deps, clock, 4);
    assert.equal(messagesTo(NUMBER), 1);
    assert.equal(fake.requests('sendWaTemplate').length, 3);
    assert.deepEqual(store.outbox.counts(), { pending: 0, delivered: 2, parked: 0, dropped: 0 });
  });

  test('connection refused (the request never left) is retried; once Kentro listens, each arrives once', async () => {
    const port = await closedPort();
    const { deps, clock, store } = setup(`http://127.0.0.1:${port}`);
    enqueueNoteAndTemplate(store, clock.now());
    await passes(deps, clock, 2);
    const waiting = store.outbox.list('pending', 10);
    assert.equal(waiting.length, 2, 'still queued, not parked');
    for (const r of waiting) {
      assert.equal(r.attempts, 2);
      assert.match(r.lastError ?? '', /ECONNREFUSED/);
    }
    const up = await startFakeKentro({ port });
    try {
      await passes(deps, clock, 2);
      assert.deepEqual(store.outbox.counts(), { pending: 0, delivered: 2, parked: 0, dropped: 0 });
      const state = up.state() as {
        opportunities: { id: number; notes: unknown[] }[];
        sentTemplates: unknown[];
      };
      assert.equal(state.opportunities.find((o) => o.id === NOTE_OPP)?.notes.length, 1);
      assert.equal(state.sentTemplates.length, 1);
    } finally {
      await up.close();
    }
  });

  test('a row left in flight by a process that stopped is parked as interrupted, without a call', async () => {
    const { deps, clock, store } = setup();
    enqueueNoteAndTemplate(store, clock.now());
    // What the relay commits right before the call; the process "dies" before recording the result.
    for (const r of store.outbox.due(clock.now(), 10)) store.outbox.markSending(r.id, clock.now());
    await passes(deps, clock, 2);
    assert.equal(fake.requests().length, 0, 'nothing was sent again');
    assert.deepEqual(
      store.outbox
        .list('parked', 10)
        .map((r) => r.parkReason)
        .sort(),
      ['interrupted', 'interrupted'],
    );
  });
});
