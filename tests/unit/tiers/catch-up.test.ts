import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { CatchUp, mergeRevision } from '../../../src/pipeline/catch-up.js';
import { BacklogRepo } from '../../../src/storage/backlog-repo.js';
import { silentLogger } from '../../../src/util/logger.js';
import { openTestDb, type TestDb } from '../../helpers/tiers-db.js';
import { rmsTextStage, splitSpeakerStage } from '../../helpers/tiers-stages.js';

function setup(n: number, maxAttempts = 3) {
  const t = openTestDb();
  const backlog = new BacklogRepo({ db: t.db, dir: join(t.dir, 'backlog'), maxBytes: 1e8, dropPolicy: 'drop-newest', maxAttempts });
  for (let i = 0; i < n; i++) {
    const start = i * 32000;
    t.segments.insert(start, start + 16000);
    backlog.enqueue({ sessionId: t.sessionId, startSample: start, endSample: start + 16000, samples: new Float32Array(16000).fill(0.1 * (i + 1)) });
  }
  return { t, backlog };
}

async function until(cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const texts = (t: TestDb) => t.segments.all().map((r) => r.text);

test('drains oldest first only while canRun(), revises segments, empties the backlog', async () => {
  const { t, backlog } = setup(5);
  let allowed = false;
  const asr = rmsTextStage();
  const cu = new CatchUp({ db: { segments: t.segments }, stages: [splitSpeakerStage(), asr], backlog, logger: silentLogger().root, canRun: () => allowed, pollMs: 20 });
  try {
    let ticks = 0;
    const iv = setInterval(() => ticks++, 1);
    cu.start();
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(asr.calls.length, 0, 'tier says no: nothing runs');
    assert.equal(cu.stats().queued, 5);
    assert.equal(cu.stats().etaS, null);
    allowed = true;
    cu.kick();
    await until(() => cu.stats().queued === 0);
    clearInterval(iv);
    assert.deepEqual(asr.calls.filter((_, i) => i % 2 === 0), [0, 32000, 64000, 96000, 128000], 'oldest first');
    assert.deepEqual(texts(t), ['rms 0.10 rms 0.10', 'rms 0.20 rms 0.20', 'rms 0.30 rms 0.30', 'rms 0.40 rms 0.40', 'rms 0.50 rms 0.50']);
    assert.ok(t.segments.all().every((r) => r.speaker === 'A'), 'speaker holding most of the audio');
    assert.equal(cu.stats().done, 5);
    assert.equal(cu.stats().etaS, 0);
    assert.ok(ticks > 0, 'the event loop kept running timers during the drain');
  } finally {
    await cu.stop();
    t.cleanup();
  }
});

test('stop() mid-item returns it to queued (never stuck running), even if the stage ignores the signal', async () => {
  const { t, backlog } = setup(2);
  const cu = new CatchUp({ db: { segments: t.segments }, stages: [rmsTextStage({ delayMs: 10_000 })], backlog, logger: silentLogger().root, canRun: () => true, pollMs: 20 });
  cu.start();
  await until(() => backlog.stats().running === 1);
  const t0 = Date.now();
  await cu.stop();
  assert.ok(Date.now() - t0 < 2000, 'stop does not wait for the slow stage');
  assert.deepEqual([backlog.stats().queued, backlog.stats().running, backlog.stats().failed], [2, 0, 0]);
  assert.deepEqual(texts(t), [null, null]);
  t.cleanup();
});

test('a failing item is retried then parked as failed; the others still drain', async () => {
  const { t, backlog } = setup(3, 2);
  const cu = new CatchUp({ db: { segments: t.segments }, stages: [rmsTextStage({ failOn: (s) => s.startSample === 32000 })], backlog, logger: silentLogger().root, canRun: () => true, pollMs: 10 });
  cu.start();
  await until(() => backlog.stats().queued === 0 && backlog.stats().running === 0);
  await cu.stop();
  assert.deepEqual([backlog.stats().failed, cu.stats().done], [1, 2]);
  assert.deepEqual(texts(t), ['rms 0.10', null, 'rms 0.30']);
  t.cleanup();
});

test('a missing segment row is logged and the item still completes (nothing loops forever)', async () => {
  const { t, backlog } = setup(1);
  t.db.prepare('DELETE FROM segments').run();
  const cu = new CatchUp({ db: { segments: t.segments }, stages: [rmsTextStage()], backlog, logger: silentLogger().root, canRun: () => true, pollMs: 10 });
  cu.start();
  await until(() => cu.stats().done === 1);
  await cu.stop();
  assert.equal(backlog.stats().queued, 0);
  t.cleanup();
});

test('mergeRevision: text joined in time order, majority speaker, min confidence, words kept', () => {
  const item = { id: 1, sessionId: 's', segmentId: null, startSample: 0, endSample: 300, file: 'f', bytes: 0, attempts: 1, createdWallMs: 0 };
  const seg = (a: number, b: number, extra: object) => ({ startSample: a, endSample: b, samples: new Float32Array(0), closedAtMonoMs: 0, closeReason: 'silence' as const, ...extra });
  const rev = mergeRevision(item, [
    seg(200, 300, { text: 'world', speaker: 'B', confidence: 0.5, words: [{ word: 'world', startMs: 12, endMs: 18 }] }),
    seg(0, 200, { text: 'hello', speaker: 'A', confidence: 0.9 }),
  ]);
  assert.deepEqual(rev, { startSample: 0, endSample: 300, text: 'hello world', speaker: 'A', confidence: 0.5, words: [{ word: 'world', startMs: 12, endMs: 18 }] });
  assert.deepEqual(mergeRevision(item, []), { startSample: 0, endSample: 300 });
});
