/** T03: a real 8 MB tmpfs data volume filled to the reserve. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { BacklogRepo } from '../../src/storage/backlog-repo.js';
import { DiskBudget, statfsUsage } from '../../src/storage/disk-budget.js';
import { migration030Backlog } from '../../src/storage/migrations/030-backlog.js';
import { StorageFullError } from '../../src/util/errors.js';
import { mountTmpfs } from '../helpers/tiers-tmpfs.js';

test('reserve on a real 8 MB tmpfs: oldest audio reclaimed, capture paused with a reason, auto resume', () => {
  const fs = mountTmpfs(8);
  try {
    const audio = join(fs.dir, 'audio');
    const backlogDir = join(audio, 'backlog');
    mkdirSync(backlogDir, { recursive: true });
    for (let i = 0; i < 4; i++) {
      const p = join(audio, `seg-${i}.wav`);
      writeFileSync(p, Buffer.alloc(512 * 1024, 1));
      utimesSync(p, 1_700_000_000 + i, 1_700_000_000 + i);
    }
    writeFileSync(join(backlogDir, 'pending.wav'), Buffer.alloc(256 * 1024, 1));
    const deleted: string[][] = [];
    const changes: boolean[] = [];
    const budget = new DiskBudget({ dataDir: fs.dir, audioDir: audio, protectDirs: [backlogDir], reserveMb: 2, resumeMarginMb: 1, retentionTargetMb: 1, onAudioDeleted: (p) => deleted.push(p) });
    budget.onChange((s) => changes.push(s.capturePaused));
    assert.equal(budget.check().capturePaused, false);
    // Ballast to leave ~1.5 MB free: below the 2 MB reserve.
    execFileSync('fallocate', ['-l', `${Math.floor(statfsUsage(fs.dir).freeMb * 1024 - 1536)}k`, join(fs.dir, 'ballast')]);
    const s1 = budget.check();
    assert.ok(s1.deletedFiles >= 2, `reclaimed ${s1.deletedFiles} audio files`);
    assert.deepEqual(deleted[0]?.slice(0, 2).map((p) => p.split('/').pop()), ['seg-0.wav', 'seg-1.wav'], 'oldest first');
    assert.ok(existsSync(join(backlogDir, 'pending.wav')), 'the backlog spool is never reclaimed');
    assert.equal(s1.capturePaused, false, 'reclaiming audio got us back above the reserve');
    // Fill again with nothing left to delete but the protected backlog.
    rmSync(join(fs.dir, 'ballast'));
    for (const f of readdirSync(audio)) if (f.endsWith('.wav')) rmSync(join(audio, f));
    execFileSync('fallocate', ['-l', `${Math.floor(statfsUsage(fs.dir).freeMb * 1024 - 1024)}k`, join(fs.dir, 'ballast')]);
    const s2 = budget.check();
    assert.equal(s2.capturePaused, true);
    assert.match(s2.reason, /below the 2 MB reserve/);
    assert.equal(budget.check().capturePaused, true, 'still paused');
    rmSync(join(fs.dir, 'ballast'));
    assert.equal(budget.check().capturePaused, false, 'resumes by itself when space returns');
    assert.deepEqual(changes, [true, false]);
  } finally {
    fs.unmount();
  }
});

test('with the reserve kept, SQLite can still checkpoint; without it the spool fails typed (ENOSPC → StorageFullError)', () => {
  const fs = mountTmpfs(8);
  try {
    const db = new Database(join(fs.dir, 'parley.db'));
    db.pragma('journal_mode = WAL');
    migration030Backlog.up(db);
    const backlog = new BacklogRepo({ db, dir: join(fs.dir, 'audio', 'backlog'), maxBytes: 100 * 1024 * 1024, dropPolicy: 'drop-newest' });
    const budget = new DiskBudget({ dataDir: fs.dir, audioDir: join(fs.dir, 'audio'), protectDirs: [join(fs.dir, 'audio', 'backlog')], reserveMb: 2, resumeMarginMb: 1, retentionTargetMb: 0 });
    const seg = new Float32Array(16000 * 5).fill(0.1); // 160 KB per item
    let spooled = 0;
    while (!budget.check().capturePaused) {
      backlog.enqueue({ sessionId: 's', startSample: spooled * 80000, endSample: (spooled + 1) * 80000, samples: seg });
      spooled++;
      assert.ok(spooled < 100, 'the reserve must stop ingest before the disk is full');
    }
    assert.ok(spooled > 10);
    assert.doesNotThrow(() => db.pragma('wal_checkpoint(TRUNCATE)'), 'the reserve leaves room to checkpoint');
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    // Past the reserve (a writer that ignores the budget) the spool fails with a typed error and leaves no partial file.
    let err: unknown;
    for (let i = 0; i < 40 && err === undefined; i++) {
      try {
        backlog.enqueue({ sessionId: 's', startSample: (spooled + i) * 80000, endSample: (spooled + i + 1) * 80000, samples: seg });
      } catch (e) {
        err = e;
      }
    }
    assert.ok(err instanceof StorageFullError, `got ${String(err)}`);
    assert.equal(readdirSync(join(fs.dir, 'audio', 'backlog')).filter((n) => n.endsWith('.tmp')).length, 0);
    assert.equal(backlog.recover().missingFiles, 0, 'every row still has its file');
    db.close();
  } finally {
    fs.unmount();
  }
});
