import type Database from 'better-sqlite3';
import { UsageError } from '../util/errors.js';

export interface SearchQuery {
  text: string;
  speaker?: string;
  sinceWallMs?: number;
  sessionId?: string;
  limit?: number;
}

export interface SearchHit {
  segmentId: string;
  sessionId: string;
  startMs: number;
  endMs: number;
  wallStartMs: number;
  speaker: string | null;
  text: string;
}

/**
 * Turn free text into an FTS5 query: every word becomes a quoted term (so user input
 * never reaches the FTS5 query syntax), a trailing `*` keeps prefix search.
 */
export function ftsQuery(text: string): string {
  const terms = text.split(/\s+/).map((w) => w.trim()).filter((w) => w !== '').map((w) => {
    const prefix = w.endsWith('*');
    const core = (prefix ? w.slice(0, -1) : w).replace(/"/g, '""');
    return core === '' ? '' : `"${core}"${prefix ? '*' : ''}`;
  }).filter((t) => t !== '');
  if (terms.length === 0) throw new UsageError('search text is empty');
  return terms.join(' ');
}

/** Full-text search over segment text (FTS5 index from migration 011), newest first. */
export class SearchRepo {
  constructor(private readonly db: Database.Database) {}

  search(q: SearchQuery): SearchHit[] {
    const where = ['segments_fts MATCH ?'];
    const args: unknown[] = [ftsQuery(q.text)];
    if (q.speaker !== undefined) {
      where.push('g.speaker = ?');
      args.push(q.speaker);
    }
    if (q.sinceWallMs !== undefined) {
      where.push('g.wall_start_ms >= ?');
      args.push(q.sinceWallMs);
    }
    if (q.sessionId !== undefined) {
      where.push('g.session_id = ?');
      args.push(q.sessionId);
    }
    args.push(Math.max(1, Math.min(q.limit ?? 50, 1000)));
    return this.db.prepare(`SELECT g.id AS segmentId, g.session_id AS sessionId, g.start_ms AS startMs, g.end_ms AS endMs,
        g.wall_start_ms AS wallStartMs, g.speaker AS speaker, g.text AS text
      FROM segments_fts f JOIN segments g ON g.rowid = f.rowid
      WHERE ${where.join(' AND ')} ORDER BY g.wall_start_ms DESC, g.start_ms DESC LIMIT ?`).all(...args) as SearchHit[];
  }
}
