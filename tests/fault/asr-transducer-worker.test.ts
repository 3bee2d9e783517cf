import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import type { StreamingRecognizer } from '../../src/asr/recognizer.js';
import { createTransducerRecognizer } from '../../src/asr/transducer-factory.js';
import { defaultConfig } from '../../src/config/load.js';
import { WorkerHost } from '../../src/inference/worker-host.js';
import { silentLogger } from '../../src/util/logger.js';
import { jfkSamples } from '../helpers/asr-transducer-audio.js';
import { fixtureFiles } from '../helpers/asr-transducer-fixtures.js';

const cfg = defaultConfig();

function host(): WorkerHost {
  return new WorkerHost({ requestTimeoutMs: 30000, loadTimeoutMs: 30000, maxRestarts: 3, restartWindowMs: 60000, threads: 1, logger: silentLogger().root, env: { PARLEY_TEST_FAULTS: '1' } });
}

test('inference child crash mid-stream: old stream fails with a typed error, the reloaded engine serves new streams', async () => {
  const h = host();
  await h.start();
  try {
    const rec = await createTransducerRecognizer('zipformer-streaming', cfg, h, { files: fixtureFiles('zipformer-streaming', 'fp32'), name: 'fx', family: 'zipformer' }) as StreamingRecognizer;
    await h.load('echo', { kind: 'test.echo', options: {} });
    const audio = jfkSamples(2);
    const s = await rec.createStream();
    await s.accept(audio.subarray(0, 8000));
    const restarted = new Promise((r) => h.once('restarted', r));
    await assert.rejects(h.call('echo', 'crash'), (e: Error & { code?: string }) => e.code === 'INFERENCE_CRASHED');
    await restarted;
    await assert.rejects(s.accept(audio.subarray(8000, 16000)), (e: Error & { code?: string }) => e.code === 'ASR_ENGINE' && /unknown stream/.test(e.message));
    const s2 = await rec.createStream();
    await s2.accept(audio);
    const fin = await s2.finish();
    assert.ok(fin && fin.text.length > 0);
  } finally {
    await h.stop();
  }
});

test('truncated or corrupt model files fail to load with MODEL_LOAD naming the file', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'parley-transducer-'));
  const h = host();
  await h.start();
  try {
    const src = fixtureFiles('zipformer-offline', 'int8');
    const files = { encoder: path.join(dir, 'encoder.int8.onnx'), decoder: path.join(dir, 'decoder.int8.onnx'), joiner: path.join(dir, 'joiner.int8.onnx'), tokens: path.join(dir, 'tokens.txt') };
    for (const k of ['decoder', 'joiner', 'tokens'] as const) copyFileSync(src[k], files[k]);
    const enc = readFileSync(src.encoder);
    writeFileSync(files.encoder, enc.subarray(0, Math.floor(enc.length / 2)));
    await assert.rejects(createTransducerRecognizer('transducer-offline', cfg, h, { files, name: 'trunc', family: 'zipformer' }),
      (e: Error & { code?: string }) => e.code === 'MODEL_LOAD' && e.message.includes(files.encoder));
    writeFileSync(files.encoder, enc);
    writeFileSync(files.tokens, 'garbage-without-id\n');
    await assert.rejects(createTransducerRecognizer('transducer-offline', cfg, h, { files, name: 'badtok', family: 'zipformer' }),
      (e: Error & { code?: string }) => e.code === 'MODEL_LOAD' && e.message.includes('tokens.txt'));
  } finally {
    await h.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
