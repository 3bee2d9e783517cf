import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultEndpointRules } from '../../../src/asr/transducer-endpoint.js';
import { readTokens } from '../../../src/asr/tokens.js';
import { ZipformerStreamingModel } from '../../../src/asr/zipformer-streaming-model.js';
import { ZipformerStream, type StreamOptions } from '../../../src/asr/zipformer-streaming-stream.js';
import { jfkSamples } from '../../helpers/asr-transducer-audio.js';
import { fixtureFiles, reference, type Precision } from '../../helpers/asr-transducer-fixtures.js';

const ref = reference('zipformer-streaming');
const audio = jfkSamples(ref.numSamples / 16000);
const opts = (method: StreamOptions['decodingMethod'], r = ref): StreamOptions => ({
  decodingMethod: method, maxActivePaths: r.maxActivePaths as number, tailPaddingSamples: r.tailPaddingSamples as number,
  endpoint: { enabled: false, rules: defaultEndpointRules() },
});

for (const [family, version, chunk] of [['zipformer-streaming', 2, 45], ['zipformer-v1-streaming', 1, 39]] as const) for (const precision of ['fp32', 'int8'] as Precision[]) {
  const ref = reference(family);
  test(`streaming ${family} ${precision}: greedy and modified beam search reproduce the PyTorch reference`, async () => {
    const files = fixtureFiles(family, precision);
    const model = await ZipformerStreamingModel.load(files, 1);
    const table = readTokens(files.tokens);
    try {
      assert.equal(model.meta.chunkFrames, chunk);
      assert.equal(model.meta.version, version);
      for (const [method, key] of [['greedy_search', 'greedy'], ['modified_beam_search', 'modifiedBeamSearch']] as const) {
        const s = new ZipformerStream(model, table, opts(method, ref));
        // Odd chunk sizes: the result must not depend on how audio arrives.
        for (let pos = 0, k = 0; pos < audio.length; k++) {
          const n = [1600, 333, 4000, 160][k % 4];
          await s.accept(audio.subarray(pos, Math.min(audio.length, pos + n)));
          pos += n;
        }
        const fin = await s.finish();
        assert.ok(ref[precision][key].tokens.length > 10, 'reference has tokens');
        assert.deepEqual(fin.tokenIds, ref[precision][key].tokens, `${method} tokens`);
        assert.deepEqual(fin.frames, ref[precision][key].frames, `${method} frames`);
        assert.ok(fin.text.length > 0);
      }
    } finally {
      await model.release();
    }
  });
}
