/**
 * Whisper and Moonshine through the real path: manifest bundle → verified files →
 * inference child (forked WorkerHost) → recognizer → guards → AsrStage. The weights are the
 * tiny test fixtures, so texts are meaningless; what is checked is the plumbing, the token
 * sequences through IPC, and that silence and white noise never produce text.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AsrStage } from '../../../src/asr/asr-stage.js';
import { createRecognizer } from '../../../src/asr/create-recognizer.js';
import { defaultConfig } from '../../../src/config/load.js';
import { WorkerHost } from '../../../src/inference/worker-host.js';
import { AppError } from '../../../src/util/errors.js';
import { silentLogger } from '../../../src/util/logger.js';
import { jfk, REPO_ROOT, silence, whiteNoise } from '../../helpers/asr-eval.js';
import { fixtureModels, type FixtureModels } from '../../helpers/asr-fixture-bundles.js';

const log = silentLogger().root;
let host: WorkerHost;
let models: FixtureModels;

before(async () => {
  models = fixtureModels();
  host = new WorkerHost({ requestTimeoutMs: 30000, loadTimeoutMs: 30000, maxRestarts: 2, restartWindowMs: 60000, threads: 1, logger: log });
  await host.start();
});

after(async () => {
  await host.stop();
  models.cleanup();
});

function cfg(engine: 'whisper' | 'moonshine' | 'zipformer-streaming' | 'transducer-offline', model: string, asr: Record<string, unknown> = {}) {
  return defaultConfig({ asr: { engine, model, ...asr }, models: { dir: models.dir, manifest: models.manifest } });
}

test('whisper int8 bundle in the inference child reproduces the reference tokens over IPC', async () => {
  const rec = await createRecognizer(cfg('whisper', 'fixture-whisper-int8', { whisper: { language: 'de', task: 'translate' } }), { host, logger: log });
  assert.ok(rec);
  assert.equal(rec.engine, 'whisper');
  assert.equal(rec.model, 'fixture-whisper-int8');
  const ref = JSON.parse(readFileSync(join(REPO_ROOT, 'tests/fixtures/asr/whisper/tiny-reference.json'), 'utf8'));
  const c = ref.cases.find((x: { name: string }) => x.name === 'jfk-0-3s-de-translate');
  const raw = await host.call<{ tokens: number[] }>('asr.whisper#0', 'recognize', [jfk().samples.subarray(c.start, c.end), { language: 'de', task: 'translate', maxTokensPerSecond: 6, maxNewTokens: 224 }]);
  assert.deepEqual(raw.tokens, c.int8.tokens);
  await rec.close();
});

const ENGINES = [
  ['whisper', 'fixture-whisper-fp32'], ['whisper', 'fixture-whisper-int8'], ['moonshine', 'fixture-moonshine-int8'], ['moonshine', 'fixture-moonshine-v2-int8'],
  ['zipformer-streaming', 'fixture-zipformer-streaming-int8'], ['transducer-offline', 'fixture-parakeet-tdt-int8'],
] as const;

for (const [engine, model] of ENGINES) {
  test(`${engine} (${model}): silence and white noise give no text; speech segments run through the stage`, async () => {
    const c = cfg(engine, model);
    const rec = await createRecognizer(c, { host, logger: log });
    assert.ok(rec);
    assert.equal(await rec.recognize(silence(2)), null);
    assert.equal(await rec.recognize(whiteNoise(2)), null);
    await rec.close();
    const stage = await AsrStage.create({ cfg: c, host, logger: log });
    // 4 s: the Parakeet test fixture has a fixed 400-frame encoder input
    const speech = jfk().samples.subarray(0, 64000);
    const out = await stage.process([
      { startSample: 0, endSample: 64000, samples: speech, closedAtMonoMs: performance.now(), closeReason: 'silence' },
      { startSample: 64000, endSample: 96000, samples: whiteNoise(2), closedAtMonoMs: performance.now(), closeReason: 'silence' },
    ], { sessionId: 's', tier: 'normal', signal: new AbortController().signal });
    assert.equal(out[0]!.asrEngine, engine);
    assert.equal(out[0]!.asrModel, model);
    assert.ok(out[0]!.timingsMs!.asr! > 0);
    assert.equal(out[1]!.text, null);
    assert.equal(stage.describe().engine, engine);
    await stage.close();
  });
}

test('a corrupt bundle file fails verification before load; a wrong family is refused', async () => {
  const file = join(models.dir, 'fixture-whisper-fp32', 'tiny-decoder.onnx');
  const orig = readFileSync(file);
  const flipped = Buffer.from(orig);
  flipped[flipped.length - 100] ^= 0x01;
  writeFileSync(file, flipped);
  try {
    await assert.rejects(createRecognizer(cfg('whisper', 'fixture-whisper-fp32'), { host, logger: log }), (e: unknown) => e instanceof AppError && e.code === 'MODEL_INTEGRITY');
  } finally {
    writeFileSync(file, orig);
  }
  await assert.rejects(createRecognizer(cfg('whisper', 'fixture-moonshine-int8'), { host, logger: log }), (e: unknown) => e instanceof AppError && e.code === 'ASR_ENGINE');
  await assert.rejects(createRecognizer(cfg('moonshine', 'no-such-bundle'), { host, logger: log }), (e: unknown) => e instanceof AppError);
});
