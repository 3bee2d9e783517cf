/**
 * src/storage/migrations/020-asr-latency.ts: one row per recognized utterance with its
 * latency breakdown (capture, VAD, queue, ASR, end of speech → final text), engine, model,
 * tier and real-time factor. Written by the supervisor (LatencyRepo); bounded by
 * LatencyRepo.prune. No foreign key: benchmarks record rows without a session.
 */
import type Database from 'better-sqlite3';
import type { Migration } from '../migrations.js';

export const migration020AsrLatency: Migration = {
  version: 20,
  name: 'asr-latency',
  up(db: Database.Database): void {
    db.exec(`
      CREATE TABLE asr_latency (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        session_id TEXT,
        start_sample INTEGER NOT NULL,
        end_sample INTEGER NOT NULL,
        audio_ms REAL NOT NULL,
        capture_ms REAL,
        vad_ms REAL,
        queue_ms REAL NOT NULL,
        asr_ms REAL NOT NULL,
        eos_to_final_ms REAL NOT NULL,
        rtf REAL NOT NULL,
        engine TEXT NOT NULL,
        model TEXT NOT NULL,
        tier TEXT NOT NULL,
        outcome TEXT NOT NULL CHECK (outcome IN ('text', 'no_speech', 'error')),
        created_wall_ms INTEGER NOT NULL
      );
      CREATE INDEX asr_latency_created ON asr_latency(created_wall_ms);
      CREATE INDEX asr_latency_engine ON asr_latency(engine, created_wall_ms);
    `);
  },
};

export default migration020AsrLatency;
