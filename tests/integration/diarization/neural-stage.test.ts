import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { defaultConfig } from '../../../src/config/load.js';
import { createDiarizationStage } from '../../../src/diarization/create-stage.js';
import { WorkerHost } from '../../../src/inference/worker-host.js';
import { AppError } from '../../../src/util/errors.js';
import { silentLogger } from '../../../src/util/logger.js';
import { conversation } from '../../helpers/diarization-conversations.js';
import { runStage } from '../../helpers/diarization-run.js';
import { REPO_ROOT } from '../../helpers/diarization-eval.js';

const FIX = join(REPO_ROOT, 'tests', 'fixtures', 'diarization');
const logger = silentLogger().child('diarization');

// Plumbing only: the tiny fixture model has random weights, so its labels carry no meaning.
test('neural stage: embeddings from the inference child, live labels, session-end revisions within the known count', async () => {
  const host = new WorkerHost({ requestTimeoutMs: 20000, loadTimeoutMs: 30000, maxRestarts: 1, restartWindowMs: 60000, threads: 1, logger });
  await host.start();
  try {
    const cfg = { ...defaultConfig().diarization, engine: 'neural' as const, embedding_model: join(FIX, 'tiny-3dspeaker-embedding.onnx') };
    const stage = await createDiarizationStage(cfg, { host, logger, knownSpeakers: 2 });
    assert.ok(stage);
    assert.equal(stage.describe().engine, 'neural');
    assert.equal(stage.describe().precision, 'fp32');
    const { segs } = conversation(['en-us+m1', 'en-us+f2'], 6);
    const r = await runStage(stage, segs);
    assert.equal(r.live.length, segs.length);
    for (const p of r.live) {
      assert.match(String(p.speaker), /^unknown-\d+$/);
      assert.equal(p.embedding?.length, 16);
    }
    assert.ok(new Set(r.final.map((f) => f.speaker)).size <= 2);
    await stage.close?.();
  } finally {
    await host.stop();
  }
});

test('neural stage: missing model, empty model path and missing inference child are typed errors', async () => {
  const base = { ...defaultConfig().diarization, engine: 'neural' as const };
  const host = new WorkerHost({ requestTimeoutMs: 20000, loadTimeoutMs: 30000, maxRestarts: 1, restartWindowMs: 60000, threads: 1, logger });
  await assert.rejects(createDiarizationStage({ ...base, embedding_model: '/nonexistent/model.onnx' }, { host, logger }), (e: unknown) => e instanceof AppError && e.code === 'MODEL_MISSING');
  await assert.rejects(createDiarizationStage({ ...base, embedding_model: '' }, { host, logger }), (e: unknown) => e instanceof AppError && e.code === 'DIARIZATION');
  await assert.rejects(createDiarizationStage({ ...base, embedding_model: join(FIX, 'tiny-3dspeaker-embedding.onnx') }, { logger }), (e: unknown) => e instanceof AppError && e.code === 'DIARIZATION');
  await assert.rejects(createDiarizationStage(defaultConfig().diarization, { logger, knownSpeakers: 0 }), (e: unknown) => e instanceof AppError && e.code === 'USAGE');
  assert.equal(await createDiarizationStage(defaultConfig().diarization, { logger, engine: 'none' }), null);
});
