/**
 * The durable event outbox (RELIABILITY.md B4.1). Producers call `enqueue` inside the
 * transaction that writes the data the event describes. The MQTT publisher reads
 * `pending()` in seq order, publishes with QoS 1 and calls `markDelivered(seq)` only in
 * the PUBACK callback. Delivered rows are kept for `keepDeliveredMs` so `cmd/replay`
 * can re-send them.
 *
 * Bound and drop policy: after each insert, if the table exceeds `maxRows` or
 * `maxBytes`, the oldest *delivered* rows are deleted first; if that is not enough the
 * oldest *undelivered* rows are deleted and counted in the persisted `dropped` counter
 * (published in status). The row just inserted is never dropped by its own insert.
 */
import type Database from 'better-sqlite3';
import { guard, type RepoClock } from './sqlite-guard.js';
import { ulid } from './ulid.js';

export interface OutboxLimits {
  maxRows: number;
  maxBytes: number;
  keepDeliveredMs: number;
}

export const DEFAULT_OUTBOX_LIMITS: OutboxLimits = { maxRows: 100_000, maxBytes: 64 * 1024 * 1024, keepDeliveredMs: 7 * 86_400_000 };

export interface OutboxRow {
  seq: number;
  event_id: string;
  kind: string;
  payload_json: string;
  qos: 0 | 1;
  retain: 0 | 1;
  bytes: number;
  ts_wall_ms: number;
  ts_mono_ms: number;
  boot_id: string;
  delivered_wall_ms: number | null;
}

export interface OutboxStats {
  rows: number;
  bytes: number;
  pending: number;
  dropped: number;
  /** Highest seq ever assigned (0 when none). */
  lastSeq: number;
}

export interface EnqueueOptions {
  qos?: 0 | 1;
  retain?: boolean;
}

const RESERVED = new Set(['event_id', 'seq', 'kind', 'stream_id', 'ts_wall', 'ts_mono_ms', 'boot_id']);

export class OutboxRepo {
  private limits: OutboxLimits = DEFAULT_OUTBOX_LIMITS;
  private readonly st: ReturnType<OutboxRepo['prepare']>;

  /** Identity of this database's seq stream (see migration 002); '' if the table is missing. */
  readonly streamId: string;

  constructor(private readonly db: Database.Database, private readonly clock: RepoClock) {
    this.st = this.prepare();
    this.streamId = guard('outbox.open', () => {
      const hasMeta = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'meta'").get();
      if (!hasMeta) return '';
      return (db.prepare("SELECT value FROM meta WHERE key = 'stream_id'").get() as { value: string } | undefined)?.value ?? '';
    });
  }

  private prepare() {
    const d = this.db;
    return {
      insert: d.prepare(`INSERT INTO outbox (event_id, kind, payload_json, qos, retain, bytes, ts_wall_ms, ts_mono_ms, boot_id)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      stats: d.prepare('SELECT rows, bytes, dropped FROM outbox_stats WHERE id = 1'),
      pendingCount: d.prepare('SELECT count(*) AS n FROM outbox WHERE delivered_wall_ms IS NULL'),
      lastSeq: d.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'outbox'"),
      pending: d.prepare('SELECT * FROM outbox WHERE delivered_wall_ms IS NULL AND seq > ? ORDER BY seq LIMIT ?'),
      range: d.prepare('SELECT * FROM outbox WHERE seq >= ? AND seq <= ? ORDER BY seq LIMIT ?'),
      get: d.prepare('SELECT * FROM outbox WHERE seq = ?'),
      mark: d.prepare('UPDATE outbox SET delivered_wall_ms = ? WHERE seq = ? AND delivered_wall_ms IS NULL'),
      oldestDelivered: d.prepare('SELECT seq, bytes FROM outbox WHERE delivered_wall_ms IS NOT NULL ORDER BY seq LIMIT ?'),
      oldestPending: d.prepare('SELECT seq, bytes FROM outbox WHERE delivered_wall_ms IS NULL AND seq < ? ORDER BY seq LIMIT ?'),
      del: d.prepare('DELETE FROM outbox WHERE seq = ?'),
      addDropped: d.prepare('UPDATE outbox_stats SET dropped = dropped + ? WHERE id = 1'),
      expire: d.prepare('DELETE FROM outbox WHERE delivered_wall_ms IS NOT NULL AND delivered_wall_ms < ?'),
    };
  }

  /** Set the size bound and replay retention (the MQTT service passes its config). */
  configure(limits: OutboxLimits): void {
    this.limits = { ...limits };
  }

  getLimits(): OutboxLimits {
    return { ...this.limits };
  }

  /**
   * Append one event. Call inside the producer's transaction (better-sqlite3 nests
   * as a savepoint) so the event and its data commit together.
   */
  enqueue(kind: string, data: object, opts: EnqueueOptions = {}): { eventId: string; seq: number } {
    return guard('outbox.enqueue', () => {
      const clean: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(data)) if (!RESERVED.has(k)) clean[k] = v;
      const json = JSON.stringify(clean);
      const eventId = ulid();
      const r = this.st.insert.run(eventId, kind, json, opts.qos ?? 1, opts.retain ? 1 : 0, Buffer.byteLength(json),
        this.clock.wallMs(), this.clock.monoMs(), this.clock.bootId());
      const seq = Number(r.lastInsertRowid);
      this.enforce(seq);
      return { eventId, seq };
    });
  }

  private enforce(newSeq: number): void {
    const s = this.st.stats.get() as { rows: number; bytes: number; dropped: number };
    let { rows, bytes } = s;
    const over = () => rows > this.limits.maxRows || bytes > this.limits.maxBytes;
    if (!over()) return;
    for (const stmt of [this.st.oldestDelivered, this.st.oldestPending] as const) {
      let dropped = 0;
      while (over()) {
        const batch = (stmt === this.st.oldestPending ? stmt.all(newSeq, 256) : stmt.all(256)) as { seq: number; bytes: number }[];
        if (batch.length === 0) break;
        for (const r of batch) {
          if (!over()) break;
          this.st.del.run(r.seq);
          rows--;
          bytes -= r.bytes;
          if (stmt === this.st.oldestPending) dropped++;
        }
      }
      if (dropped > 0) this.st.addDropped.run(dropped);
    }
  }

  /** Undelivered rows with seq > afterSeq, oldest first. */
  pending(afterSeq: number, limit: number): OutboxRow[] {
    return guard('outbox.pending', () => this.st.pending.all(afterSeq, limit) as OutboxRow[]);
  }

  /** Stored rows (delivered or not) with fromSeq <= seq <= toSeq, for replay. */
  range(fromSeq: number, toSeq: number, limit: number): OutboxRow[] {
    return guard('outbox.range', () => this.st.range.all(fromSeq, toSeq, limit) as OutboxRow[]);
  }

  get(seq: number): OutboxRow | undefined {
    return guard('outbox.get', () => this.st.get.get(seq) as OutboxRow | undefined);
  }

  /** Mark a row delivered; call only from the PUBACK callback. Returns false if already marked or gone. */
  markDelivered(seq: number): boolean {
    return guard('outbox.markDelivered', () => this.st.mark.run(this.clock.wallMs(), seq).changes > 0);
  }

  /** Mark many rows delivered in one transaction (batched PUBACKs). Returns rows changed. */
  markDeliveredMany(seqs: readonly number[]): number {
    return guard('outbox.markDelivered', () => this.db.transaction(() => {
      const now = this.clock.wallMs();
      let n = 0;
      for (const s of seqs) n += this.st.mark.run(now, s).changes;
      return n;
    })());
  }

  stats(): OutboxStats {
    return guard('outbox.stats', () => {
      const s = this.st.stats.get() as { rows: number; bytes: number; dropped: number };
      const pending = (this.st.pendingCount.get() as { n: number }).n;
      const last = this.st.lastSeq.get() as { seq: number } | undefined;
      return { rows: s.rows, bytes: s.bytes, dropped: s.dropped, pending, lastSeq: last?.seq ?? 0 };
    });
  }

  /** Delete delivered rows older than the replay retention. Returns rows deleted. */
  prune(): number {
    return guard('outbox.prune', () => this.st.expire.run(this.clock.wallMs() - this.limits.keepDeliveredMs).changes);
  }

  /** The JSON message published for a row of this store (with its stream_id). */
  messageFor(row: OutboxRow): string {
    return OutboxRepo.message(row, this.streamId);
  }

  /** The JSON message published for a row: envelope fields first, then the event data. */
  static message(row: OutboxRow, streamId = ''): string {
    const env = JSON.stringify({
      event_id: row.event_id,
      seq: row.seq,
      kind: row.kind,
      stream_id: streamId,
      ts_wall: new Date(row.ts_wall_ms).toISOString(),
      ts_mono_ms: row.ts_mono_ms,
      boot_id: row.boot_id,
    });
    const body = row.payload_json;
    return body.length <= 2 ? env : `${env.slice(0, -1)},${body.slice(1)}`;
  }
}
