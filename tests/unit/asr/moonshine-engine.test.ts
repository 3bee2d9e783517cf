/**
 * Reference-differential test of the Moonshine runner against the tiny export of
 * scripts/gen-moonshine-fixtures.py: identical greedy token sequences, fp32 and int8.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { MoonshineModel, type MoonshineEngineOptions } from '../../../src/asr/moonshine-engine.js';
import { AppError } from '../../../src/util/errors.js';
import { jfk, REPO_ROOT } from '../../helpers/asr-eval.js';

const DIR = join(REPO_ROOT, 'tests', 'fixtures', 'asr', 'moonshine');

interface RefRun { tokens: number[]; sum_logprob: number; ended: boolean; encoder_frames: number }
interface RefCase { name: string; start: number; end: number; fp32: RefRun; int8: RefRun }
const ref = JSON.parse(readFileSync(join(DIR, 'reference.json'), 'utf8')) as { cases: RefCase[] };

export function moonshineFixtureFiles(precision: 'fp32' | 'int8'): MoonshineEngineOptions {
  const s = precision === 'int8' ? '.int8' : '';
  // As the upstream int8 bundle: the preprocessor stays fp32 (sherpa-onnx export-onnx.py).
  return {
    preprocess: join(DIR, 'preprocess.onnx'), encode: join(DIR, `encode${s}.onnx`),
    uncachedDecode: join(DIR, `uncached_decode${s}.onnx`), cachedDecode: join(DIR, `cached_decode${s}.onnx`), tokens: join(DIR, 'tokens.txt'),
  };
}

for (const precision of ['fp32', 'int8'] as const) {
  test(`tiny Moonshine ${precision}: token sequences equal the PyTorch reference`, async () => {
    const model = await MoonshineModel.load(moonshineFixtureFiles(precision), 1);
    try {
      assert.ok(ref.cases.length >= 2);
      for (const c of ref.cases) {
        const want = c[precision];
        const got = await model.recognize(jfk().samples.subarray(c.start, c.end), 6);
        assert.deepEqual(got.tokens, want.tokens, `${c.name} ${precision}`);
        assert.equal(got.encoderFrames, want.encoder_frames);
        assert.equal(got.hitTokenCap, !want.ended, c.name);
        assert.ok(Math.abs(got.avgLogProb * got.tokens.length - want.sum_logprob) < 0.05 * Math.max(1, Math.abs(want.sum_logprob)), c.name);
        assert.equal(got.text, model.tokens.decode(want.tokens));
      }
    } finally {
      await model.dispose();
    }
  });
}

test('token cap (item 3 of issue 16): a decode of exactly max_len tokens followed by eos is kept, one short is a runaway', async () => {
  const model = await MoonshineModel.load(moonshineFixtureFiles('fp32'), 1);
  try {
    const c = ref.cases.find((x) => x.fp32.ended && x.fp32.tokens.length >= 2)!;
    const n = c.fp32.tokens.length;
    const secondsPerFrame = 384 / 16000;
    // max_len = floor(frames · 384/16000 · tokens per second): pick rates giving exactly n and n - 1
    const rate = (k: number): number => (k + 0.5) / (c.fp32.encoder_frames * secondsPerFrame);
    const exact = await model.recognize(jfk().samples.subarray(c.start, c.end), rate(n));
    assert.deepEqual(exact.tokens, c.fp32.tokens);
    assert.equal(exact.hitTokenCap, false);
    const short = await model.recognize(jfk().samples.subarray(c.start, c.end), rate(n - 1));
    assert.deepEqual(short.tokens, c.fp32.tokens.slice(0, n - 1));
    assert.equal(short.hitTokenCap, true);
  } finally {
    await model.dispose();
  }
});

test('Moonshine: a missing file is MODEL_MISSING; a wrong graph is MODEL_LOAD', async () => {
  await assert.rejects(MoonshineModel.load({ ...moonshineFixtureFiles('fp32'), encode: '/nonexistent/encode.onnx' }, 1),
    (e: unknown) => e instanceof AppError && e.code === 'MODEL_MISSING');
  // the uncached decoder in the cached slot: state counts do not line up
  await assert.rejects(MoonshineModel.load({ ...moonshineFixtureFiles('fp32'), cachedDecode: moonshineFixtureFiles('fp32').uncachedDecode }, 1),
    (e: unknown) => e instanceof AppError && e.code === 'MODEL_LOAD');
});
