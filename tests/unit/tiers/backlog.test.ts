import assert from 'node:assert/strict';
import { readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { BacklogRepo, decodeWavPcm16, encodeWavPcm16 } from '../../../src/storage/backlog-repo.js';
import { openTestDb } from '../../helpers/tiers-db.js';

const tone = (n: number, v = 0.25) => new Float32Array(n).fill(v);

test('WAV PCM16 round trip; foreign or truncated files are rejected', () => {
  const s = new Float32Array([0, 0.5, -0.5, 1, -1, 2]);
  const back = decodeWavPcm16(encodeWavPcm16(s));
  assert.equal(back.length, 6);
  assert.ok(Math.abs((back[1] ?? 0) - 0.5) < 1e-4);
  assert.ok(Math.abs((back[5] ?? 0) - 1) < 1e-4, 'clipped to full scale');
  const wav = encodeWavPcm16(s);
  for (const bad of [Buffer.alloc(0), wav.subarray(0, 50), Buffer.concat([wav, Buffer.from([1])]), Buffer.from(wav).fill(0, 0, 4)]) {
    assert.throws(() => decodeWavPcm16(bad), /not a 16 kHz mono PCM16 WAV/);
  }
  const stereo = Buffer.from(wav);
  stereo.writeUInt16LE(2, 22);
  assert.throws(() => decodeWavPcm16(stereo), /STORAGE_IO|not a 16 kHz/);
});

test('oldest first, claim → complete deletes row and file, stats count audio', () => {
  const t = openTestDb();
  try {
    const dir = join(t.dir, 'backlog');
    const b = new BacklogRepo({ db: t.db, dir, maxBytes: 10_000_000, dropPolicy: 'drop-newest' });
    for (let i = 0; i < 3; i++) assert.equal(b.enqueue({ sessionId: 's1', startSample: i * 16000, endSample: i * 16000 + 8000, samples: tone(8000) }).accepted, true);
    assert.deepEqual({ ...b.stats(), bytes: 0 }, { queued: 3, running: 0, failed: 0, bytes: 0, audioS: 1.5, dropped: 0 });
    const first = b.claimOldest();
    assert.equal(first?.startSample, 0);
    assert.equal(b.readAudio(first!).length, 8000);
    b.complete(first!);
    assert.equal(readdirSync(dir).length, 2);
    assert.equal(b.claimOldest()?.startSample, 16000);
  } finally {
    t.cleanup();
  }
});

test('restart safety: running → queued, orphan files removed, rows without files counted as lost', () => {
  const t = openTestDb();
  try {
    const dir = join(t.dir, 'backlog');
    let b = new BacklogRepo({ db: t.db, dir, maxBytes: 10_000_000, dropPolicy: 'drop-newest' });
    b.enqueue({ sessionId: 's', startSample: 0, endSample: 100, samples: tone(100) });
    b.enqueue({ sessionId: 's', startSample: 200, endSample: 300, samples: tone(100) });
    const claimed = b.claimOldest();
    assert.ok(claimed);
    writeFileSync(join(dir, 'orphan.wav.tmp'), 'x'); // a crash between write and rename
    t.reopen(); // "process died"
    b = new BacklogRepo({ db: t.db, dir, maxBytes: 10_000_000, dropPolicy: 'drop-newest' });
    assert.deepEqual(b.recover(), { requeued: 1, missingFiles: 0, orphanFiles: 1 });
    assert.equal(b.claimOldest()?.id, claimed.id, 'the interrupted item is processed first again');
    const second = b.claimOldest()!;
    b.release(second); // interrupted without an error: back to queued, attempts kept
    unlinkSync(join(dir, second.file)); // audio lost behind our back
    assert.deepEqual(b.recover(), { requeued: 1, missingFiles: 1, orphanFiles: 0 });
    assert.equal(b.counter('lost_missing_file'), 1);
    assert.equal(b.stats().queued + b.stats().running, 1);
  } finally {
    t.cleanup();
  }
});

test('size cap: drop-newest refuses and counts; drop-oldest evicts oldest queued', () => {
  const t = openTestDb();
  try {
    const one = encodeWavPcm16(tone(1000)).length;
    const newest = new BacklogRepo({ db: t.db, dir: join(t.dir, 'b1'), maxBytes: one * 2, dropPolicy: 'drop-newest' });
    newest.enqueue({ sessionId: 'a', startSample: 0, endSample: 1000, samples: tone(1000) });
    newest.enqueue({ sessionId: 'a', startSample: 1000, endSample: 2000, samples: tone(1000) });
    assert.deepEqual(newest.enqueue({ sessionId: 'a', startSample: 2000, endSample: 3000, samples: tone(1000) }), { accepted: false, reason: 'backlog_full' });
    assert.equal(newest.stats().dropped, 1);
    assert.equal(newest.stats().queued, 2);
    t.db.prepare('DELETE FROM backlog').run();
    const oldest = new BacklogRepo({ db: t.db, dir: join(t.dir, 'b2'), maxBytes: one * 2, dropPolicy: 'drop-oldest' });
    oldest.enqueue({ sessionId: 'b', startSample: 0, endSample: 1000, samples: tone(1000) });
    oldest.enqueue({ sessionId: 'b', startSample: 1000, endSample: 2000, samples: tone(1000) });
    const r = oldest.enqueue({ sessionId: 'b', startSample: 2000, endSample: 3000, samples: tone(1000) });
    assert.equal(r.accepted && r.evicted, 1);
    assert.equal(oldest.claimOldest()?.startSample, 1000);
    assert.equal(oldest.stats().dropped, 2);
  } finally {
    t.cleanup();
  }
});

test('failed items are parked after maxAttempts, never deleted', () => {
  const t = openTestDb();
  try {
    const b = new BacklogRepo({ db: t.db, dir: join(t.dir, 'b'), maxBytes: 1e7, dropPolicy: 'drop-newest', maxAttempts: 2 });
    b.enqueue({ sessionId: 's', startSample: 0, endSample: 10, samples: tone(10) });
    b.release(b.claimOldest()!, 'boom');
    assert.equal(b.stats().queued, 1);
    b.release(b.claimOldest()!, 'boom');
    assert.deepEqual([b.stats().queued, b.stats().failed], [0, 1]);
    assert.equal(b.claimOldest(), undefined);
  } finally {
    t.cleanup();
  }
});
