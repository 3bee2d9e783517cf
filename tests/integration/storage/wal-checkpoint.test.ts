/**
 * T24: WAL growth and checkpoint starvation. A long-lived reader pins a snapshot while
 * segments are written: the WAL outgrows journal_size_limit and the checkpoint logs
 * `storage.wal_large`. Once the reader finishes, checkpoint('TRUNCATE') brings the WAL
 * back to 0 bytes, and close() leaves no -wal file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { openTestDb, speech, tmpDbPath } from '../../helpers/storage-tmp.js';

test('a pinned reader starves checkpoints; after it ends TRUNCATE empties the WAL', () => {
  const t = tmpDbPath('parley-t24-');
  const records: { msg: string; walBytes?: number }[] = [];
  const sink = new Writable({ write(chunk, _e, cb) { records.push(JSON.parse(String(chunk))); cb(); } });
  const logger = pino({ level: 'debug' }, sink);
  const limit = 256 * 1024;
  const p = openTestDb(t.path, { journal_size_limit_bytes: limit, wal_autocheckpoint_pages: 64, synchronous: 'NORMAL' }, { logger });
  try {
    const { sessionId } = p.sessions.start({ source: 'mic', deviceId: 'd1', wallStartMs: 0 });
    p.segments.insert(sessionId, speech(0, 1), { tier: 'normal', wallStartMs: 0, deviceId: 'd1' });
    const reader = new Database(t.path, { readonly: true });
    const it = reader.prepare('SELECT * FROM segments').iterate();
    it.next(); // the read transaction stays open while the iterator lives
    const text = 'y'.repeat(2000);
    for (let i = 1; i <= 600; i++) {
      p.segments.insert(sessionId, speech(i * 1000, i * 1000 + 500, { text }), { tier: 'normal', wallStartMs: 0, deviceId: 'd1' });
    }
    const starved = p.checkpoint('TRUNCATE');
    assert.ok(starved.walBytes > limit, `WAL ${starved.walBytes} grew past the limit while pinned`);
    assert.ok(records.some((r) => r.msg === 'storage.wal_large'), 'warning logged');
    it.return?.();
    reader.close();
    const ok = p.checkpoint('TRUNCATE');
    assert.equal(ok.busy, 0);
    assert.equal(ok.walBytes, 0);
    // Steady writes with periodic checkpoints keep the WAL under the limit.
    for (let i = 601; i <= 1200; i++) {
      p.segments.insert(sessionId, speech(i * 1000, i * 1000 + 500, { text }), { tier: 'normal', wallStartMs: 0, deviceId: 'd1' });
      if (i % 100 === 0) assert.ok(p.checkpoint('PASSIVE').walBytes <= limit * 2);
    }
    p.checkpoint('TRUNCATE');
    assert.ok(p.walSizeBytes() <= limit);
  } finally {
    p.close();
    assert.equal(existsSync(`${t.path}-wal`), false);
    t.cleanup();
  }
});

test('startMaintenance runs checkpoints and prunes on a timer; close stops it', async () => {
  const t = tmpDbPath('parley-maint-');
  const p = openTestDb(t.path);
  try {
    p.outbox.configure({ maxRows: 1000, maxBytes: 1e9, keepDeliveredMs: 0 });
    p.events.append('speech', {});
    p.outbox.markDelivered(1);
    p.startMaintenance(30);
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(p.outbox.stats().rows, 0, 'delivered row past retention pruned');
    assert.equal(p.walSizeBytes(), 0, 'WAL truncated');
  } finally {
    p.close();
    t.cleanup();
  }
});
