import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readWavFile, toMono16k } from '../../../src/audio/wav-reader.js';
import { WorkerHost } from '../../../src/inference/worker-host.js';
import { silentLogger } from '../../../src/util/logger.js';
import { REPO_ROOT } from '../../helpers/diarization-eval.js';

const FIX = join(REPO_ROOT, 'tests', 'fixtures', 'diarization');

test('diarization.embedding and diarization.segmentation run in the real inference child', async () => {
  const h = new WorkerHost({
    requestTimeoutMs: 20000, loadTimeoutMs: 30000, maxRestarts: 1, restartWindowMs: 60000, threads: 1, logger: silentLogger().child('inference'),
  });
  try {
    await h.start();
    await h.load('emb', { kind: 'diarization.embedding', options: { model: join(FIX, 'tiny-3dspeaker-embedding.int8.onnx') } });
    await h.load('seg', { kind: 'diarization.segmentation', options: { model: join(FIX, 'tiny-pyannote-segmentation.onnx') } });
    const info = await h.call<{ precision: string; outputDim: number }>('emb', 'info');
    assert.equal(info.precision, 'int8');
    const samples = toMono16k(await readWavFile(join(FIX, 'embed-test.wav')));
    const e = await h.call<Float32Array>('emb', 'embed', [samples]);
    const want = (JSON.parse(readFileSync(join(FIX, 'reference.json'), 'utf8')) as { '3dspeaker': { embedding_int8: number[] } })['3dspeaker'].embedding_int8;
    assert.equal(e.length, 16);
    e.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 0.05 * (1 + Math.abs(want[i])), `dim ${i}: ${v} vs ${want[i]}`));
    const seg = toMono16k(await readWavFile(join(FIX, 'segment-test.wav')));
    const act = await h.call<{ frames: number; active: Uint8Array }>('seg', 'activity', [seg]);
    assert.equal(act.active.length, act.frames * 3);
  } finally {
    await h.stop();
  }
});
