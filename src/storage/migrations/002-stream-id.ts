/**
 * A `meta` key/value table and the outbox `stream_id`: a ULID minted once per database.
 * `seq` is unique and increasing *within* a database; if the database is replaced (new
 * install, deleted file, a `transcribe --mqtt` run on a throwaway DB) seq starts again
 * at 1 under a new stream_id, so consumers know to reset their seq tracking.
 */
import type Database from 'better-sqlite3';
import type { Migration } from '../migrations.js';
import { ulid } from '../ulid.js';

export const migration002: Migration = {
  version: 2,
  name: 'stream-id',
  up(db: Database.Database): void {
    db.exec('CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    db.prepare("INSERT OR IGNORE INTO meta (key, value) VALUES ('stream_id', ?)").run(ulid());
  },
};
