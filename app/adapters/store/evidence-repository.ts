import {
  type ChainAnchor,
  type ChainCheck,
  chainEntry,
  type EvidenceActor,
  type EvidenceBody,
  type EvidenceContext,
  type EvidenceEntry,
  type EvidenceEvent,
  GENESIS_ANCHOR,
  verifyChain,
  verifyEntries,
} from '../../domain/evidence-chain.ts';
import { num, type Row, type Statements, str } from './sql-util.ts';

export type EvidenceAppend = Omit<EvidenceBody, 'id' | 'at'>;

export interface EvidenceRepository {
  /** Adds the next entry of the chain. Call it inside store.tx (read of the last entry + insert). */
  append(entry: EvidenceAppend, now: number): EvidenceEntry;
  /** The entries of one consult, oldest first. */
  forConsult(consultId: string): EvidenceEntry[];
  /** Checks the whole chain of this client (streamed, in id order): make verify-evidence. */
  verify(): ChainCheck;
  /** Checks one consult's entries and their links to their neighbours (cheap: for every read). */
  verifyConsult(consultId: string): ChainCheck;
  /**
   * Removes the oldest entries older than `before` (retention), keeping the last removed one's id and
   * hash as the chain's anchor. Call it inside store.tx. Returns how many were removed.
   */
  prune(before: number, now: number): number;
  /** Who started a flow, for the entries the flow's steps write later. */
  saveFlowContext(flowId: string, context: EvidenceContext, now: number): void;
  flowContext(flowId: string): EvidenceContext | undefined;
}

/** A JSON column that no longer parses stays visible (and breaks the hash) instead of vanishing. */
function json<T>(text: unknown): T {
  if (typeof text !== 'string') return null as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    return { unreadable: text } as T;
  }
}

function toEntry(r: Row): EvidenceEntry {
  return {
    id: num(r.id) ?? 0,
    at: num(r.at) ?? 0,
    event: String(r.event) as EvidenceEvent,
    consultId: String(r.consult_id),
    cpf: str(r.cpf),
    actor: { kind: String(r.actor_kind), label: String(r.actor_label) } as EvidenceActor,
    ip: str(r.ip),
    userAgent: str(r.user_agent),
    consent: json(r.consent),
    flowId: str(r.flow_id),
    v8: json(r.v8) ?? {},
    prevHash: String(r.prev_hash),
    hash: String(r.hash),
  };
}

export class SqliteEvidenceRepository implements EvidenceRepository {
  private readonly s: Statements;

  constructor(statements: Statements) {
    this.s = statements;
  }

  private anchor(): ChainAnchor {
    const r = this.s
      .get('SELECT last_pruned_id, last_pruned_hash FROM consent_evidence_anchor WHERE one = 1')
      .get() as Row | undefined;
    return r ? { id: num(r.last_pruned_id) ?? 0, hash: String(r.last_pruned_hash) } : GENESIS_ANCHOR;
  }

  /** The highest id ever issued (SQLite's AUTOINCREMENT sequence survives deletes). */
  private lastIssuedId(): number {
    const r = this.s.get("SELECT seq FROM sqlite_sequence WHERE name = 'consent_evidence'").get() as
      | Row
      | undefined;
    return num(r?.seq) ?? 0;
  }

  append(entry: EvidenceAppend, now: number): EvidenceEntry {
    const row = this.s.get('SELECT id, hash FROM consent_evidence ORDER BY id DESC LIMIT 1').get() as
      | Row
      | undefined;
    const base = row ? { id: num(row.id) ?? 0, hash: String(row.hash) } : this.anchor();
    // Ids are never reused: after entries vanished from the end, the next one shows the gap.
    const last = { id: Math.max(base.id, this.lastIssuedId()), hash: base.hash };
    const e = chainEntry(last, { ...entry, at: now });
    this.s
      .get(
        `INSERT INTO consent_evidence (id, at, event, consult_id, cpf, actor_kind, actor_label, ip, user_agent,
           consent, flow_id, v8, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        e.id,
        e.at,
        e.event,
        e.consultId,
        e.cpf,
        e.actor.kind,
        e.actor.label,
        e.ip,
        e.userAgent,
        e.consent === null ? null : JSON.stringify(e.consent),
        e.flowId,
        JSON.stringify(e.v8),
        e.prevHash,
        e.hash,
      );
    return e;
  }

  forConsult(consultId: string): EvidenceEntry[] {
    return (
      this.s.get('SELECT * FROM consent_evidence WHERE consult_id = ? ORDER BY id').all(consultId) as Row[]
    ).map(toEntry);
  }

  verify(): ChainCheck {
    const anchor = this.anchor();
    const rows = this.s.get('SELECT * FROM consent_evidence ORDER BY id').iterate() as Iterable<Row>;
    function* entries() {
      for (const r of rows) yield toEntry(r);
    }
    return verifyChain(entries(), anchor, this.lastIssuedId());
  }

  verifyConsult(consultId: string): ChainCheck {
    const link = (id: number) => {
      const r = this.s.get('SELECT id, prev_hash, hash FROM consent_evidence WHERE id = ?').get(id) as
        | Row
        | undefined;
      return r ? { id: num(r.id) ?? 0, prevHash: String(r.prev_hash), hash: String(r.hash) } : undefined;
    };
    return verifyEntries(this.forConsult(consultId), link, this.anchor(), this.lastIssuedId());
  }

  prune(before: number, now: number): number {
    const old = this.s
      .get('SELECT id, hash FROM consent_evidence WHERE at < ? ORDER BY id')
      .all(before) as Row[];
    let removed = 0;
    let last: ChainAnchor | undefined;
    for (const r of old) {
      const id = num(r.id) ?? 0;
      // Only a prefix of the chain goes: stop at the first entry that is not the oldest left.
      const first = this.s.get('SELECT min(id) AS id FROM consent_evidence').get() as Row;
      if (num(first.id) !== id) break;
      this.s.get('DELETE FROM consent_evidence WHERE id = ?').run(id);
      last = { id, hash: String(r.hash) };
      removed++;
    }
    // Who started a flow matters only while its steps may still record; past retention it goes too.
    this.s.get('DELETE FROM flow_evidence_context WHERE created_at < ?').run(before);
    if (last) {
      this.s
        .get(
          `INSERT INTO consent_evidence_anchor (one, last_pruned_id, last_pruned_hash, updated_at) VALUES (1, ?, ?, ?)
           ON CONFLICT (one) DO UPDATE SET last_pruned_id = excluded.last_pruned_id,
             last_pruned_hash = excluded.last_pruned_hash, updated_at = excluded.updated_at`,
        )
        .run(last.id, last.hash, now);
    }
    return removed;
  }

  saveFlowContext(flowId: string, context: EvidenceContext, now: number): void {
    this.s
      .get('INSERT OR IGNORE INTO flow_evidence_context (flow_id, context, created_at) VALUES (?, ?, ?)')
      .run(flowId, JSON.stringify(context), now);
  }

  flowContext(flowId: string): EvidenceContext | undefined {
    const r = this.s.get('SELECT context FROM flow_evidence_context WHERE flow_id = ?').get(flowId) as
      | Row
      | undefined;
    return r ? (json<EvidenceContext>(r.context) ?? undefined) : undefined;
  }
}
