/**
 * Speaker registry: enrolled speakers and their voiceprints (one row per enrollment,
 * per embedding engine, so builtin and neural voiceprints can coexist).
 */
import type Database from 'better-sqlite3';
import type { Migration } from '../migrations.js';

export const migration010: Migration = {
  version: 10,
  name: 'speakers',
  up(db: Database.Database): void {
    db.exec(`
      CREATE TABLE speakers (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_wall_ms INTEGER NOT NULL,
        updated_wall_ms INTEGER NOT NULL
      );
      CREATE TABLE voiceprints (
        id INTEGER PRIMARY KEY,
        speaker_id INTEGER NOT NULL REFERENCES speakers(id) ON DELETE CASCADE,
        engine TEXT NOT NULL,
        dims INTEGER NOT NULL,
        embedding BLOB NOT NULL,
        duration_ms INTEGER NOT NULL,
        source TEXT NOT NULL,
        created_wall_ms INTEGER NOT NULL
      );
      CREATE INDEX voiceprints_speaker ON voiceprints(speaker_id);
      CREATE INDEX segments_speaker ON segments(speaker);
    `);
  },
};
