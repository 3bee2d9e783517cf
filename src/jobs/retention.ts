/**
 * src/jobs/retention.ts: the retention job. Order: (1) the disk budget's space check
 * (oldest audio when below the reserve), (2) stored audio older than
 * `budgets.audio_retention_days`, (3) transcripts older than `budgets.transcript_retention_days`.
 * Ages are measured against ClockGuard's trusted clock, so a wall-clock jump cannot make
 * recent data look old. The backlog spool is never touched here.
 */
import { unlinkSync } from 'node:fs';
import { resolve } from 'node:path';
import { listFiles } from '../platform/list-files.js';
import type { DiskBudget } from '../storage/disk-budget.js';
import type { Logger } from '../util/logger.js';
import type { ClockGuard } from './clock-guard.js';

const DAY_MS = 86_400_000;

/** The storage operations retention needs (the lead wires them to the segments repo). */
export interface RetentionStore {
  /** Delete segment rows (and their outbox/audio references) created before the cutoff; returns rows deleted. */
  deleteTranscriptsOlderThan(cutoffWallMs: number): number;
  /** Drop references to deleted audio files. */
  forgetAudio?(paths: string[]): void;
}

export interface RetentionOptions {
  guard: ClockGuard;
  disk: DiskBudget;
  store: RetentionStore;
  audioDir: string;
  protectDirs: string[];
  audioRetentionDays: number;
  transcriptRetentionDays: number;
  log?: Logger;
}

export interface RetentionReport {
  capturePaused: boolean;
  spaceDeletedFiles: number;
  agedAudioFiles: number;
  agedTranscripts: number;
  audioCutoffWallMs: number | null;
  transcriptCutoffWallMs: number | null;
}

export function runRetention(o: RetentionOptions): RetentionReport {
  const space = o.disk.check();
  let agedAudioFiles = 0;
  let audioCutoff: number | null = null;
  if (o.audioRetentionDays > 0) {
    audioCutoff = o.guard.cutoffMs(o.audioRetentionDays * DAY_MS);
    const deleted = deleteFilesOlderThan(resolve(o.audioDir), o.protectDirs.map((d) => resolve(d)), audioCutoff);
    agedAudioFiles = deleted.length;
    if (deleted.length > 0) o.store.forgetAudio?.(deleted);
  }
  let agedTranscripts = 0;
  let transcriptCutoff: number | null = null;
  if (o.transcriptRetentionDays > 0) {
    transcriptCutoff = o.guard.cutoffMs(o.transcriptRetentionDays * DAY_MS);
    agedTranscripts = o.store.deleteTranscriptsOlderThan(transcriptCutoff);
  }
  const report: RetentionReport = {
    capturePaused: space.capturePaused, spaceDeletedFiles: space.deletedFiles, agedAudioFiles, agedTranscripts,
    audioCutoffWallMs: audioCutoff, transcriptCutoffWallMs: transcriptCutoff,
  };
  o.log?.info(report, 'retention.done');
  return report;
}

function deleteFilesOlderThan(dir: string, protect: string[], cutoffMs: number): string[] {
  const out: string[] = [];
  for (const f of listFiles(dir, protect)) {
    if (f.mtimeMs >= cutoffMs) continue;
    try {
      unlinkSync(f.path);
      out.push(f.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  return out;
}
