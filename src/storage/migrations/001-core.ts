/**
 * Core schema: sessions, segments and the event outbox.
 *
 * The outbox is the source of truth for MQTT (RELIABILITY.md B4.1): every stored event
 * is one row, written in the same transaction as the data it describes. `seq` is an
 * AUTOINCREMENT key, so it only increases and is never reused, even after rows are
 * deleted (SQLite keeps the high-water mark in sqlite_sequence). `outbox_stats` keeps
 * row/byte totals (maintained by triggers, O(1) per insert) and the persisted count of
 * events dropped by the size bound.
 */
import type Database from 'better-sqlite3';
import type { Migration } from '../migrations.js';

export const migration001: Migration = {
  version: 1,
  name: 'core',
  up(db: Database.Database): void {
    db.exec(`
      CREATE TABLE sessions (
        id TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        device_id TEXT NOT NULL,
        wall_start_ms INTEGER NOT NULL,
        wall_end_ms INTEGER,
        meta_json TEXT
      );
      CREATE INDEX sessions_start ON sessions(wall_start_ms);

      CREATE TABLE segments (
        id TEXT PRIMARY KEY,
        session_id TEXT NOT NULL REFERENCES sessions(id),
        rev INTEGER NOT NULL DEFAULT 1,
        start_ms INTEGER NOT NULL,
        end_ms INTEGER NOT NULL,
        start_sample INTEGER NOT NULL,
        end_sample INTEGER NOT NULL,
        wall_start_ms INTEGER NOT NULL,
        device_id TEXT NOT NULL,
        speaker TEXT,
        speaker_confidence REAL,
        text TEXT,
        confidence REAL,
        words_json TEXT,
        asr_engine TEXT,
        asr_model TEXT,
        tier TEXT NOT NULL,
        timings_json TEXT,
        created_wall_ms INTEGER NOT NULL,
        updated_wall_ms INTEGER NOT NULL,
        UNIQUE (session_id, start_sample)
      );

      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        event_id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        payload_json TEXT NOT NULL,
        qos INTEGER NOT NULL DEFAULT 1,
        retain INTEGER NOT NULL DEFAULT 0,
        bytes INTEGER NOT NULL,
        ts_wall_ms INTEGER NOT NULL,
        ts_mono_ms INTEGER NOT NULL,
        boot_id TEXT NOT NULL,
        delivered_wall_ms INTEGER
      );
      CREATE INDEX outbox_pending ON outbox(seq) WHERE delivered_wall_ms IS NULL;
      CREATE INDEX outbox_delivered ON outbox(delivered_wall_ms) WHERE delivered_wall_ms IS NOT NULL;

      CREATE TABLE outbox_stats (
        id INTEGER PRIMARY KEY CHECK (id = 1),
        rows INTEGER NOT NULL,
        bytes INTEGER NOT NULL,
        dropped INTEGER NOT NULL
      );
      INSERT INTO outbox_stats (id, rows, bytes, dropped) VALUES (1, 0, 0, 0);
      CREATE TRIGGER outbox_ins AFTER INSERT ON outbox BEGIN
        UPDATE outbox_stats SET rows = rows + 1, bytes = bytes + NEW.bytes WHERE id = 1;
      END;
      CREATE TRIGGER outbox_del AFTER DELETE ON outbox BEGIN
        UPDATE outbox_stats SET rows = rows - 1, bytes = bytes - OLD.bytes WHERE id = 1;
      END;
    `);
  },
};
