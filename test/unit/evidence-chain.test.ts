import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, test } from 'node:test';
import { ManualClock } from '../../app/adapters/clock.ts';
import type { EvidenceAppend } from '../../app/adapters/store/evidence-repository.ts';
import { openStore, STORE_FILE, type Store } from '../../app/adapters/store/store.ts';
import {
  canonicalJson,
  chainEntry,
  type EvidenceEntry,
  entryHash,
  GENESIS_HASH,
  verifyChain,
} from '../../app/domain/evidence-chain.ts';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const DAY = 86_400_000;

function entry(consultId: string, over: Partial<EvidenceAppend> = {}): EvidenceAppend {
  return {
    event: 'consult_created',
    consultId,
    cpf: '52998224725',
    actor: { kind: 'api_token', label: 'API_TOKEN' },
    ip: '203.0.113.7',
    userAgent: 'crm/1.0',
    consent: { channel: 'whatsapp', messageId: 'wamid.1', acceptedAt: '2026-01-01T11:59:00Z' },
    flowId: null,
    v8: { id: consultId, status: 'WAITING_CONSENT' },
    ...over,
  };
}

/** A store on disk with three entries, and a second connection to tamper with it like an intruder. */
function storeWithThree(): { store: Store; clock: ManualClock; raw: DatabaseSync } {
  const dir = mkdtempSync(path.join(tmpdir(), 'cltv8-evidence-'));
  dirs.push(dir);
  const clock = new ManualClock();
  const store = openStore({ dataDir: dir, clock });
  store.tx(() => store.evidence.append(entry('c-1'), clock.now()));
  clock.advance(1000);
  store.tx(() =>
    store.evidence.append(
      entry('c-1', { event: 'consult_authorized', v8: { id: 'c-1', alreadyApproved: false } }),
      clock.now(),
    ),
  );
  clock.advance(1000);
  store.tx(() => store.evidence.append(entry('c-2', { consent: null, ip: null }), clock.now()));
  const raw = new DatabaseSync(path.join(dir, STORE_FILE));
  return { store, clock, raw };
}

describe('consent evidence chain (store)', () => {
  test('append links each entry to the previous one; the chain verifies', () => {
    const { store, raw } = storeWithThree();
    const c1 = store.evidence.forConsult('c-1');
    assert.deepEqual(
      c1.map((e) => [e.id, e.event, e.at]),
      [
        [1, 'consult_created', Date.parse('2026-01-01T12:00:00Z')],
        [2, 'consult_authorized', Date.parse('2026-01-01T12:00:01Z')],
      ],
    );
    assert.equal(c1[0]?.prevHash, GENESIS_HASH);
    assert.equal(c1[1]?.prevHash, c1[0]?.hash);
    assert.deepEqual(c1[0]?.consent, {
      channel: 'whatsapp',
      messageId: 'wamid.1',
      acceptedAt: '2026-01-01T11:59:00Z',
    });
    const c2 = store.evidence.forConsult('c-2');
    assert.equal(c2[0]?.prevHash, c1[1]?.hash);
    assert.equal(c2[0]?.consent, null);
    assert.deepEqual(store.evidence.verify(), { ok: true, entries: 3 });
    raw.close();
    store.close();
  });

  test('the app connection cannot edit an entry nor delete one but the oldest', () => {
    const { store, raw } = storeWithThree();
    assert.throws(
      () => raw.exec("UPDATE consent_evidence SET actor_label = 'x' WHERE id = 2"),
      /append-only/,
    );
    assert.throws(() => raw.exec('DELETE FROM consent_evidence WHERE id = 2'), /append-only/);
    assert.deepEqual(store.evidence.verify(), { ok: true, entries: 3 });
    raw.close();
    store.close();
  });

  test('an altered row is named by verify', () => {
    const { store, raw } = storeWithThree();
    raw.exec('DROP TRIGGER consent_evidence_no_update');
    raw.exec("UPDATE consent_evidence SET ip = '198.51.100.1' WHERE id = 2");
    const check = store.evidence.verify();
    assert.equal(check.ok, false);
    assert.equal(check.entries, 1);
    assert.equal(check.broken?.id, 2);
    assert.match(check.broken?.reason ?? '', /altered/);
    assert.equal(store.evidence.verifyConsult('c-1').broken?.id, 2);
    raw.close();
    store.close();
  });

  test('a row with a replaced hash is named by verify', () => {
    const { store, raw } = storeWithThree();
    raw.exec('DROP TRIGGER consent_evidence_no_update');
    raw.exec("UPDATE consent_evidence SET hash = 'f00d' WHERE id = 2");
    assert.deepEqual(store.evidence.verify().broken?.id, 2);
    raw.close();
    store.close();
  });

  test('a deleted row is detected (in the middle, and at the end)', () => {
    const { store, raw, clock } = storeWithThree();
    raw.exec('DROP TRIGGER consent_evidence_prune_oldest_only');
    raw.exec('DELETE FROM consent_evidence WHERE id = 2');
    const middle = store.evidence.verify();
    assert.equal(middle.ok, false);
    assert.equal(middle.broken?.id, 3);
    assert.match(middle.broken?.reason ?? '', /entries 2…2 were deleted/);

    raw.exec('DELETE FROM consent_evidence WHERE id = 3');
    const end = store.evidence.verify();
    assert.equal(end.ok, false);
    assert.equal(end.broken?.id, 2);
    assert.match(end.broken?.reason ?? '', /deleted from the end/);
    // A new entry does not reuse the deleted ids: the gap stays visible.
    clock.advance(1000);
    const next = store.tx(() => store.evidence.append(entry('c-3'), clock.now()));
    assert.equal(next.id, 4);
    assert.equal(store.evidence.verify().broken?.id, 4);
    raw.close();
    store.close();
  });

  test("a consult's own check names what touches its entries, without walking the chain", () => {
    const { store, raw } = storeWithThree();
    assert.deepEqual(store.evidence.verifyConsult('c-1'), { ok: true, entries: 2 });
    raw.exec('DROP TRIGGER consent_evidence_no_update');
    // Edited and re-hashed so that it matches itself: the next entry's link gives it away.
    const [first] = store.evidence.forConsult('c-1') as [EvidenceEntry];
    const forged = { ...first, ip: '198.51.100.1' };
    raw
      .prepare('UPDATE consent_evidence SET ip = ?, hash = ? WHERE id = 1')
      .run(forged.ip, entryHash(first.prevHash, forged));
    assert.deepEqual(store.evidence.verifyConsult('c-1').broken?.id, 2);
    assert.equal(store.evidence.verifyConsult('c-1').broken?.kind, 'relinked');
    // The other consult's entry (3) is not next to it: it still checks.
    assert.deepEqual(store.evidence.verifyConsult('c-2'), { ok: true, entries: 1 });
    raw.exec('DROP TRIGGER consent_evidence_prune_oldest_only');
    raw.exec('DELETE FROM consent_evidence WHERE id = 2');
    assert.deepEqual(
      [store.evidence.verifyConsult('c-2').broken?.id, store.evidence.verifyConsult('c-2').broken?.kind],
      [3, 'deleted'],
    );
    raw.close();
    store.close();
  });

  test('retention removes the oldest entries only and the rest still verifies from the anchor', () => {
    const { store, raw, clock } = storeWithThree();
    const ctx = {
      actor: { kind: 'system' as const, label: 'flow' },
      ip: null,
      userAgent: null,
      consent: null,
    };
    store.evidence.saveFlowContext('f-old', ctx, clock.now());
    clock.advance(400 * DAY);
    store.evidence.saveFlowContext('f-new', ctx, clock.now());
    store.tx(() => store.evidence.append(entry('c-4'), clock.now()));
    const cutoff = clock.now() - 365 * DAY;
    assert.equal(
      store.tx(() => store.evidence.prune(cutoff, clock.now())),
      3,
    );
    assert.deepEqual(store.evidence.forConsult('c-1'), []);
    assert.equal(store.evidence.flowContext('f-old'), undefined, 'old flow contexts go with them');
    assert.deepEqual(store.evidence.flowContext('f-new'), ctx);
    assert.deepEqual(store.evidence.verify(), { ok: true, entries: 1 });
    clock.advance(1000);
    assert.equal(store.tx(() => store.evidence.append(entry('c-5'), clock.now())).id, 5);
    assert.deepEqual(store.evidence.verify(), { ok: true, entries: 2 });
    // Nothing old is left: a second prune removes nothing.
    assert.equal(
      store.tx(() => store.evidence.prune(cutoff, clock.now())),
      0,
    );
    raw.close();
    store.close();
  });

  test('a flow keeps the context of its caller', () => {
    const { store, raw, clock } = storeWithThree();
    const ctx = {
      actor: { kind: 'api_token' as const, label: 'API_TOKEN' },
      ip: '203.0.113.9',
      userAgent: 'curl/8',
      consent: null,
    };
    store.evidence.saveFlowContext('f-1', ctx, clock.now());
    assert.deepEqual(store.evidence.flowContext('f-1'), ctx);
    assert.equal(store.evidence.flowContext('f-2'), undefined);
    raw.close();
    store.close();
  });
});

describe('consent evidence chain (pure)', () => {
  const first = chainEntry(undefined, { ...entry('c-1'), at: 0 });
  const second = chainEntry(first, { ...entry('c-1', { event: 'consult_authorized' }), at: 5 });

  test('canonical JSON sorts keys at every level and drops undefined', () => {
    assert.equal(
      canonicalJson({ b: 1, a: { d: [2, { z: 1, y: null }], c: undefined } }),
      '{"a":{"d":[2,{"y":null,"z":1}]},"b":1}',
    );
  });

  const cases: { name: string; entries: EvidenceEntry[]; broken?: number; reason?: RegExp }[] = [
    { name: 'empty chain', entries: [] },
    { name: 'intact chain', entries: [first, second] },
    { name: 'edited consent', entries: [first, { ...second, consent: null }], broken: 2, reason: /altered/ },
    { name: 'edited time', entries: [{ ...first, at: 1 }, second], broken: 1, reason: /altered/ },
    { name: 'first removed', entries: [second], broken: 2, reason: /starts at 2/ },
    { name: 'reordered', entries: [second, first], broken: 2 },
  ];
  for (const c of cases) {
    test(`verify: ${c.name}`, () => {
      const check = verifyChain(c.entries);
      assert.equal(check.ok, c.broken === undefined);
      assert.equal(check.broken?.id, c.broken);
      if (c.reason) assert.match(check.broken?.reason ?? '', c.reason);
    });
  }
});
