/**
 * Opens parley's SQLite database: pragmas, migrations, repositories, checkpoint policy.
 *
 * Durability (documented choice, RELIABILITY.md B2.1/B4.2): WAL mode with
 * `synchronous` from config. FULL (default) fsyncs the WAL on every commit, so a stored
 * segment survives a power cut; segments arrive a few per minute, so the cost is small
 * on an SD card. NORMAL survives process crashes (verified by the kill -9 loop) but may
 * lose the last commits on power loss.
 *
 * WAL growth: `wal_autocheckpoint` (pages) checkpoints passively as the WAL grows,
 * `journal_size_limit` truncates the WAL file after checkpoints, and the supervisor
 * calls `checkpoint('TRUNCATE')` every `storage.checkpoint_interval_s` (or uses
 * `startMaintenance`). `close()` checkpoints with TRUNCATE and closes, so no `-wal`
 * file is left after a clean shutdown.
 *
 * Only the supervisor writes; other processes open with `readonly: true`.
 */
import Database from 'better-sqlite3';
import { mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { FrozenConfig } from '../config/schema.js';
import type { Logger } from '../util/logger.js';
import { applyMigrations, migrations as defaultMigrations, type Migration } from './migrations.js';
import { EventsRepo } from './events-repo.js';
import { OutboxRepo } from './outbox-repo.js';
import { SegmentsRepo } from './segments-repo.js';
import { SessionsRepo } from './sessions-repo.js';
import { guard, type RepoClock } from './sqlite-guard.js';
import { bootId, monoMs } from './mono-time.js';

export type CheckpointMode = 'PASSIVE' | 'TRUNCATE';

export interface CheckpointResult {
  /** 1 when the checkpoint could not complete because of readers/writers. */
  busy: number;
  /** WAL frames before the checkpoint, and how many were copied back. */
  logFrames: number;
  checkpointedFrames: number;
  walBytes: number;
}

export interface ParleyDb {
  db: Database.Database;
  path: string;
  sessions: SessionsRepo;
  segments: SegmentsRepo;
  events: EventsRepo;
  outbox: OutboxRepo;
  /** Run `wal_checkpoint(mode)` (default TRUNCATE). Throws StorageFullError on a full disk. */
  checkpoint(mode?: CheckpointMode): CheckpointResult;
  /** Size of the `-wal` file in bytes (0 when absent). */
  walSizeBytes(): number;
  /** Periodic TRUNCATE checkpoint + outbox retention prune on an unref'd timer; returns a stop function. */
  startMaintenance(intervalMs?: number): () => void;
  /** Checkpoint (TRUNCATE) and close; idempotent. */
  close(): void;
}

export interface OpenOptions {
  logger: Logger;
  readonly?: boolean;
  /** Overrides cfg.db_path (':memory:' for a throwaway database). */
  path?: string;
  clock?: Partial<RepoClock>;
  /** For tests of the registry; defaults to the project registry. */
  migrations?: readonly Migration[];
}

export function openDatabase(cfg: FrozenConfig['storage'], opts: OpenOptions): ParleyDb {
  const path = opts.path ?? cfg.db_path;
  const log = opts.logger;
  const memory = path === ':memory:';
  if (!opts.readonly && !memory) guard('storage.open', () => mkdirSync(dirname(path), { recursive: true }));
  const db = guard('storage.open', () => new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false }));
  const clock: RepoClock = {
    wallMs: opts.clock?.wallMs ?? (() => Date.now()),
    monoMs: opts.clock?.monoMs ?? monoMs,
    bootId: opts.clock?.bootId ?? bootId,
  };
  try {
    guard('storage.open', () => {
      db.pragma(`busy_timeout = ${cfg.busy_timeout_ms}`);
      if (opts.readonly) {
        db.pragma('query_only = ON');
        return;
      }
      if (!memory) {
        const mode = db.pragma('journal_mode = WAL', { simple: true });
        if (String(mode).toLowerCase() !== 'wal') throw new Error(`could not enable WAL (journal_mode=${String(mode)})`);
      }
      db.pragma(`synchronous = ${cfg.synchronous}`);
      db.pragma(`journal_size_limit = ${cfg.journal_size_limit_bytes}`);
      db.pragma(`wal_autocheckpoint = ${cfg.wal_autocheckpoint_pages}`);
      db.pragma('foreign_keys = ON');
      const applied = applyMigrations(db, opts.migrations ?? defaultMigrations, clock.wallMs);
      if (applied.length > 0) log.info({ path, versions: applied }, 'storage.migrated');
    });
  } catch (e) {
    db.close();
    throw e;
  }
  const outbox = new OutboxRepo(db, clock);
  const walPath = `${path}-wal`;
  const walSizeBytes = (): number => {
    try {
      return statSync(walPath).size;
    } catch {
      return 0;
    }
  };
  let closed = false;
  const timers = new Set<NodeJS.Timeout>();

  const checkpoint = (mode: CheckpointMode = 'TRUNCATE'): CheckpointResult => guard(`storage.checkpoint(${mode})`, () => {
    const r = db.pragma(`wal_checkpoint(${mode})`) as { busy: number; log: number; checkpointed: number }[];
    const row = r[0] ?? { busy: 0, log: 0, checkpointed: 0 };
    const walBytes = walSizeBytes();
    if (walBytes > cfg.journal_size_limit_bytes) {
      log.warn({ walBytes, limitBytes: cfg.journal_size_limit_bytes, busy: row.busy }, 'storage.wal_large');
    }
    return { busy: row.busy, logFrames: row.log, checkpointedFrames: row.checkpointed, walBytes };
  });

  const handle: ParleyDb = {
    db,
    path,
    outbox,
    sessions: new SessionsRepo(db, outbox),
    segments: new SegmentsRepo(db, outbox, clock.wallMs),
    events: new EventsRepo(outbox),
    checkpoint,
    walSizeBytes,
    startMaintenance(intervalMs = cfg.checkpoint_interval_s * 1000) {
      const t = setInterval(() => {
        try {
          const pruned = outbox.prune();
          const r = checkpoint('TRUNCATE');
          log.debug({ pruned, ...r }, 'storage.maintenance');
        } catch (e) {
          log.error({ err: e }, 'storage.maintenance_failed');
        }
      }, intervalMs);
      t.unref();
      timers.add(t);
      return () => {
        clearInterval(t);
        timers.delete(t);
      };
    },
    close() {
      if (closed) return;
      closed = true;
      for (const t of timers) clearInterval(t);
      timers.clear();
      if (!opts.readonly && !memory) {
        try {
          checkpoint('TRUNCATE');
        } catch (e) {
          // A full disk cannot checkpoint (B2.2); close anyway, SQLite recovers from the WAL.
          log.warn({ err: e }, 'storage.close_checkpoint_failed');
        }
      }
      db.close();
      log.info({ path, walLeftBytes: walSizeBytes() }, 'storage.closed');
    },
  };
  return handle;
}
