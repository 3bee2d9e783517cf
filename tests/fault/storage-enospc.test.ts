/**
 * T03 (storage part): the database on a 2 MB tmpfs fills up. Inserts fail with a typed
 * StorageFullError (never a raw SqliteError), the failed transaction leaves no half
 * row (segment without its outbox event), integrity_check stays ok, and after space
 * is freed writes work again. Needs root for `mount -t tmpfs` (CI runs as root).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StorageFullError } from '../../src/util/errors.js';
import { guard } from '../../src/storage/sqlite-guard.js';
import { openTestDb, speech } from '../helpers/storage-tmp.js';

test('a full disk gives StorageFullError and leaves the database consistent', { timeout: 60_000 }, () => {
  if (process.getuid?.() !== 0) assert.fail('this test mounts a tmpfs and must run as root');
  const dir = mkdtempSync(join(tmpdir(), 'parley-enospc-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', dir]);
  try {
    const dbPath = join(dir, 'parley.db');
    const ballast = join(dir, 'ballast');
    writeFileSync(ballast, Buffer.alloc(768 * 1024));
    const p = openTestDb(dbPath, { journal_size_limit_bytes: 65536 });
    const { sessionId } = p.sessions.start({ source: 'mic', deviceId: 'd1', wallStartMs: 0 });
    const text = 'x'.repeat(4000);
    let stored = 0;
    let err: unknown;
    for (let i = 0; i < 5000 && err === undefined; i++) {
      try {
        p.segments.insert(sessionId, speech(i * 1000, i * 1000 + 500, { text }), { tier: 'normal', wallStartMs: 0, deviceId: 'd1' });
        stored++;
      } catch (e) {
        err = e;
      }
    }
    assert.ok(err instanceof StorageFullError, `expected StorageFullError, got ${String(err)}`);
    assert.equal(err.code, 'STORAGE_FULL');
    assert.equal(err.retryable, true);
    assert.ok(stored > 10, `stored ${stored} before full`);
    assert.equal(p.db.pragma('integrity_check', { simple: true }), 'ok');
    assert.equal(p.segments.listBySession(sessionId).length, stored);
    assert.equal(p.outbox.stats().rows, stored + 1, 'no segment without its event and vice versa');
    // The checkpoint may also fail while the disk is full (B2.2): typed, not a crash.
    try {
      p.checkpoint('TRUNCATE');
    } catch (e) {
      assert.ok(e instanceof StorageFullError, String(e));
    }
    // Free the ballast: writes resume on the same connection, WAL can be truncated again.
    unlinkSync(ballast);
    const r = p.segments.insert(sessionId, speech(99_000_000, 99_000_500, { text: 'after' }), { tier: 'normal', wallStartMs: 0, deviceId: 'd1' });
    assert.equal(r.rev, 1);
    p.checkpoint('TRUNCATE');
    assert.equal(p.db.pragma('integrity_check', { simple: true }), 'ok');
    p.close();
    assert.equal(existsSync(`${dbPath}-wal`), false, 'clean close after recovery leaves no -wal');
  } finally {
    execFileSync('umount', ['-l', dir]);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a non-SQLite ENOSPC is classified as StorageFullError', () => {
  const e = Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
  assert.throws(() => guard('x', () => { throw e; }), StorageFullError);
});
