import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OfflineRecognizer, StreamingRecognizer } from '../../../src/asr/recognizer.js';
import { readTokens } from '../../../src/asr/tokens.js';
import { createTransducerRecognizer, transducerEngineOptions } from '../../../src/asr/transducer-factory.js';
import { tokensToText } from '../../../src/asr/transducer-text.js';
import { defaultConfig } from '../../../src/config/load.js';
import { WorkerHost } from '../../../src/inference/worker-host.js';
import { silentLogger } from '../../../src/util/logger.js';
import { jfkSamples } from '../../helpers/asr-transducer-audio.js';
import { fixtureFiles, reference } from '../../helpers/asr-transducer-fixtures.js';

const cfg = defaultConfig();
const audio = jfkSamples(4);

function host(): WorkerHost {
  return new WorkerHost({ requestTimeoutMs: 30000, loadTimeoutMs: 30000, maxRestarts: 1, restartWindowMs: 60000, threads: 1, logger: silentLogger().root });
}

function expectedText(family: 'zipformer-streaming' | 'zipformer-offline' | 'parakeet-tdt', key: string): string {
  const files = fixtureFiles(family, 'int8');
  const r = reference(family).int8[key];
  return tokensToText(r.tokens, r.frames, [], readTokens(files.tokens), 40).text;
}

test('factory: streaming and offline recognizers run in the real inference child (int8 fixtures)', async () => {
  const h = host();
  await h.start();
  try {
    const sr = await createTransducerRecognizer('zipformer-streaming', cfg, h, { files: fixtureFiles('zipformer-streaming', 'int8'), name: 'fixture-stream', family: 'zipformer' }) as StreamingRecognizer;
    assert.equal(sr.engine, 'zipformer-streaming');
    assert.deepEqual(await h.call('asr.transducer:fixture-stream', 'info'), { family: 'zipformer-streaming', precision: 'int8' });
    const s = await sr.createStream();
    let partials = 0;
    for (let pos = 0; pos < audio.length; pos += 3200) {
      const p = await s.accept(audio.subarray(pos, pos + 3200));
      if (p.text.length > 0) partials++;
      assert.equal(typeof p.isFinal, 'boolean');
    }
    assert.ok(partials > 0, 'partials arrive before finish()');
    const fin = await s.finish();
    assert.ok(fin);
    assert.equal(fin.text, expectedText('zipformer-streaming', 'greedy'));
    assert.equal(fin.model, 'fixture-stream');
    assert.ok(fin.words.length > 0 && fin.words.every((w, i) => w.endMs > w.startMs && (i === 0 || w.startMs >= fin.words[i - 1].startMs)));

    // Accepts sent without awaiting (as a capture loop might) keep their order and give the same text.
    const s2 = await sr.createStream();
    const pending: Promise<unknown>[] = [];
    for (let pos = 0; pos < audio.length; pos += 12000) pending.push(s2.accept(audio.subarray(pos, pos + 12000)));
    await Promise.all(pending);
    assert.equal((await s2.finish())?.text, fin.text);

    const off = await createTransducerRecognizer('transducer-offline', cfg, h, { files: fixtureFiles('zipformer-offline', 'int8'), name: 'fixture-offline', family: 'zipformer' }) as OfflineRecognizer;
    const r = await off.recognize(audio);
    assert.equal(r?.text, expectedText('zipformer-offline', 'greedy'));
    assert.equal(r?.engine, 'transducer-offline');
    assert.deepEqual(await h.call('asr.transducer:fixture-offline', 'info'), { family: 'zipformer-offline', precision: 'int8' });

    const tdt = await createTransducerRecognizer('transducer-offline', cfg, h, { files: fixtureFiles('parakeet-tdt', 'int8'), name: 'fixture-tdt', family: 'parakeet-tdt' }) as OfflineRecognizer;
    const t = await tdt.recognize(audio);
    assert.equal(t?.text, expectedText('parakeet-tdt', 'tdt'));
    assert.ok(t?.confidence !== null && t!.confidence! > 0 && t!.confidence! <= 1);
    await tdt.close();
    await off.close();
    await sr.close();
  } finally {
    await h.stop();
  }
});

test('factory: missing files are typed errors naming the file', () => {
  const files = { ...fixtureFiles('zipformer-streaming', 'fp32'), encoder: '/nonexistent/encoder.onnx' };
  assert.throws(() => transducerEngineOptions('zipformer-streaming', cfg, { files, name: 'x', family: 'zipformer' }),
    (e: Error & { code?: string }) => e.code === 'MODEL_MISSING' && /nonexistent\/encoder.onnx/.test(e.message));
  const { joiner: _j, ...noJoiner } = fixtureFiles('zipformer-streaming', 'fp32');
  assert.throws(() => transducerEngineOptions('zipformer-streaming', cfg, { files: noJoiner, name: 'x', family: 'zipformer' }), /no "joiner" file/);
});

test('factory: a file that is not the expected export fails to load with MODEL_LOAD', async () => {
  const h = host();
  await h.start();
  try {
    const f = fixtureFiles('zipformer-offline', 'fp32');
    // An offline encoder given as a streaming encoder: metadata keys are missing.
    await assert.rejects(createTransducerRecognizer('zipformer-streaming', cfg, h, { files: f, name: 'bad', family: 'zipformer' }),
      (e: Error & { code?: string }) => e.code === 'MODEL_LOAD' && /encoder_dims/.test(e.message));
  } finally {
    await h.stop();
  }
});
