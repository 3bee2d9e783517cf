import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LatencyRepo, percentile, summarize, type LatencyRecord } from '../../../src/storage/latency-repo.js';
import { openTestDb, tmpDbPath } from '../../helpers/storage-tmp.js';

function rec(eosToFinalMs: number, engine = 'pocketsphinx'): LatencyRecord {
  return {
    sessionId: 's', startSample: 0, endSample: 16000, audioMs: 1000, captureMs: null, vadMs: 2, queueMs: 1, asrMs: eosToFinalMs - 1,
    eosToFinalMs, rtf: (eosToFinalMs - 1) / 1000, engine, model: 'm', tier: 'normal', outcome: 'text',
  };
}

test('nearest-rank percentiles', () => {
  const v = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(v, 50), 50);
  assert.equal(percentile(v, 95), 95);
  assert.equal(percentile(v, 99), 99);
  assert.equal(percentile([7], 99), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
  assert.deepEqual(summarize([3, 1, 2]), { count: 3, p50: 2, p95: 3, p99: 3 });
});

test('migration 020 creates asr_latency; insert, percentiles per engine, prune by age and rows', () => {
  const tmp = tmpDbPath('parley-lat-');
  let now = 1_000_000;
  const db = openTestDb(tmp.path);
  try {
    const versions = (db.db.prepare('SELECT version FROM schema_migrations').all() as { version: number }[]).map((r) => r.version);
    assert.ok(versions.includes(20));
    const repo = new LatencyRepo(db.db, () => now);
    for (let i = 1; i <= 10; i++) repo.insert(rec(i * 10));
    repo.insert(rec(5000, 'whisper'));
    assert.equal(repo.count(), 11);
    assert.deepEqual(repo.eosPercentiles(0, 'pocketsphinx'), { count: 10, p50: 50, p95: 100, p99: 100 });
    assert.equal(repo.eosPercentiles(0).count, 11);
    assert.equal(repo.eosPercentiles(now + 1).count, 0);
    assert.throws(() => db.db.prepare("INSERT INTO asr_latency (start_sample, end_sample, audio_ms, queue_ms, asr_ms, eos_to_final_ms, rtf, engine, model, tier, outcome, created_wall_ms) VALUES (0,0,0,0,0,0,0,'e','m','t','bogus',0)").run(), /CHECK/);
    now += 10_000;
    repo.insert(rec(1));
    assert.equal(repo.prune(5_000, 100), 11);
    assert.equal(repo.count(), 1);
    for (let i = 0; i < 5; i++) repo.insert(rec(2));
    assert.equal(repo.prune(60_000, 3), 3);
    assert.equal(repo.count(), 3);
  } finally {
    db.close();
    tmp.cleanup();
  }
});
