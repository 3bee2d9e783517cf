import type Database from 'better-sqlite3';

/**
 * What the retention job deletes in the database: segment rows (their FTS entries follow
 * through the segments_fts triggers) older than a cutoff, never those of an open session.
 * Outbox rows are pruned separately by the storage maintenance (delivered rows only).
 */
export class RetentionStore {
  constructor(private readonly db: Database.Database) {}

  deleteTranscriptsOlderThan(cutoffWallMs: number): number {
    const r = this.db
      .prepare(`DELETE FROM segments WHERE wall_start_ms < ?
        AND session_id IN (SELECT id FROM sessions WHERE wall_end_ms IS NOT NULL)`)
      .run(cutoffWallMs);
    return r.changes;
  }

  forgetAudio(): void {
    // Segment rows do not reference audio files (kept audio is named by segment id), so
    // deleting a file needs no database change.
  }
}
