/**
 * Temp-dir SQLite helpers for storage/MQTT tests.
 *   tmpDbPath(prefix) → { dir, path, cleanup() }
 *   openTestDb(path, storageOverrides?) → ParleyDb with default config and a silent logger
 *   speech(startSample, endSample, extra?) → a PipelineSegment (no audio)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultConfig } from '../../src/config/load.js';
import { openDatabase, type ParleyDb, type OpenOptions } from '../../src/storage/db.js';
import { silentLogger } from '../../src/util/logger.js';
import type { PipelineSegment } from '../../src/pipeline/types.js';

export function tmpDbPath(prefix = 'parley-db-'): { dir: string; path: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, path: join(dir, 'parley.db'), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export function storageConfig(overrides: Record<string, unknown> = {}) {
  return defaultConfig({ storage: overrides }).storage;
}

export function openTestDb(path: string, overrides: Record<string, unknown> = {}, extra: Partial<OpenOptions> = {}): ParleyDb {
  return openDatabase(storageConfig(overrides), { logger: silentLogger().root, path, ...extra });
}

export function speech(startSample: number, endSample: number, extra: Partial<PipelineSegment> = {}): PipelineSegment {
  return {
    startSample, endSample, samples: new Float32Array(0), closedAtMonoMs: 0, closeReason: 'silence', ...extra,
  };
}
