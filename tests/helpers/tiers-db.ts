/**
 * A real SQLite database in a temp dir with the backlog migration and a minimal stand-in
 * `segments` table + `revise()` (the storage engineer's repo replaces it once in main).
 */
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { migration030Backlog } from '../../src/storage/migrations/030-backlog.js';
import type { SegmentRevision } from '../../src/pipeline/types.js';

export interface TestDb {
  dir: string;
  path: string;
  db: Database.Database;
  segments: {
    insert(sessionId: string, startSample: number, endSample: number): number;
    revise(sessionId: string, rev: SegmentRevision): { segmentId: number; rev: number; seq: number } | undefined;
    all(): Array<{ id: number; session_id: string; start_sample: number; text: string | null; speaker: string | null; rev: number }>;
  };
  reopen(): void;
  cleanup(): void;
}

export function openTestDb(dir = mkdtempSync(join(tmpdir(), 'parley-tiers-db-'))): TestDb {
  const path = join(dir, 'parley.db');
  const open = (): Database.Database => {
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    migration030Backlog.up(db);
    db.exec('CREATE TABLE IF NOT EXISTS segments (id INTEGER PRIMARY KEY, session_id TEXT NOT NULL, start_sample INTEGER NOT NULL, end_sample INTEGER NOT NULL, text TEXT, speaker TEXT, rev INTEGER NOT NULL DEFAULT 0, UNIQUE(session_id, start_sample))');
    return db;
  };
  const t: TestDb = {
    dir,
    path,
    db: open(),
    segments: {
      insert: (s, a, b) => Number(t.db.prepare('INSERT INTO segments (session_id, start_sample, end_sample) VALUES (?, ?, ?)').run(s, a, b).lastInsertRowid),
      revise(sessionId, rev) {
        const row = t.db.prepare('SELECT id, rev FROM segments WHERE session_id = ? AND start_sample = ?').get(sessionId, rev.startSample) as { id: number; rev: number } | undefined;
        if (!row) return undefined;
        t.db.prepare('UPDATE segments SET text = COALESCE(?, text), speaker = COALESCE(?, speaker), rev = rev + 1 WHERE id = ?').run(rev.text ?? null, rev.speaker ?? null, row.id);
        return { segmentId: row.id, rev: row.rev + 1, seq: 0 };
      },
      all: () => t.db.prepare('SELECT id, session_id, start_sample, text, speaker, rev FROM segments ORDER BY id').all() as never,
    },
    reopen() {
      t.db.close();
      t.db = open();
    },
    cleanup() {
      try { t.db.close(); } catch { /* already closed */ }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return t;
}
