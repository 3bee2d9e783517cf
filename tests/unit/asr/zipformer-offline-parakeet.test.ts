import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ParakeetTdtModel } from '../../../src/asr/parakeet-tdt-model.js';
import { ZipformerOfflineModel } from '../../../src/asr/zipformer-offline-model.js';
import { jfkSamples } from '../../helpers/asr-transducer-audio.js';
import { fixtureFiles, reference, type Precision } from '../../helpers/asr-transducer-fixtures.js';

const zref = reference('zipformer-offline');
const tref = reference('parakeet-tdt');
const rref = reference('nemo-rnnt');
const audio = jfkSamples(zref.numSamples / 16000);

for (const precision of ['fp32', 'int8'] as Precision[]) {
  test(`offline zipformer ${precision}: greedy and modified beam search reproduce the PyTorch reference`, async () => {
    const model = await ZipformerOfflineModel.load(fixtureFiles('zipformer-offline', precision), 1);
    try {
      const g = await model.recognize(audio, 'greedy_search', 4);
      assert.ok(zref[precision].greedy.tokens.length > 10);
      assert.deepEqual(g.tokens, zref[precision].greedy.tokens);
      assert.deepEqual(g.frames, zref[precision].greedy.frames);
      assert.equal(g.subsampling, 4);
      const b = await model.recognize(audio, 'modified_beam_search', zref.maxActivePaths as number);
      assert.deepEqual(b.tokens, zref[precision].modifiedBeamSearch.tokens);
      assert.deepEqual(b.frames, zref[precision].modifiedBeamSearch.frames);
      const none = await model.recognize(new Float32Array(800), 'greedy_search', 4);
      assert.deepEqual(none.tokens, []);
      // A large blank penalty means blank never wins: (almost) every frame emits a token.
      const pen = await model.recognize(audio, 'greedy_search', 4, { blankPenalty: 20 });
      assert.ok(pen.tokens.length > g.tokens.length && pen.tokens.length >= 0.9 * zref[precision].encoderFrames, `${pen.tokens.length}`);
    } finally {
      await model.release();
    }
  });

  test(`parakeet TDT ${precision}: token-and-duration greedy search reproduces the PyTorch reference`, async () => {
    const model = await ParakeetTdtModel.load(fixtureFiles('parakeet-tdt', precision), 1);
    try {
      assert.equal(model.blankId, 62);
      assert.equal(model.subsampling, 8);
      const r = await model.recognize(audio);
      const want = tref[precision].tdt;
      assert.ok(want.tokens.length > 10);
      assert.deepEqual(r.tokens, want.tokens);
      assert.deepEqual(r.frames, want.frames);
      assert.deepEqual(r.durations, want.durations);
      assert.ok(r.durations.some((d) => d === 0) && r.durations.some((d) => d > 1), 'fixture exercises zero and multi-frame durations');
      const pen = await model.recognize(audio, { blankPenalty: 20 });
      assert.ok(pen.tokens.length > r.tokens.length, 'blank penalty increases emissions');
      model.unkId = 0;
      const b = await model.recognize(audio, { method: 'modified_beam_search', maxActivePaths: 4 });
      const wantB = tref[precision].modifiedBeamSearch;
      assert.ok(wantB.tokens.length > 10);
      assert.deepEqual(b.tokens, wantB.tokens, 'TDT beam tokens');
      assert.deepEqual(b.frames, wantB.frames, 'TDT beam frames');
      assert.deepEqual(b.durations, wantB.durations, 'TDT beam durations');
    } finally {
      await model.release();
    }
  });

  test(`NeMo RNNT (no durations) ${precision}: up to 10 symbols per frame, reproduces the PyTorch reference`, async () => {
    const model = await ParakeetTdtModel.load(fixtureFiles('nemo-rnnt', precision), 1);
    try {
      const r = await model.recognize(audio);
      const want = rref[precision].rnnt;
      assert.deepEqual(r.tokens, want.tokens);
      assert.deepEqual(r.frames, want.frames);
      const perFrame = new Map<number, number>();
      for (const f of r.frames) perFrame.set(f, (perFrame.get(f) ?? 0) + 1);
      assert.ok([...perFrame.values()].some((n) => n > 1), 'fixture exercises several symbols per frame');
      model.unkId = 0;
      const b = await model.recognize(audio, { method: 'modified_beam_search', maxActivePaths: 4 });
      assert.ok(rref[precision].modifiedBeamSearch.tokens.length > 5);
      assert.deepEqual(b.tokens, rref[precision].modifiedBeamSearch.tokens, 'RNNT beam tokens');
      assert.deepEqual(b.frames, rref[precision].modifiedBeamSearch.frames, 'RNNT beam frames');
    } finally {
      await model.release();
    }
  });
}
