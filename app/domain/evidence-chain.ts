import { createHash } from 'node:crypto';

/**
 * Consent evidence: who made us create or authorize a consult (the worker's consent term at V8),
 * when, from where, on which channel the worker agreed, and what V8 answered. Entries form one
 * hash chain per client (one store per client): each hash covers the previous hash and the entry,
 * so editing, deleting or reordering an entry breaks the chain from that entry on.
 */
export type EvidenceEvent = 'consult_created' | 'consult_authorized';

export type ActorKind = 'api_token' | 'console' | 'system';

export interface EvidenceActor {
  readonly kind: ActorKind;
  /** API token label, console user, or what acted on its own (e.g. "batch <id>"). */
  readonly label: string;
}

/** Where the worker agreed, as the caller tells us (we cannot check it, we keep it). */
export interface ConsentProof {
  readonly channel: string;
  readonly messageId: string;
  /** ISO 8601 as sent. */
  readonly acceptedAt: string;
}

/** Who asked and from where: taken from the HTTP request (or stored with a flow for its steps). */
export interface EvidenceContext {
  readonly actor: EvidenceActor;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly consent: ConsentProof | null;
  /** The flow that acted for the caller, when it was a flow. */
  readonly flowId?: string | null | undefined;
}

/** What V8 answered: ids and statuses only, never tokens or credentials. */
export type V8Answer = Readonly<Record<string, string | number | boolean | null>>;

/** One stored entry. */
export interface EvidenceEntry {
  /** Position in the client's chain: 1, 2, 3… never reused. */
  readonly id: number;
  /** Epoch ms, UTC (from the injected clock). */
  readonly at: number;
  readonly event: EvidenceEvent;
  readonly consultId: string;
  /** Digits only; null when unknown (an authorization of a consult created elsewhere). */
  readonly cpf: string | null;
  readonly actor: EvidenceActor;
  readonly ip: string | null;
  readonly userAgent: string | null;
  readonly consent: ConsentProof | null;
  readonly flowId: string | null;
  readonly v8: V8Answer;
  readonly prevHash: string;
  readonly hash: string;
}

export type EvidenceBody = Omit<EvidenceEntry, 'prevHash' | 'hash'>;

/** The previous hash of the first entry ever. */
export const GENESIS_HASH = '0'.repeat(64);

/** JSON with object keys sorted at every level and no whitespace: one text per value. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (value === undefined) return 'null';
    if (typeof value === 'number' && !Number.isFinite(value))
      throw new Error('non-finite number in evidence');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/** What the hash covers: every field but the hashes, with the time as ISO UTC text. */
export function hashedContent(e: EvidenceBody): string {
  return canonicalJson({
    id: e.id,
    at: new Date(e.at).toISOString(),
    event: e.event,
    consultId: e.consultId,
    cpf: e.cpf,
    actor: { kind: e.actor.kind, label: e.actor.label },
    ip: e.ip,
    userAgent: e.userAgent,
    consent: e.consent,
    flowId: e.flowId,
    v8: e.v8,
  });
}

/** sha256(prev_hash + canonical JSON of the entry), hex. */
export function entryHash(prevHash: string, e: EvidenceBody): string {
  return createHash('sha256')
    .update(prevHash + hashedContent(e))
    .digest('hex');
}

/** The next entry of a chain whose last entry is `last` (undefined: an empty chain). */
export function chainEntry(
  last: { readonly id: number; readonly hash: string } | undefined,
  body: Omit<EvidenceBody, 'id'>,
): EvidenceEntry {
  const full: EvidenceBody = { ...body, id: (last?.id ?? 0) + 1 };
  const prevHash = last?.hash ?? GENESIS_HASH;
  return { ...full, prevHash, hash: entryHash(prevHash, full) };
}

/**
 * Where a chain legitimately starts: the genesis, or the last entry removed by retention (its id
 * and hash are kept so the first remaining entry still links to something known).
 */
export interface ChainAnchor {
  readonly id: number;
  readonly hash: string;
}

export const GENESIS_ANCHOR: ChainAnchor = { id: 0, hash: GENESIS_HASH };

export interface ChainCheck {
  readonly ok: boolean;
  /** Entries checked (all of them when ok). */
  readonly entries: number;
  /** The first entry that does not hold, and why. */
  readonly broken?: ChainBreak | undefined;
}

export interface ChainBreak {
  readonly id: number;
  /** deleted: entries are missing before it; relinked: its link does not match; altered: its content. */
  readonly kind: 'deleted' | 'relinked' | 'altered';
  readonly reason: string;
}

/**
 * Walks the chain in id order. An entry is broken when its id does not follow the previous one
 * (an entry was deleted), its prev_hash is not the previous hash (deleted or reordered), or its
 * hash does not match its content (edited). `lastIssuedId` (SQLite's sequence of the table) tells
 * whether entries were deleted from the end, which the links alone cannot show.
 */
export function verifyChain(
  entries: Iterable<EvidenceEntry>,
  anchor: ChainAnchor = GENESIS_ANCHOR,
  lastIssuedId?: number,
): ChainCheck {
  let prev = anchor;
  let count = 0;
  for (const e of entries) {
    const fail = (kind: ChainBreak['kind'], reason: string): ChainCheck => ({
      ok: false,
      entries: count,
      broken: { id: e.id, kind, reason },
    });
    if (e.id !== prev.id + 1) {
      return fail(
        'deleted',
        prev.id === anchor.id && count === 0
          ? `the chain starts at ${e.id}, expected ${prev.id + 1}: earlier entries were deleted`
          : `follows entry ${prev.id}: entries ${prev.id + 1}…${e.id - 1} were deleted`,
      );
    }
    if (e.prevHash !== prev.hash) return fail('relinked', 'its prev_hash does not match the previous entry');
    let expected: string;
    try {
      expected = entryHash(e.prevHash, e);
    } catch {
      return fail('altered', 'its content cannot be read');
    }
    if (e.hash !== expected)
      return fail('altered', 'its content does not match its hash (the entry was altered)');
    prev = e;
    count++;
  }
  if (lastIssuedId !== undefined && lastIssuedId > prev.id) {
    return {
      ok: false,
      entries: count,
      broken: {
        id: prev.id + 1,
        kind: 'deleted',
        reason: `entries ${prev.id + 1}…${lastIssuedId} were deleted from the end`,
      },
    };
  }
  return { ok: true, entries: count };
}

/** An entry's place in the chain, as stored (for the links of its neighbours). */
export interface ChainLink {
  readonly id: number;
  readonly prevHash: string;
  readonly hash: string;
}

/**
 * Checks some entries (one consult's) without walking the whole chain: each one's content against
 * its hash, its link to the entry before it (or the anchor), and the next entry's link to it (an
 * entry edited with its hash recomputed breaks that one). O(entries), for the API and the console;
 * the whole chain is `verifyChain` (make verify-evidence).
 */
export function verifyEntries(
  entries: readonly EvidenceEntry[],
  linkOf: (id: number) => ChainLink | undefined,
  anchor: ChainAnchor = GENESIS_ANCHOR,
  lastIssuedId?: number,
): ChainCheck {
  let count = 0;
  for (const e of entries) {
    const fail = (id: number, kind: ChainBreak['kind'], reason: string): ChainCheck => ({
      ok: false,
      entries: count,
      broken: { id, kind, reason },
    });
    let expected: string;
    try {
      expected = entryHash(e.prevHash, e);
    } catch {
      return fail(e.id, 'altered', 'its content cannot be read');
    }
    if (e.hash !== expected) {
      return fail(e.id, 'altered', 'its content does not match its hash (the entry was altered)');
    }
    const before = e.id - 1 === anchor.id ? anchor : linkOf(e.id - 1);
    if (!before) return fail(e.id, 'deleted', `entry ${e.id - 1} before it was deleted`);
    if (e.prevHash !== before.hash)
      return fail(e.id, 'relinked', 'its prev_hash does not match the previous entry');
    const after = linkOf(e.id + 1);
    if (after && after.prevHash !== e.hash) {
      return fail(after.id, 'relinked', 'its prev_hash does not match the previous entry');
    }
    if (!after && lastIssuedId !== undefined && lastIssuedId > e.id) {
      return fail(e.id + 1, 'deleted', `entries ${e.id + 1}…${lastIssuedId} were deleted`);
    }
    count++;
  }
  return { ok: true, entries: count };
}
