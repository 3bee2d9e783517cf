/**
 * Moonshine v2 (merged decoder; item 7 of issue 16) against the fixture of
 * scripts/gen_moonshine_v2.py: the optimum-style If graph on use_cache_branch, the
 * encoder_attention_mask at raw-audio length, empty initial past tensors, base64 tokens, and the
 * int8 set as ORT-format (.ort) files as upstream ships them.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { MoonshineV2Model, type MoonshineV2Options } from '../../../src/asr/moonshine-v2-model.js';
import { createMoonshineEngine } from '../../../src/asr/moonshine-engine.js';
import { AppError } from '../../../src/util/errors.js';
import { jfk, REPO_ROOT } from '../../helpers/asr-eval.js';

const DIR = join(REPO_ROOT, 'tests', 'fixtures', 'asr', 'moonshine', 'v2');
interface Run { tokens: number[]; sum_logprob: number; ended: boolean; encoder_frames: number }
const ref = JSON.parse(readFileSync(join(DIR, 'reference.json'), 'utf8')) as { cases: Array<{ name: string; start: number; end: number; fp32: Run; int8: Run }> };

const files = (p: 'fp32' | 'int8'): MoonshineV2Options => p === 'int8'
  ? { encoder: join(DIR, 'encoder_model.ort'), mergedDecoder: join(DIR, 'decoder_model_merged.ort'), tokens: join(DIR, 'tokens.txt') }
  : { encoder: join(DIR, 'encoder_model.onnx'), mergedDecoder: join(DIR, 'decoder_model_merged.onnx'), tokens: join(DIR, 'tokens.txt') };

for (const p of ['fp32', 'int8'] as const) {
  test(`Moonshine v2 ${p} (${p === 'int8' ? '.ort' : '.onnx'}): greedy tokens equal the PyTorch reference`, async () => {
    const m = await MoonshineV2Model.load(files(p), 1);
    try {
      assert.equal(m.tokens.layout, 'base64');
      assert.ok(ref.cases.length >= 2);
      for (const c of ref.cases) {
        const got = await m.recognize(jfk().samples.subarray(c.start, c.end));
        assert.deepEqual(got.tokens, c[p].tokens, `${c.name} ${p}`);
        assert.equal(got.encoderFrames, c[p].encoder_frames);
        assert.equal(got.hitTokenCap, !c[p].ended);
        assert.ok(Math.abs(got.avgLogProb * got.tokens.length - c[p].sum_logprob) < 0.05 * Math.max(1, Math.abs(c[p].sum_logprob)));
        assert.ok(got.text.length > 0);
      }
    } finally {
      await m.dispose();
    }
  });
}

test('Moonshine v2 through the engine factory: options with mergedDecoder select v2; a v1 graph in its place is MODEL_LOAD', async () => {
  const engine = await createMoonshineEngine(files('int8') as unknown as Record<string, unknown>, { threads: 1 } as never);
  try {
    assert.deepEqual(await engine.call('info', []), { version: 2, tokens: 48, layout: 'base64' });
  } finally {
    await engine.dispose?.();
  }
  const v1 = join(REPO_ROOT, 'tests', 'fixtures', 'asr', 'moonshine', 'cached_decode.onnx');
  await assert.rejects(MoonshineV2Model.load({ ...files('fp32'), mergedDecoder: v1 }, 1), (e: unknown) => e instanceof AppError && e.code === 'MODEL_LOAD');
  await assert.rejects(MoonshineV2Model.load({ ...files('fp32'), tokens: join(REPO_ROOT, 'tests', 'fixtures', 'asr', 'moonshine', 'tokens.txt') }, 1),
    (e: unknown) => e instanceof AppError && e.code === 'MODEL_LOAD' && /base64/.test(e.message));
});
