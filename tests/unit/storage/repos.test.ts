import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { OutboxRepo } from '../../../src/storage/outbox-repo.js';
import { openTestDb, speech, tmpDbPath } from '../../helpers/storage-tmp.js';

test('session start/end and segment insert write outbox events in seq order', () => {
  const t = tmpDbPath();
  try {
    const p = openTestDb(t.path);
    const { sessionId } = p.sessions.start({ source: 'file', deviceId: 'd1', wallStartMs: Date.UTC(2026, 0, 1) });
    assert.equal(p.sessions.active(), sessionId);
    const a = p.segments.insert(sessionId, speech(16000, 32000, { speaker: 'S1', text: 'hello', confidence: 0.9,
      words: [{ word: 'hello', startMs: 0, endMs: 400, confidence: 0.8 }], asrEngine: 'whisper', asrModel: 'tiny' }),
    { tier: 'normal', wallStartMs: Date.UTC(2026, 0, 1, 0, 0, 1), deviceId: 'd1' });
    const b = p.segments.insert(sessionId, speech(48000, 56000), { tier: 'reduced', wallStartMs: 0, deviceId: 'd1' });
    p.sessions.end(sessionId, Date.UTC(2026, 0, 1, 0, 1));
    p.sessions.end(sessionId, Date.UTC(2026, 0, 1, 0, 2)); // idempotent, no second event
    assert.equal(p.sessions.active(), undefined);
    assert.equal(a.rev, 1);
    assert.ok(b.seq > a.seq);
    const rows = p.segments.listBySession(sessionId);
    assert.equal(rows.length, 2);
    assert.equal(rows[0].start_ms, 1000);
    assert.equal(rows[0].end_ms, 2000);
    assert.equal(rows[0].speaker, 'S1');
    assert.equal(rows[0].tier, 'normal');
    assert.deepEqual(JSON.parse(rows[0].words_json!), [{ word: 'hello', start_ms: 0, end_ms: 400, confidence: 0.8 }]);
    const out = p.outbox.pending(0, 100);
    assert.deepEqual(out.map((r) => r.kind), ['session', 'segment', 'segment', 'session']);
    assert.deepEqual(out.map((r) => r.seq), [1, 2, 3, 4]);
    const msg = JSON.parse(OutboxRepo.message(out[1]));
    assert.equal(msg.seq, 2);
    assert.equal(msg.kind, 'segment');
    assert.equal(msg.segment_id, a.segmentId);
    assert.equal(msg.text, 'hello');
    assert.equal(msg.rev, 1);
    assert.equal(msg.wall_start, '2026-01-01T00:00:01.000Z');
    assert.match(msg.ts_wall, /^\d{4}-\d\d-\d\dT/);
    assert.equal(typeof msg.ts_mono_ms, 'number');
    assert.equal(typeof msg.boot_id, 'string');
    assert.equal(JSON.parse(OutboxRepo.message(out[3])).type, 'ended');
    p.close();
  } finally {
    t.cleanup();
  }
});

test('revise keeps the segment id, bumps rev and emits a later event; unknown start → undefined', () => {
  const t = tmpDbPath();
  try {
    const p = openTestDb(t.path);
    const { sessionId } = p.sessions.start({ source: 'mic', deviceId: 'd1', wallStartMs: 0 });
    const a = p.segments.insert(sessionId, speech(100, 900, { speaker: 'S1', text: 'a' }), { tier: 'normal', wallStartMs: 0, deviceId: 'd1' });
    const r = p.segments.revise(sessionId, { startSample: 100, endSample: 900, speaker: 'S2' });
    assert.ok(r);
    assert.equal(r.segmentId, a.segmentId);
    assert.equal(r.rev, 2);
    assert.ok(r.seq > a.seq);
    const row = p.segments.get(a.segmentId)!;
    assert.equal(row.speaker, 'S2');
    assert.equal(row.text, 'a', 'unspecified fields keep their value');
    const ev = JSON.parse(OutboxRepo.message(p.outbox.get(r.seq)!));
    assert.equal(ev.segment_id, a.segmentId);
    assert.equal(ev.rev, 2);
    assert.equal(p.segments.revise(sessionId, { startSample: 5, endSample: 6 }), undefined);
    p.close();
  } finally {
    t.cleanup();
  }
});

test('a failing segment insert writes no outbox row (same transaction)', () => {
  const t = tmpDbPath();
  try {
    const p = openTestDb(t.path);
    const { sessionId } = p.sessions.start({ source: 'mic', deviceId: 'd1', wallStartMs: 0 });
    p.segments.insert(sessionId, speech(0, 10), { tier: 'normal', wallStartMs: 0, deviceId: 'd1' });
    const before = p.outbox.stats().rows;
    assert.throws(() => p.segments.insert(sessionId, speech(0, 20), { tier: 'normal', wallStartMs: 0, deviceId: 'd1' }), /UNIQUE/);
    assert.throws(() => p.segments.insert('no-such-session', speech(0, 20), { tier: 'normal', wallStartMs: 0, deviceId: 'd1' }), /FOREIGN KEY/);
    assert.equal(p.outbox.stats().rows, before);
    p.close();
  } finally {
    t.cleanup();
  }
});

test('seq survives restarts and is never reused after rows are deleted', () => {
  const t = tmpDbPath();
  try {
    let p = openTestDb(t.path);
    for (let i = 0; i < 5; i++) p.events.append('speech', { type: 'start', i });
    p.db.exec('DELETE FROM outbox');
    p.close();
    p = openTestDb(t.path);
    const { seq } = p.events.append('tier', { tier: 'reduced' });
    assert.equal(seq, 6);
    assert.equal(p.outbox.stats().lastSeq, 6);
    assert.throws(() => p.events.append('Bad Kind', {}), /invalid event kind/);
    assert.throws(() => p.events.append('partial', {}), /never stored/);
    p.close();
  } finally {
    t.cleanup();
  }
});

test('outbox bound: delivered rows go first, then oldest undelivered, counted as dropped', () => {
  const t = tmpDbPath();
  try {
    const p = openTestDb(t.path);
    p.outbox.configure({ maxRows: 10, maxBytes: 1e9, keepDeliveredMs: 60_000 });
    for (let i = 0; i < 10; i++) p.events.append('speech', { i });
    for (let s = 1; s <= 4; s++) assert.ok(p.outbox.markDelivered(s));
    assert.equal(p.outbox.markDelivered(1), false, 'second PUBACK is a no-op');
    for (let i = 10; i < 16; i++) p.events.append('speech', { i });
    let st = p.outbox.stats();
    assert.equal(st.rows, 10);
    assert.equal(st.dropped, 2, '4 delivered rows deleted, then 2 undelivered');
    assert.deepEqual(p.outbox.pending(0, 100).map((r) => r.seq), [7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    // byte bound
    p.outbox.configure({ maxRows: 1000, maxBytes: 200, keepDeliveredMs: 60_000 });
    p.events.append('speech', { blob: 'x'.repeat(150) });
    st = p.outbox.stats();
    assert.ok(st.bytes <= 200 || st.rows === 1, `bytes ${st.bytes}`);
    assert.equal(p.outbox.pending(0, 100).at(-1)!.seq, 17, 'the new row is kept');
    p.close();
    const again = openTestDb(t.path);
    assert.equal(again.outbox.stats().dropped, st.dropped, 'dropped counter persisted');
    again.close();
  } finally {
    t.cleanup();
  }
});

test('prune deletes delivered rows past the replay retention only', () => {
  const t = tmpDbPath();
  try {
    let now = 1_000_000;
    const p = openTestDb(t.path, {}, { clock: { wallMs: () => now } });
    p.outbox.configure({ maxRows: 1000, maxBytes: 1e9, keepDeliveredMs: 10_000 });
    for (let i = 0; i < 4; i++) p.events.append('speech', { i });
    p.outbox.markDelivered(1);
    p.outbox.markDelivered(2);
    now += 5_000;
    p.outbox.markDelivered(3);
    now += 6_000;
    assert.equal(p.outbox.prune(), 2);
    assert.deepEqual(p.outbox.range(0, 100, 100).map((r) => r.seq), [3, 4]);
    p.close();
  } finally {
    t.cleanup();
  }
});

test('clean close leaves no -wal file; readonly open sees the data', () => {
  const t = tmpDbPath();
  try {
    const p = openTestDb(t.path);
    assert.equal(p.db.pragma('journal_mode', { simple: true }), 'wal');
    assert.equal(p.db.pragma('synchronous', { simple: true }), 2, 'FULL by default');
    const { sessionId } = p.sessions.start({ source: 'mic', deviceId: 'd1', wallStartMs: 0 });
    for (let i = 0; i < 50; i++) p.segments.insert(sessionId, speech(i * 100, i * 100 + 50), { tier: 'normal', wallStartMs: 0, deviceId: 'd1' });
    assert.ok(existsSync(`${t.path}-wal`));
    const cp = p.checkpoint('TRUNCATE');
    assert.equal(cp.busy, 0);
    assert.equal(cp.walBytes, 0);
    p.close();
    p.close();
    assert.equal(existsSync(`${t.path}-wal`), false);
    const ro = openTestDb(t.path, {}, { readonly: true });
    assert.equal(ro.segments.listBySession(sessionId).length, 50);
    assert.equal((ro.db.pragma('integrity_check', { simple: true })), 'ok');
    assert.throws(() => ro.db.exec('DELETE FROM segments'));
    ro.close();
    const n = openTestDb(t.path, { synchronous: 'NORMAL' });
    assert.equal(n.db.pragma('synchronous', { simple: true }), 1);
    n.close();
  } finally {
    t.cleanup();
  }
});

test("':memory:' databases work (no WAL) for throwaway runs such as transcribe --mqtt without --db", () => {
  const p = openTestDb(':memory:');
  const { sessionId } = p.sessions.start({ source: 'file', deviceId: 't1', wallStartMs: 0 });
  const r = p.segments.insert(sessionId, speech(0, 16000), { tier: 'normal', wallStartMs: 0, deviceId: 't1' });
  assert.equal(r.seq, 2);
  assert.equal(p.walSizeBytes(), 0);
  p.close();
});

test('stream_id is minted once per database, survives reopen, and is in every message', () => {
  const t = tmpDbPath();
  const u = tmpDbPath();
  try {
    const a = openTestDb(t.path);
    const id = a.outbox.streamId;
    assert.match(id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
    const { seq } = a.events.append('speech', { stream_id: 'spoof' });
    assert.equal(JSON.parse(a.outbox.messageFor(a.outbox.get(seq)!)).stream_id, id);
    a.close();
    const again = openTestDb(t.path);
    assert.equal(again.outbox.streamId, id);
    again.close();
    const other = openTestDb(u.path);
    assert.notEqual(other.outbox.streamId, id);
    other.close();
  } finally {
    t.cleanup();
    u.cleanup();
  }
});
