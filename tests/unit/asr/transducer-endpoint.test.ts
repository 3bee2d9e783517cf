import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultEndpointRules, endpointRuleFired, type EndpointConfig } from '../../../src/asr/transducer-endpoint.js';
import { readTokens } from '../../../src/asr/tokens.js';
import { ZipformerStreamingModel } from '../../../src/asr/zipformer-streaming-model.js';
import { ZipformerStream } from '../../../src/asr/zipformer-streaming-stream.js';
import { jfkSamples } from '../../helpers/asr-transducer-audio.js';
import { fixtureFiles } from '../../helpers/asr-transducer-fixtures.js';

const on: EndpointConfig = { enabled: true, rules: defaultEndpointRules() };

test('rule 1: 2.4 s of trailing silence ends an utterance even without speech', () => {
  assert.equal(endpointRuleFired(on, 2399, 2399), -1);
  assert.equal(endpointRuleFired(on, 2400, 2400), 0);
});

test('rule 2: 1.2 s of trailing silence ends an utterance that contains speech', () => {
  assert.equal(endpointRuleFired(on, 5000, 1199), -1);
  assert.equal(endpointRuleFired(on, 5000, 1200), 1);
  // Only silence so far: rule 2 needs non-silence (utterance longer than the silence).
  assert.equal(endpointRuleFired(on, 1200, 1200), -1);
});

test('rule 3: utterance length reaches 20 s regardless of silence', () => {
  assert.equal(endpointRuleFired(on, 19990, 0), -1);
  assert.equal(endpointRuleFired(on, 20000, 0), 2);
});

test('disabled endpointing never fires; custom thresholds are honoured', () => {
  assert.equal(endpointRuleFired({ enabled: false, rules: defaultEndpointRules() }, 60000, 60000), -1);
  const custom: EndpointConfig = { enabled: true, rules: defaultEndpointRules(500, 300, 3000) };
  assert.equal(endpointRuleFired(custom, 1000, 300), 1);
  assert.equal(endpointRuleFired(custom, 500, 500), 0);
  assert.equal(endpointRuleFired(custom, 3000, 0), 2);
});

test('stream: endpoint marks the partial final, reset() starts a new utterance with relative timestamps', async () => {
  const files = fixtureFiles('zipformer-streaming', 'fp32');
  const model = await ZipformerStreamingModel.load(files, 1);
  try {
    const s = new ZipformerStream(model, readTokens(files.tokens), {
      decodingMethod: 'greedy_search', maxActivePaths: 4, tailPaddingSamples: 0,
      endpoint: { enabled: true, rules: defaultEndpointRules(100000, 100000, 1000) }, // rule 3 after 1 s
    });
    const audio = jfkSamples(4);
    const finals: number[] = [];
    let sawReset = false;
    for (let pos = 0; pos < audio.length; pos += 1600) {
      const p = await s.accept(audio.subarray(pos, pos + 1600));
      if (p.isFinal) {
        assert.equal(p.endpointRule, 2);
        finals.push(pos);
        s.reset();
        const after = s.current();
        assert.equal(after.text, '');
        sawReset = true;
      }
    }
    assert.ok(sawReset);
    assert.ok(finals.length >= 2 && finals.length <= 4, `endpoints at ${finals.join(',')}`);
    const fin = await s.finish();
    for (const w of fin.words) assert.ok(w.startMs < 1700, `word timestamps restart per utterance (${w.startMs})`);
  } finally {
    await model.release();
  }
});
