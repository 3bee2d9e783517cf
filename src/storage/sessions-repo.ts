/**
 * Recording sessions. Starting or ending a session writes the `event/session` outbox
 * row in the same transaction.
 */
import type Database from 'better-sqlite3';
import type { SessionEventData } from '../mqtt/payloads.js';
import type { OutboxRepo } from './outbox-repo.js';
import { guard } from './sqlite-guard.js';
import { ulid } from './ulid.js';

export interface SessionRow {
  id: string;
  source: string;
  device_id: string;
  wall_start_ms: number;
  wall_end_ms: number | null;
  meta_json: string | null;
}

export interface StartSessionInput {
  source: string;
  deviceId: string;
  wallStartMs: number;
  meta?: object;
}

export class SessionsRepo {
  private readonly st;

  constructor(private readonly db: Database.Database, private readonly outbox: OutboxRepo) {
    this.st = {
      insert: db.prepare('INSERT INTO sessions (id, source, device_id, wall_start_ms, meta_json) VALUES (?, ?, ?, ?, ?)'),
      end: db.prepare('UPDATE sessions SET wall_end_ms = ? WHERE id = ? AND wall_end_ms IS NULL'),
      get: db.prepare('SELECT * FROM sessions WHERE id = ?'),
      list: db.prepare('SELECT * FROM sessions WHERE wall_start_ms >= ? ORDER BY wall_start_ms DESC, id DESC LIMIT ?'),
      active: db.prepare('SELECT id FROM sessions WHERE wall_end_ms IS NULL ORDER BY wall_start_ms DESC, id DESC LIMIT 1'),
    };
  }

  /** Create a session and its `event/session {type:'started'}` in one transaction. */
  start(input: StartSessionInput): { sessionId: string } {
    return guard('sessions.start', () => this.db.transaction(() => {
      const sessionId = ulid();
      this.st.insert.run(sessionId, input.source, input.deviceId, input.wallStartMs, input.meta ? JSON.stringify(input.meta) : null);
      const ev: SessionEventData = {
        type: 'started', session_id: sessionId, device_id: input.deviceId, source: input.source,
        wall_start: new Date(input.wallStartMs).toISOString(),
      };
      this.outbox.enqueue('session', ev);
      return { sessionId };
    })());
  }

  /** Close a session (idempotent: a second call does nothing and writes no event). */
  end(sessionId: string, wallEndMs: number): void {
    guard('sessions.end', () => this.db.transaction(() => {
      if (this.st.end.run(wallEndMs, sessionId).changes === 0) return;
      const row = this.st.get.get(sessionId) as SessionRow;
      const ev: SessionEventData = {
        type: 'ended', session_id: sessionId, device_id: row.device_id, source: row.source,
        wall_start: new Date(row.wall_start_ms).toISOString(), wall_end: new Date(wallEndMs).toISOString(),
        duration_ms: wallEndMs - row.wall_start_ms,
      };
      this.outbox.enqueue('session', ev);
    })());
  }

  get(id: string): SessionRow | undefined {
    return guard('sessions.get', () => this.st.get.get(id) as SessionRow | undefined);
  }

  /** Newest first; `since` is a wall-clock ms lower bound on the start. */
  list(opts: { limit?: number; since?: number } = {}): SessionRow[] {
    return guard('sessions.list', () => this.st.list.all(opts.since ?? 0, opts.limit ?? 100) as SessionRow[]);
  }

  /** The most recent session that has not ended, if any. */
  active(): string | undefined {
    return guard('sessions.active', () => (this.st.active.get() as { id: string } | undefined)?.id);
  }
}
