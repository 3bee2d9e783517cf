/**
 * Drains the SQLite outbox over one MQTT connection at a time.
 *
 * Invariants (RELIABILITY.md B4.1, T06–T09):
 * - rows are published in `seq` order, at most `maxInflight` unacknowledged at once;
 * - a row is marked delivered only after its PUBACK (QoS 1) arrives — acks are
 *   batched per event-loop turn into one transaction (a crash between PUBACK and the
 *   batch commit only causes a duplicate with the same event_id, never a loss);
 * - on every new connection the drain restarts from the oldest undelivered row, so
 *   anything in flight when the link dropped is sent again (same event_id and seq);
 * - nothing is queued in memory beyond the in-flight window: a long outage costs
 *   SQLite rows, not RAM.
 */
import type { Logger } from '../util/logger.js';
import type { OutboxRepo, OutboxRow } from '../storage/outbox-repo.js';
import type { Topics } from './topics.js';

export type PublishFn = (topic: string, payload: string, opts: { qos: 0 | 1; retain: boolean }, cb: (err?: Error) => void) => void;

export interface ReplayResult {
  from_seq: number;
  to_seq: number;
  count: number;
  /** Oldest seq still stored (older events were pruned or dropped). */
  first_available_seq: number | null;
  truncated: boolean;
}

export class OutboxPublisher {
  private publish: PublishFn | undefined;
  private generation = 0;
  private lastSentSeq = 0;
  private readonly inflight = new Set<number>();
  private readonly acked: number[] = [];
  private pumpScheduled = false;
  private flushScheduled = false;
  private waiters: (() => void)[] = [];
  private closed = false;
  lastPubackMs: number | undefined;

  constructor(
    private readonly outbox: OutboxRepo,
    private readonly topics: Topics,
    private readonly maxInflight: number,
    private readonly log: Logger,
    private readonly onPublished: (row: OutboxRow) => void = () => {},
    private readonly onAcked: (seq: number) => void = () => {},
  ) {}

  /** A connection is up: start draining from the oldest undelivered row. */
  attach(publish: PublishFn): void {
    this.closed = false;
    this.generation++;
    this.publish = publish;
    this.lastSentSeq = 0;
    this.inflight.clear();
    this.notify();
  }

  /** The connection is gone; in-flight rows stay undelivered and are re-sent on attach. */
  detach(): void {
    this.generation++;
    this.publish = undefined;
    this.inflight.clear();
  }

  get attached(): boolean {
    return this.publish !== undefined;
  }

  /** Wake the drainer (new rows were written). Coalesced per event-loop turn. */
  notify(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    const publish = this.publish;
    if (!publish) return;
    const room = this.maxInflight - this.inflight.size;
    if (room <= 0) return;
    let rows: OutboxRow[];
    try {
      rows = this.outbox.pending(this.lastSentSeq, room);
    } catch (e) {
      this.log.error({ err: e }, 'mqtt.outbox_read_failed');
      return;
    }
    const gen = this.generation;
    for (const row of rows) {
      this.lastSentSeq = row.seq;
      this.inflight.add(row.seq);
      this.onPublished(row);
      publish(this.topics.event(row.kind), this.outbox.messageFor(row), { qos: row.qos, retain: row.retain === 1 }, (err) => {
        if (gen === this.generation) this.inflight.delete(row.seq);
        if (err) {
          this.log.debug({ seq: row.seq, err: err.message }, 'mqtt.publish_failed');
        } else {
          this.ack(row.seq);
        }
        if (gen === this.generation) this.notify();
      });
    }
  }

  private ack(seq: number): void {
    this.lastPubackMs = Date.now();
    this.onAcked(seq);
    this.acked.push(seq);
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => this.flushAcks());
  }

  /** Flush pending acks and ignore any later ones (the database may be closed next). */
  close(): void {
    this.flushAcks();
    this.detach();
    this.closed = true;
  }

  /** Commit pending PUBACKs (one transaction). */
  flushAcks(): void {
    this.flushScheduled = false;
    if (this.closed) {
      this.acked.length = 0;
      return;
    }
    if (this.acked.length === 0) return;
    const seqs = this.acked.splice(0);
    try {
      this.outbox.markDeliveredMany(seqs);
    } catch (e) {
      // Not marked → re-sent later with the same event_id; never lost.
      this.log.error({ err: e, count: seqs.length }, 'mqtt.mark_delivered_failed');
    }
    this.wakeWaiters();
  }

  private wakeWaiters(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolve with the number of undelivered rows once it is 0 or after timeoutMs. */
  async waitDrained(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.flushAcks();
      const pending = this.outbox.stats().pending;
      const left = deadline - Date.now();
      if (pending === 0 || left <= 0) return pending;
      await new Promise<void>((resolve) => {
        const t = setTimeout(done, Math.min(left, 200));
        function done() {
          clearTimeout(t);
          resolve();
        }
        this.waiters.push(done);
      });
    }
  }

  /** Re-send stored rows fromSeq..toSeq (delivered or not) with their original ids. */
  replay(fromSeq: number, toSeq: number, maxEvents: number): ReplayResult {
    const publish = this.publish;
    const rows = this.outbox.range(fromSeq, toSeq, maxEvents + 1);
    const truncated = rows.length > maxEvents;
    if (truncated) rows.length = maxEvents;
    const first = this.outbox.range(0, Number.MAX_SAFE_INTEGER, 1)[0]?.seq ?? null;
    if (publish) {
      for (const row of rows) {
        publish(this.topics.event(row.kind), this.outbox.messageFor(row), { qos: row.qos, retain: row.retain === 1 }, (err) => {
          if (!err && row.delivered_wall_ms === null) this.ack(row.seq);
        });
      }
    }
    return {
      from_seq: fromSeq,
      to_seq: rows.length > 0 ? rows[rows.length - 1].seq : toSeq,
      count: publish ? rows.length : 0,
      first_available_seq: first,
      truncated,
    };
  }
}
