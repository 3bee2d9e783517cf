/**
 * FTS5 full-text index over segment text (external content: the text lives once, in
 * `segments`). Triggers keep it in step with inserts, revisions and deletes; existing
 * rows are indexed once when the migration runs.
 */
import type Database from 'better-sqlite3';
import type { Migration } from '../migrations.js';

export const migration011: Migration = {
  version: 11,
  name: 'segments_fts',
  up(db: Database.Database): void {
    db.exec(`
      CREATE VIRTUAL TABLE segments_fts USING fts5(text, content='segments', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2');
      CREATE TRIGGER segments_fts_ai AFTER INSERT ON segments WHEN NEW.text IS NOT NULL BEGIN
        INSERT INTO segments_fts(rowid, text) VALUES (NEW.rowid, NEW.text);
      END;
      CREATE TRIGGER segments_fts_ad AFTER DELETE ON segments WHEN OLD.text IS NOT NULL BEGIN
        INSERT INTO segments_fts(segments_fts, rowid, text) VALUES ('delete', OLD.rowid, OLD.text);
      END;
      CREATE TRIGGER segments_fts_au AFTER UPDATE OF text ON segments BEGIN
        INSERT INTO segments_fts(segments_fts, rowid, text) SELECT 'delete', OLD.rowid, OLD.text WHERE OLD.text IS NOT NULL;
        INSERT INTO segments_fts(rowid, text) SELECT NEW.rowid, NEW.text WHERE NEW.text IS NOT NULL;
      END;
      INSERT INTO segments_fts(rowid, text) SELECT rowid, text FROM segments WHERE text IS NOT NULL;
    `);
  },
};
