/**
 * The ASR stage with the real PocketSphinx engine: text/words/engine fields, guards on
 * silence and noise, per-tier engines, latency records in a real SQLite file.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AsrStage } from '../../../src/asr/asr-stage.js';
import { createRecognizer, engineForTier } from '../../../src/asr/create-recognizer.js';
import { defaultConfig } from '../../../src/config/load.js';
import type { PipelineSegment, StageContext } from '../../../src/pipeline/types.js';
import { LatencyRepo } from '../../../src/storage/latency-repo.js';
import { AppError } from '../../../src/util/errors.js';
import { silentLogger } from '../../../src/util/logger.js';
import { jfk, silence, whiteNoise } from '../../helpers/asr-eval.js';
import { openTestDb, tmpDbPath } from '../../helpers/storage-tmp.js';

const log = silentLogger().root;

function seg(samples: Float32Array, startSample: number, closedAtMonoMs = performance.now()): PipelineSegment {
  return { startSample, endSample: startSample + samples.length, samples, closedAtMonoMs, closeReason: 'silence', timingsMs: { vad: 3 } };
}

function ctx(tier = 'normal'): StageContext {
  return { sessionId: 's1', tier, signal: new AbortController().signal };
}

test('engineForTier applies tier overrides and the one-run override', () => {
  const cfg = defaultConfig({ asr: { engine: 'whisper', model: 'big', tiers: { reduced: { engine: 'moonshine' }, minimal: { model: 'small' } } } }).asr;
  assert.deepEqual(engineForTier(cfg, 'normal'), { engine: 'whisper', model: 'big' });
  assert.deepEqual(engineForTier(cfg, 'catch-up'), { engine: 'whisper', model: 'big' });
  assert.deepEqual(engineForTier(cfg, 'reduced'), { engine: 'moonshine', model: '' });
  assert.deepEqual(engineForTier(cfg, 'minimal'), { engine: 'whisper', model: 'small' });
  assert.deepEqual(engineForTier(cfg, 'reduced', 'pocketsphinx'), { engine: 'pocketsphinx', model: '' });
  assert.deepEqual(engineForTier(cfg, 'normal', 'whisper'), { engine: 'whisper', model: 'big' });
  assert.throws(() => engineForTier(cfg, 'normal', 'bogus' as never), (e: unknown) => e instanceof AppError && e.code === 'USAGE');
});

test('stage fills text, session-absolute words and timings, drops silence/noise, records latency in SQLite', async () => {
  const tmp = tmpDbPath('parley-asr-');
  const db = openTestDb(tmp.path);
  try {
    const latency = new LatencyRepo(db.db);
    const stage = await AsrStage.create({ cfg: defaultConfig(), host: null, logger: log, latency });
    const { samples } = jfk();
    const offset = 16000 * 60;
    const out = await stage.process([seg(samples, offset), seg(silence(2), offset + samples.length), seg(whiteNoise(2), offset + samples.length + 32000)], ctx());
    assert.equal(out.length, 3);
    const [speech, quiet, noise] = out;
    assert.ok(speech!.text && speech!.text.includes('country'), speech!.text ?? 'null');
    assert.equal(speech!.asrEngine, 'pocketsphinx');
    assert.equal(speech!.asrModel, 'dictation:en-us');
    assert.ok(speech!.words!.length > 5);
    assert.ok(speech!.words![0]!.startMs >= 60000 && speech!.words!.at(-1)!.endMs <= 71100, JSON.stringify(speech!.words![0]));
    assert.ok(speech!.timingsMs!.asr! > 0);
    assert.equal(speech!.timingsMs!.vad, 3);
    for (const s of [quiet!, noise!]) {
      assert.equal(s.text, null);
      assert.equal(s.words, null);
      assert.equal(s.asrEngine, 'pocketsphinx');
    }
    assert.equal(latency.count(), 3);
    const rows = latency.recent(10).reverse();
    assert.deepEqual(rows.map((r) => r.outcome), ['text', 'no_speech', 'no_speech']);
    assert.equal(rows[0]!.engine, 'pocketsphinx');
    assert.equal(rows[0]!.tier, 'normal');
    assert.equal(rows[0]!.vad_ms, 3);
    assert.equal(rows[0]!.capture_ms, null);
    assert.ok((rows[0]!.rtf as number) > 0 && (rows[0]!.eos_to_final_ms as number) >= (rows[0]!.asr_ms as number));
    const p = latency.eosPercentiles(0, 'pocketsphinx');
    assert.equal(p.count, 3);
    assert.ok(p.p50 <= p.p95 && p.p95 <= p.p99);
    const d = stage.describe();
    assert.equal(d.engine, 'pocketsphinx');
    assert.equal(d.withText, 1);
    assert.equal(d.noSpeech, 2);
    assert.ok(typeof d.rtf === 'number' && d.rtf > 0);
    await stage.close();
  } finally {
    db.close();
    tmp.cleanup();
  }
});

test('per-tier engine: minimal tier with engine none leaves text unset; idle recognizers of other tiers are unloaded', async () => {
  const cfg = defaultConfig({ asr: { tiers: { minimal: { engine: 'none' } } } });
  let now = 0;
  let closed = 0;
  const built: string[] = [];
  const stage = await AsrStage.create({
    cfg, host: null, logger: log, nowMs: () => now, idleUnloadMs: 1000,
    build: async (tier) => {
      built.push(tier);
      if (tier === 'minimal') return null;
      return { engine: 'scripted', model: 'm', recognize: async () => null, close: async () => { closed++; } };
    },
  });
  const s0 = seg(silence(1), 0, 0);
  await stage.process([s0], ctx('minimal'));
  assert.equal(closed, 0, 'the normal recognizer stays loaded while recently used');
  now = 5000;
  await stage.process([s0], ctx('minimal'));
  assert.equal(closed, 1, 'unused for longer than idleUnloadMs: unloaded');
  await stage.process([s0], ctx('normal'));
  assert.deepEqual(built, ['normal', 'minimal', 'normal']);
  await stage.close();
});

test('per-tier engine with the real PocketSphinx: none in minimal, PocketSphinx in normal', async () => {
  const cfg = defaultConfig({ asr: { tiers: { minimal: { engine: 'none' } } } });
  const stage = await AsrStage.create({ cfg, host: null, logger: log });
  const s = seg(jfk().samples.subarray(0, 16000 * 3), 0);
  const [m] = await stage.process([s], ctx('minimal'));
  assert.equal(m!.text, undefined);
  assert.equal(m!.asrEngine, null);
  assert.equal(stage.describe().engine, 'none');
  const [n] = await stage.process([s], ctx('normal'));
  assert.equal(n!.asrEngine, 'pocketsphinx');
  await stage.close();
});

test('engine errors are typed, recorded and re-thrown; a missing engine fails at create', async () => {
  const cfg = defaultConfig({ asr: { pocketsphinx: { binary: 'pocketsphinx_missing_binary' } } });
  await assert.rejects(AsrStage.create({ cfg, host: null, logger: log }), (e: unknown) => e instanceof AppError && e.code === 'ASR_ENGINE' && /apt-get install/.test(e.hint ?? ''));
  assert.equal(await createRecognizer(defaultConfig({ asr: { engine: 'none' } }), { host: null, logger: log }), null);
  await assert.rejects(createRecognizer(defaultConfig({ asr: { engine: 'whisper' } }), { host: null, logger: log }),
    (e: unknown) => e instanceof AppError && e.code === 'INFERENCE_UNAVAILABLE');
  const failing = await AsrStage.create({
    cfg: defaultConfig(), host: null, logger: log,
    build: async () => ({ engine: 'broken', model: 'm', recognize: async () => { throw new Error('boom'); }, close: async () => {} }),
  });
  await assert.rejects(failing.process([seg(jfk().samples.subarray(0, 16000), 0)], ctx()), (e: unknown) => e instanceof AppError && /boom/.test(e.message));
  assert.equal(failing.describe().errors, 1);
});
