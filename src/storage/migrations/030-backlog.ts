/**
 * src/storage/migrations/030-backlog.ts: the store-and-catch-up backlog. A row per spooled
 * speech segment whose ASR/diarization was deferred (tier minimal/paused or inference down).
 * The audio lives in `<storage.audio_dir>/backlog/<file>`; rows are deleted once the results
 * are written back with `segments.revise`. `state` is `queued` | `running` | `failed`;
 * `running` rows left by a dead process go back to `queued` on start (BacklogRepo.recover).
 */
import type Database from 'better-sqlite3';

export const BACKLOG_SQL = `
CREATE TABLE IF NOT EXISTS backlog (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  session_id      TEXT    NOT NULL,
  segment_id      TEXT,
  start_sample    INTEGER NOT NULL,
  end_sample      INTEGER NOT NULL,
  file            TEXT    NOT NULL UNIQUE,
  bytes           INTEGER NOT NULL,
  state           TEXT    NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  created_wall_ms INTEGER NOT NULL,
  last_error      TEXT
);
CREATE INDEX IF NOT EXISTS backlog_state_id ON backlog (state, id);
CREATE TABLE IF NOT EXISTS backlog_counters (
  name  TEXT    PRIMARY KEY,
  value INTEGER NOT NULL
);
`;

export const migration030Backlog = {
  version: 30,
  name: 'backlog',
  up(db: Database.Database): void {
    db.exec(BACKLOG_SQL);
  },
};

export default migration030Backlog;
