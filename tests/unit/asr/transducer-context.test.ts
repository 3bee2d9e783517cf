/**
 * Decoder context of the stateless transducer searches (item 2 of issue 16): an utterance starts
 * from [-1, …, -1, 0] as in sherpa-onnx / icefall (the decoder embeds -1 as zeros, blank 0 has its
 * own embedding), and an endpoint reset keeps the last context_size symbols of the finished
 * utterance. Checked against the PyTorch reference of the offline Zipformer fixture, whose decoder
 * masks negative ids as icefall's does.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { contextAfterReset, GreedySearch, initialContext, ModifiedBeamSearch, type StatelessTransducer } from '../../../src/asr/transducer-search.js';
import { ZipformerOfflineModel } from '../../../src/asr/zipformer-offline-model.js';
import { jfkSamples } from '../../helpers/asr-transducer-audio.js';
import { fixtureFiles, reference, type Precision, type RefSeq } from '../../helpers/asr-transducer-fixtures.js';

const ref = reference('zipformer-offline');
const audio = jfkSamples(ref.numSamples / 16000);

for (const precision of ['fp32', 'int8'] as Precision[]) {
  test(`offline zipformer ${precision}: greedy from [-1, 0], reset mid-utterance keeps the last two symbols (PyTorch reference)`, async () => {
    const model = await ZipformerOfflineModel.load(fixtureFiles('zipformer-offline', precision), 1);
    try {
      const enc = await model.encode(audio);
      const want = ref[precision].greedyWithReset as unknown as { split: number; before: RefSeq; after: RefSeq };
      assert.ok(want.before.tokens.length >= 2 && want.after.tokens.length >= 2, 'the reference emits on both sides of the reset');
      const s = new GreedySearch(model.decoderJoiner, { unkId: 2 });
      await s.step(enc.frames.subarray(0, want.split * enc.dim), want.split, enc.dim, 0);
      assert.deepEqual(s.result().tokens, want.before.tokens);
      s.reset();
      assert.deepEqual(s.result().tokens, []);
      await s.step(enc.frames.subarray(want.split * enc.dim), enc.numFrames - want.split, enc.dim, want.split);
      assert.deepEqual(s.result().tokens, want.after.tokens, 'tokens after the reset');
      assert.deepEqual(s.result().frames, want.after.frames);
    } finally {
      await model.release();
    }
  });
}

/** A decoder/joiner that records the contexts it is asked for and emits token 5 on every other frame. */
function recorder(): StatelessTransducer & { contexts: number[][] } {
  const contexts: number[][] = [];
  let frame = 0;
  return {
    contextSize: 2, vocabSize: 8, contexts,
    async decode(c) { contexts.push(...c.map((x) => [...x])); return new Float32Array(c.length * 4); },
    async join(_e, _d, n) {
      const out = new Float32Array(n * 8);
      for (let i = 0; i < n; i++) out[i * 8 + (frame % 2 === 0 ? 5 : 0)] = 10;
      frame++;
      return out;
    },
  };
}

test('context helpers: [-1, …, 0] at the start; after a reset the last symbols, or a fresh start when nothing was emitted', () => {
  assert.deepEqual(initialContext(2), [-1, 0]);
  assert.deepEqual(initialContext(3), [-1, -1, 0]);
  assert.deepEqual(contextAfterReset([-1, 0, 7, 9], 2), [7, 9]);
  assert.deepEqual(contextAfterReset([-1, 0, 7], 2), [0, 7]);
  assert.deepEqual(contextAfterReset([3, 4], 2), [-1, 0]); // a reset right after a reset: nothing emitted
});

test('greedy and modified beam search ask the decoder for [-1, 0] first and for the kept context after a reset', async () => {
  const g = recorder();
  const greedy = new GreedySearch(g);
  await greedy.step(new Float32Array(8), 2, 4, 0);
  assert.deepEqual(g.contexts[0], [-1, 0]);
  assert.deepEqual(greedy.result().tokens, [5]);
  greedy.reset();
  await greedy.step(new Float32Array(4), 1, 4, 2);
  assert.deepEqual(g.contexts.at(-2), [0, 5], 'greedy: context kept across the reset');

  const b = recorder();
  const beam = new ModifiedBeamSearch(b, 2);
  await beam.step(new Float32Array(4), 1, 4, 0);
  assert.deepEqual(b.contexts[0], [-1, 0]);
  beam.reset();
  await beam.step(new Float32Array(4), 1, 4, 1);
  assert.ok(b.contexts.some((c) => c[0] === 0 && c[1] === 5), `beam: context kept across the reset (${JSON.stringify(b.contexts)})`);
});
