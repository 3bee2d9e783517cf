/**
 * Per-utterance ASR latency records (table asr_latency, migration 020) and their
 * percentiles. Only the supervisor writes; the table is kept bounded by `prune`.
 */
import type Database from 'better-sqlite3';
import { guard } from './sqlite-guard.js';

export interface LatencyRecord {
  sessionId: string | null;
  startSample: number;
  endSample: number;
  audioMs: number;
  /** Capture/driver latency before the VAD saw the audio; null when unknown. */
  captureMs: number | null;
  /** VAD processing time for the segment; null when unknown. */
  vadMs: number | null;
  /** From the VAD closing the segment to the ASR starting on it (earlier stages included). */
  queueMs: number;
  asrMs: number;
  /** From the VAD closing the segment (end of speech) to the final text. */
  eosToFinalMs: number;
  /** asrMs / audioMs. */
  rtf: number;
  engine: string;
  model: string;
  tier: string;
  outcome: 'text' | 'no_speech' | 'error';
}

export interface LatencyPercentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
}

/** Nearest-rank percentile of an ascending array (p in 0..100); NaN for an empty array. */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function summarize(values: readonly number[]): LatencyPercentiles {
  const s = [...values].sort((a, b) => a - b);
  return { count: s.length, p50: percentile(s, 50), p95: percentile(s, 95), p99: percentile(s, 99) };
}

export class LatencyRepo {
  private readonly st;

  constructor(private readonly db: Database.Database, private readonly wallMs: () => number = Date.now) {
    this.st = {
      insert: db.prepare(`INSERT INTO asr_latency (session_id, start_sample, end_sample, audio_ms, capture_ms, vad_ms, queue_ms,
        asr_ms, eos_to_final_ms, rtf, engine, model, tier, outcome, created_wall_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      eos: db.prepare('SELECT eos_to_final_ms AS v FROM asr_latency WHERE created_wall_ms >= ? AND (? IS NULL OR engine = ?)'),
      count: db.prepare('SELECT COUNT(*) AS n FROM asr_latency'),
      pruneAge: db.prepare('DELETE FROM asr_latency WHERE created_wall_ms < ?'),
      pruneRows: db.prepare('DELETE FROM asr_latency WHERE id <= (SELECT MAX(id) FROM asr_latency) - ?'),
      recent: db.prepare('SELECT * FROM asr_latency ORDER BY id DESC LIMIT ?'),
    };
  }

  insert(r: LatencyRecord): number {
    return guard('asr_latency.insert', () => Number(this.st.insert.run(r.sessionId, r.startSample, r.endSample, r.audioMs, r.captureMs, r.vadMs,
      r.queueMs, r.asrMs, r.eosToFinalMs, r.rtf, r.engine, r.model, r.tier, r.outcome, Math.round(this.wallMs())).lastInsertRowid));
  }

  /** p50/p95/p99 of end-of-speech → final text since `sinceWallMs`, optionally for one engine. */
  eosPercentiles(sinceWallMs = 0, engine: string | null = null): LatencyPercentiles {
    const rows = guard('asr_latency.select', () => this.st.eos.all(sinceWallMs, engine, engine) as { v: number }[]);
    return summarize(rows.map((r) => r.v));
  }

  recent(limit = 100): Record<string, unknown>[] {
    return guard('asr_latency.select', () => this.st.recent.all(limit) as Record<string, unknown>[]);
  }

  count(): number {
    return guard('asr_latency.count', () => (this.st.count.get() as { n: number }).n);
  }

  /** Delete rows older than maxAgeMs and keep at most maxRows newest; returns rows deleted. */
  prune(maxAgeMs: number, maxRows: number): number {
    return guard('asr_latency.prune', () => this.db.transaction(() => {
      const a = this.st.pruneAge.run(Math.round(this.wallMs() - maxAgeMs)).changes;
      const b = this.st.pruneRows.run(maxRows).changes;
      return a + b;
    })());
  }
}
