/**
 * src/storage/backlog-repo.ts: durable spool of speech audio awaiting deferred ASR and
 * diarization (store-and-catch-up). Invariants:
 *  - the WAV file is written atomically (tmp + fsync + rename + dir fsync) BEFORE its row is
 *    inserted, and the row is deleted BEFORE its file: a crash leaves at most an orphan file
 *    (removed by recover()), never a row without audio;
 *  - processing is oldest first (by id); a `running` row whose process died is `queued`
 *    again after recover();
 *  - total spooled bytes stay under `maxBytes`; the drop policy (`drop-newest` refuses new
 *    audio, `drop-oldest` evicts the oldest queued item) is counted in `backlog_counters`.
 * Audio is 16 kHz mono PCM16 WAV (half the size of float32; ample for ASR).
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { writeFileAtomic } from '../platform/atomic-file.js';
import { systemClock, type Clock } from '../platform/clock.js';
import { AppError, StorageFullError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { decodeWav } from '../audio/wav-reader.js';
import { encodeWav16 } from '../audio/wav-writer.js';

export const BACKLOG_SAMPLE_RATE_HZ = 16000;

export interface BacklogItem {
  id: number;
  sessionId: string;
  segmentId: string | null;
  startSample: number;
  endSample: number;
  file: string;
  bytes: number;
  attempts: number;
  createdWallMs: number;
}

export interface BacklogStats {
  queued: number;
  running: number;
  failed: number;
  bytes: number;
  /** Seconds of audio waiting (queued + running). */
  audioS: number;
  dropped: number;
}

export type EnqueueResult = { accepted: true; id: number; evicted: number } | { accepted: false; reason: 'backlog_full' };

export interface BacklogOptions {
  db: Database.Database;
  /** Directory for the spool files (`<storage.audio_dir>/backlog`). */
  dir: string;
  maxBytes: number;
  dropPolicy: 'drop-newest' | 'drop-oldest';
  /** Attempts before an item is parked as `failed` (kept, counted, never silently deleted). */
  maxAttempts?: number;
  clock?: Clock;
  log?: Logger;
}

interface Row { id: number; session_id: string; segment_id: string | null; start_sample: number; end_sample: number; file: string; bytes: number; attempts: number; created_wall_ms: number }

const toItem = (r: Row): BacklogItem => ({
  id: r.id, sessionId: r.session_id, segmentId: r.segment_id, startSample: r.start_sample, endSample: r.end_sample,
  file: r.file, bytes: r.bytes, attempts: r.attempts, createdWallMs: r.created_wall_ms,
});

export class BacklogRepo {
  private readonly db: Database.Database;
  private readonly maxAttempts: number;
  private readonly clock: Clock;

  constructor(private readonly opts: BacklogOptions) {
    this.db = opts.db;
    this.maxAttempts = opts.maxAttempts ?? 3;
    this.clock = opts.clock ?? systemClock;
    mkdirSync(opts.dir, { recursive: true });
  }

  /** Start-up repair: running → queued, rows without files dropped (counted), orphan files removed. */
  recover(): { requeued: number; missingFiles: number; orphanFiles: number } {
    const requeued = this.db.prepare("UPDATE backlog SET state = 'queued' WHERE state = 'running'").run().changes;
    let missingFiles = 0;
    const known = new Set<string>();
    for (const r of this.db.prepare('SELECT id, file FROM backlog').all() as Array<{ id: number; file: string }>) {
      if (existsSync(join(this.opts.dir, r.file))) known.add(r.file);
      else {
        this.db.prepare('DELETE FROM backlog WHERE id = ?').run(r.id);
        this.bump('lost_missing_file', 1);
        missingFiles++;
      }
    }
    let orphanFiles = 0;
    for (const name of readdirSync(this.opts.dir)) {
      if (known.has(name)) continue;
      unlinkSync(join(this.opts.dir, name));
      orphanFiles++;
    }
    if (requeued + missingFiles + orphanFiles > 0) this.opts.log?.warn({ requeued, missingFiles, orphanFiles }, 'backlog.recovered');
    return { requeued, missingFiles, orphanFiles };
  }

  /** Spool one segment's audio. Throws StorageFullError on ENOSPC (the file is not left behind). */
  enqueue(item: { sessionId: string; segmentId?: string | null; startSample: number; endSample: number; samples: Float32Array }): EnqueueResult {
    const wav = encodeWavPcm16(item.samples);
    let evicted = 0;
    if (this.totalBytes() + wav.length > this.opts.maxBytes) {
      if (this.opts.dropPolicy === 'drop-newest' || wav.length > this.opts.maxBytes) {
        this.bump('dropped', 1);
        this.opts.log?.warn({ sessionId: item.sessionId, startSample: item.startSample, bytes: wav.length, policy: this.opts.dropPolicy }, 'backlog.dropped');
        return { accepted: false, reason: 'backlog_full' };
      }
      while (this.totalBytes() + wav.length > this.opts.maxBytes) {
        const oldest = this.db.prepare("SELECT * FROM backlog WHERE state = 'queued' ORDER BY id LIMIT 1").get() as Row | undefined;
        if (!oldest) break;
        this.remove(oldest.id, oldest.file);
        this.bump('dropped', 1);
        evicted++;
        this.opts.log?.warn({ sessionId: oldest.session_id, startSample: oldest.start_sample, policy: 'drop-oldest' }, 'backlog.dropped');
      }
    }
    const file = `${item.sessionId.replace(/[^A-Za-z0-9_-]/g, '_')}-${item.startSample}-${this.clock.wallMs()}.wav`;
    const path = join(this.opts.dir, file);
    try {
      writeFileAtomic(path, wav, { backup: false });
    } catch (e) {
      try { unlinkSync(`${path}.tmp`); } catch { /* nothing written */ }
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC') throw new StorageFullError('backlog spool: no space left on device', { cause: e });
      throw new AppError('STORAGE_IO', `backlog spool write failed: ${(e as Error).message}`, { cause: e });
    }
    try {
      const id = Number(this.db.prepare('INSERT INTO backlog (session_id, segment_id, start_sample, end_sample, file, bytes, created_wall_ms) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(item.sessionId, item.segmentId ?? null, item.startSample, item.endSample, file, wav.length, this.clock.wallMs()).lastInsertRowid);
      return { accepted: true, id, evicted };
    } catch (e) {
      unlinkSync(path); // no row: the file must not linger
      if ((e as { code?: string }).code === 'SQLITE_FULL') throw new StorageFullError('backlog row: database or disk is full', { cause: e });
      throw e;
    }
  }

  /** Claim the oldest queued item (state → running, attempts + 1). */
  claimOldest(): BacklogItem | undefined {
    return this.db.transaction(() => {
      const r = this.db.prepare("SELECT * FROM backlog WHERE state = 'queued' ORDER BY id LIMIT 1").get() as Row | undefined;
      if (!r) return undefined;
      this.db.prepare("UPDATE backlog SET state = 'running', attempts = attempts + 1 WHERE id = ?").run(r.id);
      return toItem({ ...r, attempts: r.attempts + 1 });
    }).immediate();
  }

  readAudio(item: BacklogItem): Float32Array {
    return decodeWavPcm16(readFileSync(join(this.opts.dir, item.file)));
  }

  /** The item's results are stored: delete the row, then the file. */
  complete(item: BacklogItem): void {
    this.remove(item.id, item.file);
    this.bump('completed', 1);
  }

  /** Processing failed or was interrupted: back to queued, or parked as failed after maxAttempts. */
  release(item: BacklogItem, error?: string): void {
    const state = error !== undefined && item.attempts >= this.maxAttempts ? 'failed' : 'queued';
    this.db.prepare('UPDATE backlog SET state = ?, last_error = ? WHERE id = ?').run(state, error ?? null, item.id);
    if (state === 'failed') this.opts.log?.error({ id: item.id, attempts: item.attempts, error }, 'backlog.item_failed');
  }

  stats(): BacklogStats {
    const rows = this.db.prepare('SELECT state, COUNT(*) AS n, COALESCE(SUM(bytes), 0) AS b, COALESCE(SUM(end_sample - start_sample), 0) AS s FROM backlog GROUP BY state').all() as Array<{ state: string; n: number; b: number; s: number }>;
    const by = (st: string) => rows.find((r) => r.state === st);
    const live = (by('queued')?.s ?? 0) + (by('running')?.s ?? 0);
    return {
      queued: by('queued')?.n ?? 0, running: by('running')?.n ?? 0, failed: by('failed')?.n ?? 0,
      bytes: rows.reduce((a, r) => a + r.b, 0), audioS: live / BACKLOG_SAMPLE_RATE_HZ, dropped: this.counter('dropped'),
    };
  }

  counter(name: string): number {
    return (this.db.prepare('SELECT value FROM backlog_counters WHERE name = ?').get(name) as { value: number } | undefined)?.value ?? 0;
  }

  private totalBytes(): number {
    return (this.db.prepare('SELECT COALESCE(SUM(bytes), 0) AS b FROM backlog').get() as { b: number }).b;
  }

  private remove(id: number, file: string): void {
    this.db.prepare('DELETE FROM backlog WHERE id = ?').run(id);
    try { unlinkSync(join(this.opts.dir, file)); } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }

  private bump(name: string, by: number): void {
    this.db.prepare('INSERT INTO backlog_counters (name, value) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET value = value + excluded.value').run(name, by);
  }
}

/** 16 kHz mono PCM16 WAV, samples clipped to [-1, 1] (the shared WAV writer). */
export function encodeWavPcm16(samples: Float32Array): Buffer {
  return encodeWav16(samples, BACKLOG_SAMPLE_RATE_HZ);
}

/** Reads back a spooled item: a 16 kHz mono PCM16 WAV; anything else is a STORAGE_IO error (corrupt spool file). */
export function decodeWavPcm16(buf: Buffer): Float32Array {
  const fail = (why: string): AppError =>
    new AppError('STORAGE_IO', `backlog spool file is not a 16 kHz mono PCM16 WAV written by parley: ${why}`, { hint: 'the item is parked as failed; delete the file to drop it' });
  let wav;
  try {
    wav = decodeWav(buf);
  } catch (e) {
    throw fail((e as Error).message);
  }
  if (wav.sampleRateHz !== BACKLOG_SAMPLE_RATE_HZ || wav.channels !== 1 || wav.bitsPerSample !== 16 || wav.format !== 'pcm') {
    throw fail(`${wav.sampleRateHz} Hz, ${wav.channels} channel(s), ${wav.bitsPerSample}-bit ${wav.format}`);
  }
  if (wav.notes && wav.notes.length > 0) throw fail(wav.notes.join('; '));
  return wav.channelData[0];
}
