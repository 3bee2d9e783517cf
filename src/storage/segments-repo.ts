/**
 * Final speech segments. `insert` and `revise` write the segment row and its
 * `event/segment` outbox row in ONE transaction, so a segment is never stored without
 * its event (nor the reverse). Times: `start_ms`/`end_ms` are from the session start,
 * derived from the 16 kHz sample clock; `wall_start_ms` is the wall clock.
 * A revision (re-clustering, deferred ASR) keeps the segment id and bumps `rev`.
 */
import type Database from 'better-sqlite3';
import type { SegmentEventData, WordPayload } from '../mqtt/payloads.js';
import type { PipelineSegment, SegmentRevision, Word } from '../pipeline/types.js';
import type { OutboxRepo } from './outbox-repo.js';
import { guard } from './sqlite-guard.js';
import { ulid } from './ulid.js';

export const SAMPLE_RATE_HZ = 16_000;

export interface SegmentRow {
  id: string;
  session_id: string;
  rev: number;
  start_ms: number;
  end_ms: number;
  start_sample: number;
  end_sample: number;
  wall_start_ms: number;
  device_id: string;
  speaker: string | null;
  speaker_confidence: number | null;
  text: string | null;
  confidence: number | null;
  words_json: string | null;
  asr_engine: string | null;
  asr_model: string | null;
  tier: string;
  timings_json: string | null;
  created_wall_ms: number;
  updated_wall_ms: number;
}

export interface SegmentExtra {
  tier: string;
  wallStartMs: number;
  deviceId: string;
}

export interface SegmentWriteResult {
  segmentId: string;
  rev: number;
  seq: number;
}

const samplesToMs = (s: number): number => Math.round((s * 1000) / SAMPLE_RATE_HZ);

function wordsToJson(words: readonly Word[] | null | undefined): string | null {
  if (!words) return null;
  const out: WordPayload[] = words.map((w) => (w.confidence === undefined
    ? { word: w.word, start_ms: w.startMs, end_ms: w.endMs }
    : { word: w.word, start_ms: w.startMs, end_ms: w.endMs, confidence: w.confidence }));
  return JSON.stringify(out);
}

/** The `event/segment` body for a stored row. */
export function segmentEvent(r: SegmentRow): SegmentEventData {
  return {
    session_id: r.session_id, segment_id: r.id, rev: r.rev, device_id: r.device_id,
    start_ms: r.start_ms, end_ms: r.end_ms, start_sample: r.start_sample, end_sample: r.end_sample,
    wall_start: new Date(r.wall_start_ms).toISOString(),
    speaker: r.speaker, speaker_confidence: r.speaker_confidence, text: r.text, confidence: r.confidence,
    words: r.words_json ? (JSON.parse(r.words_json) as WordPayload[]) : null,
    asr_engine: r.asr_engine, asr_model: r.asr_model, tier: r.tier,
  };
}

export class SegmentsRepo {
  private readonly st;

  constructor(private readonly db: Database.Database, private readonly outbox: OutboxRepo, private readonly wallMs: () => number) {
    this.st = {
      insert: db.prepare(`INSERT INTO segments (id, session_id, rev, start_ms, end_ms, start_sample, end_sample, wall_start_ms,
        device_id, speaker, speaker_confidence, text, confidence, words_json, asr_engine, asr_model, tier, timings_json,
        created_wall_ms, updated_wall_ms) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      byStart: db.prepare('SELECT * FROM segments WHERE session_id = ? AND start_sample = ?'),
      byId: db.prepare('SELECT * FROM segments WHERE id = ?'),
      update: db.prepare(`UPDATE segments SET rev = ?, end_ms = ?, end_sample = ?, speaker = ?, text = ?, confidence = ?,
        words_json = ?, updated_wall_ms = ? WHERE id = ?`),
      list: db.prepare('SELECT * FROM segments WHERE session_id = ? ORDER BY start_sample'),
    };
  }

  /** Store a final segment and its `event/segment` (rev 1) atomically. */
  insert(sessionId: string, seg: PipelineSegment, extra: SegmentExtra): SegmentWriteResult {
    return guard('segments.insert', () => this.db.transaction(() => {
      const id = ulid();
      const now = this.wallMs();
      this.st.insert.run(id, sessionId, samplesToMs(seg.startSample), samplesToMs(seg.endSample), seg.startSample, seg.endSample,
        Math.round(extra.wallStartMs), extra.deviceId, seg.speaker ?? null, seg.speakerConfidence ?? null, seg.text ?? null,
        seg.confidence ?? null, wordsToJson(seg.words), seg.asrEngine ?? null, seg.asrModel ?? null, extra.tier,
        seg.timingsMs ? JSON.stringify(seg.timingsMs) : null, now, now);
      const row = this.st.byId.get(id) as SegmentRow;
      const { seq } = this.outbox.enqueue('segment', segmentEvent(row));
      return { segmentId: id, rev: 1, seq };
    })());
  }

  /**
   * Apply a revision to the segment with the same start sample in the session.
   * Fields left undefined keep their value. Returns undefined when no such segment exists.
   */
  revise(sessionId: string, rev: SegmentRevision): SegmentWriteResult | undefined {
    return guard('segments.revise', () => this.db.transaction(() => {
      const cur = this.st.byStart.get(sessionId, rev.startSample) as SegmentRow | undefined;
      if (!cur) return undefined;
      const next = cur.rev + 1;
      const endSample = rev.endSample ?? cur.end_sample;
      this.st.update.run(next, samplesToMs(endSample), endSample,
        rev.speaker === undefined ? cur.speaker : rev.speaker,
        rev.text === undefined ? cur.text : rev.text,
        rev.confidence === undefined ? cur.confidence : rev.confidence,
        rev.words === undefined ? cur.words_json : wordsToJson(rev.words),
        this.wallMs(), cur.id);
      const row = this.st.byId.get(cur.id) as SegmentRow;
      const { seq } = this.outbox.enqueue('segment', segmentEvent(row));
      return { segmentId: cur.id, rev: next, seq };
    })());
  }

  get(id: string): SegmentRow | undefined {
    return guard('segments.get', () => this.st.byId.get(id) as SegmentRow | undefined);
  }

  listBySession(sessionId: string): SegmentRow[] {
    return guard('segments.list', () => this.st.list.all(sessionId) as SegmentRow[]);
  }
}
