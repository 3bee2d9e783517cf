import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWavFile, toMono16k } from '../../../src/audio/wav-reader.js';
import { SpeakerEmbeddingModel } from '../../../src/diarization/neural-embedding.js';
import { decodePowerset, powersetClasses, SegmentationModel } from '../../../src/diarization/segmentation.js';
import { AppError } from '../../../src/util/errors.js';
import { REPO_ROOT } from '../../helpers/diarization-eval.js';

// Fixtures from scripts/gen-diarization-fixtures.py (tiny random-weight models, same I/O and metadata as the real exports).
const FIX = join(REPO_ROOT, 'tests', 'fixtures', 'diarization');
interface Ref {
  [k: string]: { frames: number; fbank_first5: number[][]; fbank_mean: number[]; embedding_fp32: number[]; embedding_int8: number[] } | undefined;
}
const ref = JSON.parse(readFileSync(join(FIX, 'reference.json'), 'utf8')) as Ref & {
  segmentation: { frames: number; logp_fp32: number[][]; logp_int8: number[][]; argmax_fp32: number[]; argmax_int8: number[] };
};

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / Math.max(den, 1e-30));
}

for (const flavour of ['3dspeaker', 'wespeaker'] as const) {
  for (const precision of ['fp32', 'int8'] as const) {
    test(`speaker embedding (${flavour}, ${precision}) reproduces the PyTorch reference`, async () => {
      const r = ref[flavour]!;
      const file = join(FIX, `tiny-${flavour}-embedding${precision === 'int8' ? '.int8' : ''}.onnx`);
      const model = await SpeakerEmbeddingModel.load(file);
      try {
        assert.equal(model.info.precision, precision);
        assert.equal(model.info.outputDim, 16);
        assert.equal(model.info.normalizeSamples, flavour === '3dspeaker');
        const samples = toMono16k(await readWavFile(join(FIX, 'embed-test.wav')));
        const f = model.features(samples);
        assert.equal(f.frames, r.frames);
        assert.ok(relErr(f.data.subarray(0, 5 * 80), r.fbank_first5.flat()) < 1e-4, 'fbank (first frames)');
        const mean = new Float64Array(80);
        for (let t = 0; t < f.frames; t++) for (let b = 0; b < 80; b++) mean[b] += f.data[t * 80 + b] / f.frames;
        assert.ok(Math.max(...Array.from(mean, (m, b) => Math.abs(m - r.fbank_mean[b]))) < 2e-3, 'fbank mean');
        const e = await model.embed(samples);
        const want = precision === 'fp32' ? r.embedding_fp32 : r.embedding_int8;
        const err = relErr(e, want);
        assert.ok(err < (precision === 'fp32' ? 1e-4 : 1e-2), `embedding relative error ${err}`);
      } finally {
        await model.dispose();
      }
    });
  }
}

for (const precision of ['fp32', 'int8'] as const) {
  test(`pyannote segmentation (${precision}) reproduces the reference log-probs and powerset decisions`, async () => {
    const model = await SegmentationModel.load(join(FIX, `tiny-pyannote-segmentation${precision === 'int8' ? '.int8' : ''}.onnx`));
    try {
      assert.equal(model.info.precision, precision);
      assert.deepEqual([model.info.receptiveFieldSize, model.info.receptiveFieldShift, model.info.numClasses], [991, 270, 7]);
      const samples = toMono16k(await readWavFile(join(FIX, 'segment-test.wav')));
      const { frames, logp } = await model.logProbs(samples);
      const r = ref.segmentation;
      assert.equal(frames, r.frames);
      const want = (precision === 'fp32' ? r.logp_fp32 : r.logp_int8).flat();
      const err = relErr(logp, want);
      assert.ok(err < (precision === 'fp32' ? 1e-4 : 1e-2), `log-prob relative error ${err}`);
      const argmax = Array.from({ length: frames }, (_, t) => {
        let b = 0;
        for (let c = 1; c < 7; c++) if (logp[t * 7 + c] > logp[t * 7 + b]) b = c;
        return b;
      });
      const wantArg = precision === 'fp32' ? r.argmax_fp32 : r.argmax_int8;
      const agree = argmax.filter((a, i) => a === wantArg[i]).length / frames;
      assert.ok(agree >= (precision === 'fp32' ? 1 : 0.97), `argmax agreement ${agree}`);
      const { active } = await model.activity(samples);
      assert.equal(active.length, frames * 3);
    } finally {
      await model.dispose();
    }
  });
}

test('powerset classes follow the pyannote order and decode overlap', () => {
  const cls = powersetClasses(3, 2);
  assert.deepEqual(cls, [[], [0], [1], [2], [0, 1], [0, 2], [1, 2]]);
  const logp = Float32Array.from([0, -9, -9, -9, -9, -9, -9, /* frame 2: {1,2} */ -9, -9, -9, -9, -9, -9, 0]);
  assert.deepEqual(Array.from(decodePowerset(logp, 2, cls, 3)), [0, 0, 0, 0, 1, 1]);
});

test('corrupt or foreign models are typed load errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-neural-'));
  try {
    const bad = join(dir, 'bad.onnx');
    writeFileSync(bad, Buffer.from('not an onnx file at all'));
    await assert.rejects(SpeakerEmbeddingModel.load(bad), (e: unknown) => e instanceof AppError && e.code === 'MODEL_LOAD');
    await assert.rejects(SpeakerEmbeddingModel.load(join(dir, 'missing.onnx')), (e: unknown) => e instanceof AppError && e.code === 'MODEL_MISSING');
    // a segmentation model is not a speaker-embedding model (no framework metadata)
    await assert.rejects(SpeakerEmbeddingModel.load(join(FIX, 'tiny-pyannote-segmentation.onnx')), (e: unknown) => e instanceof AppError && e.code === 'MODEL_LOAD');
    await assert.rejects(SegmentationModel.load(join(FIX, 'tiny-wespeaker-embedding.onnx')), (e: unknown) => e instanceof AppError && e.code === 'MODEL_LOAD');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
