import type Database from 'better-sqlite3';
import { AppError } from '../util/errors.js';
import type { Voiceprint } from '../diarization/offline-recluster.js';

export interface SpeakerInfo {
  name: string;
  voiceprints: number;
  enrolledMs: number;
  segments: number;
  createdWallMs: number;
}

export interface EnrollInput {
  name: string;
  engine: string;
  embedding: Float32Array;
  durationMs: number;
  source: string;
}

const NAME_RE = /^[\p{L}\p{N}][\p{L}\p{N} ._'-]{0,63}$/u;

/** Speaker names: 1-64 letters/digits/space/._'- ; `unknown-N` is reserved for unnamed speakers. */
export function checkSpeakerName(name: string): string {
  const n = name.trim();
  if (!NAME_RE.test(n)) throw new AppError('USAGE', `invalid speaker name '${name.slice(0, 70)}'`, { hint: 'use 1-64 letters, digits, spaces or . _ \' -' });
  if (/^unknown-\d+$/i.test(n)) throw new AppError('USAGE', `'${n}' is reserved for unnamed speakers`, { hint: 'choose another name' });
  return n;
}

/** The speaker registry (tables from migration 010). Only the supervisor writes it. */
export class SpeakersRepo {
  constructor(private readonly db: Database.Database, private readonly wallMs: () => number = Date.now) {}

  enroll(input: EnrollInput): { speakerId: number; voiceprintId: number } {
    const name = checkSpeakerName(input.name);
    const now = this.wallMs();
    return this.db.transaction(() => {
      this.db.prepare('INSERT INTO speakers (name, created_wall_ms, updated_wall_ms) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET updated_wall_ms = excluded.updated_wall_ms').run(name, now, now);
      const sp = this.db.prepare('SELECT id FROM speakers WHERE name = ?').get(name) as { id: number };
      const blob = Buffer.from(input.embedding.buffer, input.embedding.byteOffset, input.embedding.byteLength);
      const r = this.db.prepare('INSERT INTO voiceprints (speaker_id, engine, dims, embedding, duration_ms, source, created_wall_ms) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(sp.id, input.engine, input.embedding.length, blob, Math.round(input.durationMs), input.source, now);
      return { speakerId: sp.id, voiceprintId: Number(r.lastInsertRowid) };
    })();
  }

  /** Every voiceprint of one engine, with the speaker's name. */
  voiceprints(engine: string): Voiceprint[] {
    const rows = this.db.prepare('SELECT s.name AS name, v.embedding AS embedding, v.dims AS dims FROM voiceprints v JOIN speakers s ON s.id = v.speaker_id WHERE v.engine = ? ORDER BY v.id')
      .all(engine) as { name: string; embedding: Buffer; dims: number }[];
    return rows.filter((r) => r.embedding.byteLength === r.dims * 4).map((r) => ({
      name: r.name,
      embedding: new Float32Array(r.embedding.buffer.slice(r.embedding.byteOffset, r.embedding.byteOffset + r.embedding.byteLength)),
    }));
  }

  list(): SpeakerInfo[] {
    return (this.db.prepare(`SELECT s.name AS name, s.created_wall_ms AS createdWallMs,
        (SELECT COUNT(*) FROM voiceprints v WHERE v.speaker_id = s.id) AS voiceprints,
        (SELECT COALESCE(SUM(duration_ms), 0) FROM voiceprints v WHERE v.speaker_id = s.id) AS enrolledMs,
        (SELECT COUNT(*) FROM segments g WHERE g.speaker = s.name) AS segments
      FROM speakers s ORDER BY s.name`).all() as SpeakerInfo[]);
  }

  exists(name: string): boolean {
    return this.db.prepare('SELECT 1 FROM speakers WHERE name = ?').get(name) !== undefined;
  }

  private need(name: string): number {
    const r = this.db.prepare('SELECT id FROM speakers WHERE name = ?').get(name) as { id: number } | undefined;
    if (!r) throw new AppError('USAGE', `no enrolled speaker named '${name}'`, { hint: 'see `parley speakers list`' });
    return r.id;
  }

  /** Rename a speaker and relabel its stored segments. Returns the number of segments relabelled. */
  rename(oldName: string, newName: string): number {
    const to = checkSpeakerName(newName);
    return this.db.transaction(() => {
      const id = this.need(oldName);
      if (this.exists(to)) throw new AppError('USAGE', `a speaker named '${to}' already exists`, { hint: 'use `parley speakers merge` to combine two speakers' });
      this.db.prepare('UPDATE speakers SET name = ?, updated_wall_ms = ? WHERE id = ?').run(to, this.wallMs(), id);
      return this.relabel(oldName, to);
    })();
  }

  /** Merge speaker `from` into `into`: voiceprints move, segments are relabelled, `from` disappears. */
  merge(from: string, into: string): number {
    if (from === into) throw new AppError('USAGE', 'cannot merge a speaker into itself');
    return this.db.transaction(() => {
      const a = this.need(from);
      const b = this.need(into);
      this.db.prepare('UPDATE voiceprints SET speaker_id = ? WHERE speaker_id = ?').run(b, a);
      this.db.prepare('DELETE FROM speakers WHERE id = ?').run(a);
      this.db.prepare('UPDATE speakers SET updated_wall_ms = ? WHERE id = ?').run(this.wallMs(), b);
      return this.relabel(from, into);
    })();
  }

  /** Delete a speaker and its voiceprints; its segments lose the label. Returns the affected segment ids. */
  forget(name: string): { segmentIds: { id: string; sessionId: string }[] } {
    return this.db.transaction(() => {
      const id = this.need(name);
      const segs = (this.db.prepare('SELECT id, session_id AS sessionId FROM segments WHERE speaker = ?').all(name) as { id: string; sessionId: string }[]);
      this.db.prepare('DELETE FROM voiceprints WHERE speaker_id = ?').run(id);
      this.db.prepare('DELETE FROM speakers WHERE id = ?').run(id);
      this.db.prepare('UPDATE segments SET speaker = NULL, speaker_confidence = NULL, updated_wall_ms = ? WHERE speaker = ?').run(this.wallMs(), name);
      return { segmentIds: segs };
    })();
  }

  private relabel(from: string, to: string): number {
    return this.db.prepare('UPDATE segments SET speaker = ?, updated_wall_ms = ? WHERE speaker = ?').run(to, this.wallMs(), from).changes;
  }
}
