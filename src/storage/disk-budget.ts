/**
 * src/storage/disk-budget.ts: keeps a reserve of free space on the data volume. A full
 * disk cannot even checkpoint SQLite (RELIABILITY.md B2.2: wal_checkpoint(TRUNCATE) fails
 * with SQLITE_FULL), so parley stops ingesting before that point:
 *  1. below `reserve + retention target`: nothing yet (retention job's normal work);
 *  2. below `reserve`: delete stored segment audio, oldest first (never the backlog spool,
 *     which is audio still waiting for its text), until `reserve + target` is free;
 *  3. still below `reserve`: capture pauses with a reason; it resumes by itself once free
 *     space is above `reserve + resume margin` (hysteresis).
 * Free space comes from statfs(2) on the data directory (exact, no child process).
 */
import { statfsSync, unlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import { listFiles } from '../platform/list-files.js';
import type { Logger } from '../util/logger.js';

const MB = 1024 * 1024;

export interface DiskUsage { freeMb: number; totalMb: number }

export interface DiskStatus extends DiskUsage {
  capturePaused: boolean;
  /** Why capture is paused ('' when it is not). */
  reason: string;
  /** Files deleted by this check to get back above the reserve. */
  deletedFiles: number;
}

export interface DiskBudgetOptions {
  /** Any path on the data volume (the database directory). */
  dataDir: string;
  /** Stored segment audio; files under it are deleted oldest first when space is short. */
  audioDir: string;
  /** Directories under audioDir that are never deleted (the backlog spool). */
  protectDirs?: string[];
  reserveMb: number;
  resumeMarginMb: number;
  retentionTargetMb: number;
  /** Called with the deleted audio paths so the segment rows can drop their reference. */
  onAudioDeleted?: (paths: string[]) => void;
  /** Injectable for unit tests; defaults to statfs(2). */
  usage?: (dir: string) => DiskUsage;
  log?: Logger;
}

export function statfsUsage(dir: string): DiskUsage {
  const s = statfsSync(dir);
  return { freeMb: (s.bavail * s.bsize) / MB, totalMb: (s.blocks * s.bsize) / MB };
}

export class DiskBudget {
  private paused = false;
  private reason = '';
  private readonly usage: (dir: string) => DiskUsage;
  private readonly listeners: Array<(s: DiskStatus) => void> = [];

  constructor(private readonly o: DiskBudgetOptions) {
    this.usage = o.usage ?? statfsUsage;
  }

  /** Called when capture pauses or resumes (not on every check). */
  onChange(fn: (s: DiskStatus) => void): void {
    this.listeners.push(fn);
  }

  capturePaused(): boolean {
    return this.paused;
  }

  /** Measure, reclaim if below the reserve, and pause/resume capture. Cheap: one statfs when healthy. */
  check(): DiskStatus {
    let u = this.usage(this.o.dataDir);
    let deletedFiles = 0;
    if (u.freeMb < this.o.reserveMb) {
      deletedFiles = this.reclaim(this.o.reserveMb + this.o.retentionTargetMb).deletedFiles;
      u = this.usage(this.o.dataDir);
    }
    const wasPaused = this.paused;
    if (!this.paused && u.freeMb < this.o.reserveMb) {
      this.paused = true;
      this.reason = `disk free ${u.freeMb.toFixed(1)} MB is below the ${this.o.reserveMb} MB reserve on ${this.o.dataDir}; nothing left to delete`;
      this.o.log?.error({ freeMb: round(u.freeMb), reserveMb: this.o.reserveMb, dir: this.o.dataDir }, 'disk.capture_paused');
    } else if (this.paused && u.freeMb >= this.o.reserveMb + this.o.resumeMarginMb) {
      this.paused = false;
      this.reason = '';
      this.o.log?.info({ freeMb: round(u.freeMb), reserveMb: this.o.reserveMb }, 'disk.capture_resumed');
    }
    const status: DiskStatus = { ...u, capturePaused: this.paused, reason: this.reason, deletedFiles };
    if (wasPaused !== this.paused) for (const fn of this.listeners) fn(status);
    return status;
  }

  /**
   * Delete stored audio, oldest modification time first, until `targetFreeMb` is free or
   * nothing deletable is left. Protected directories (backlog) are skipped.
   */
  reclaim(targetFreeMb: number): { deletedFiles: number; freedMb: number } {
    const protect = (this.o.protectDirs ?? []).map((d) => resolve(d));
    const files = listFiles(resolve(this.o.audioDir), protect).sort((a, b) => a.mtimeMs - b.mtimeMs || (a.path < b.path ? -1 : 1));
    const deleted: string[] = [];
    let freed = 0;
    for (const f of files) {
      if (this.usage(this.o.dataDir).freeMb >= targetFreeMb) break;
      try {
        unlinkSync(f.path);
        deleted.push(f.path);
        freed += f.size;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    if (deleted.length > 0) {
      this.o.log?.warn({ deletedFiles: deleted.length, freedMb: round(freed / MB) }, 'disk.audio_reclaimed');
      this.o.onAudioDeleted?.(deleted);
    }
    return { deletedFiles: deleted.length, freedMb: freed / MB };
  }
}

const round = (v: number): number => Math.round(v * 10) / 10;
