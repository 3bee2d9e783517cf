/**
 * Ordered schema migrations. Each migration lives in its own file
 * `migrations/<NNN>-<name>.ts` and is registered here with ONE line.
 * Reserved version ranges (so parallel work never collides):
 *    1–9   storage core (sessions, segments, outbox)
 *   10–19  diarization (speakers, FTS5)
 *   20–29  ASR (latency metrics)
 *   30–39  tiers / backlog
 *   40–49  OTA
 * Each migration runs in its own transaction and is recorded in `schema_migrations`.
 * Never edit a shipped migration; add a new one.
 */
import type Database from 'better-sqlite3';
import { migration001 } from './migrations/001-core.js';
import { migration002 } from './migrations/002-stream-id.js';
import { migration010 } from './migrations/010-speakers.js';
import { migration011 } from './migrations/011-segments-fts.js';
import { migration020AsrLatency } from './migrations/020-asr-latency.js';
import { migration030Backlog } from './migrations/030-backlog.js';

export interface Migration {
  version: number;
  name: string;
  up(db: Database.Database): void;
}

export const migrations: readonly Migration[] = [
  migration001,
  migration002,
  migration010,
  migration011,
  migration020AsrLatency,
  migration030Backlog,
];

/** Apply every migration newer than the recorded version; returns the versions applied. */
export function applyMigrations(db: Database.Database, list: readonly Migration[] = migrations, nowMs: () => number = Date.now): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_wall_ms INTEGER NOT NULL)`);
  const sorted = [...list].sort((a, b) => a.version - b.version);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].version === sorted[i - 1].version) {
      throw new Error(`duplicate migration version ${sorted[i].version} (${sorted[i - 1].name}, ${sorted[i].name})`);
    }
  }
  const done = new Set((db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version));
  const applied: number[] = [];
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_wall_ms) VALUES (?, ?, ?)');
  for (const m of sorted) {
    if (done.has(m.version)) continue;
    db.transaction(() => {
      m.up(db);
      record.run(m.version, m.name, nowMs());
    })();
    applied.push(m.version);
  }
  return applied;
}
