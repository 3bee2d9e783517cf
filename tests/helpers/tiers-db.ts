/** A real parley database (openDatabase: pragmas + every migration, incl. 030 backlog) in a temp dir, with one open session. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Database from 'better-sqlite3';
import { defaultConfig } from '../../src/config/load.js';
import { openDatabase, type ParleyDb } from '../../src/storage/db.js';
import { silentLogger } from '../../src/util/logger.js';

export interface TestDb {
  dir: string;
  path: string;
  pdb: ParleyDb;
  db: Database.Database;
  sessionId: string;
  segments: {
    insert(startSample: number, endSample: number): string;
    revise: ParleyDb['segments']['revise'];
    all(): Array<{ id: string; start_sample: number; text: string | null; speaker: string | null; rev: number }>;
  };
  reopen(): void;
  cleanup(): void;
}

export function openTestDb(dir = mkdtempSync(join(tmpdir(), 'parley-tiers-db-'))): TestDb {
  const path = join(dir, 'parley.db');
  const cfg = defaultConfig({ storage: { db_path: path, audio_dir: join(dir, 'audio') } });
  const open = () => openDatabase(cfg.storage, { logger: silentLogger().root });
  const t: TestDb = {
    dir,
    path,
    pdb: open(),
    get db() { return t.pdb.db; },
    sessionId: '',
    segments: {
      insert: (a, b) => t.pdb.segments.insert(t.sessionId, { startSample: a, endSample: b, samples: new Float32Array(0), closedAtMonoMs: 0, closeReason: 'silence' }, { tier: 'minimal', wallStartMs: Date.now(), deviceId: 'test' }).segmentId,
      revise: (s, r) => t.pdb.segments.revise(s, r),
      all: () => t.pdb.db.prepare('SELECT id, start_sample, text, speaker, rev FROM segments ORDER BY start_sample').all() as never,
    },
    reopen() {
      t.pdb.db.close(); // no checkpoint: like a dead process
      t.pdb = open();
    },
    cleanup() {
      try { t.pdb.close(); } catch { /* already closed */ }
      rmSync(dir, { recursive: true, force: true });
    },
  } as TestDb;
  t.sessionId = t.pdb.sessions.start({ source: 'test', deviceId: 'test', wallStartMs: Date.now() }).sessionId;
  return t;
}
