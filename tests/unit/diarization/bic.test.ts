import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addStats, bicMerge, deltaBic, frameStats, logDetCovariance, statsLength } from '../../../src/diarization/bic.js';
import type { CepstralFrames } from '../../../src/diarization/features.js';
import { symmetricEigen } from '../../../src/diarization/spectral.js';
import { mulberry32 } from '../../../src/util/prng.js';

const D = 4;

/** Frames from a Gaussian with the given mean and per-dimension scale (Box-Muller), all at log energy 0. */
function frames(n: number, mean: number[], scale: number[], seed: number): CepstralFrames {
  const r = mulberry32(seed);
  const mfcc = new Float32Array(n * D);
  for (let i = 0; i < n * D; i++) {
    const g = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
    mfcc[i] = mean[i % D] + scale[i % D] * g;
  }
  return { frames: n, dims: D, mfcc, logEnergy: new Float32Array(n), hopSamples: 160 };
}

test('frameStats and logDetCovariance match a direct covariance computation', () => {
  const c = frames(500, [1, -1, 0.5, 2], [1, 2, 0.5, 1.5], 3);
  const st = frameStats(c, 0, c.frames, -Infinity);
  assert.equal(st.length, statsLength(D));
  assert.equal(st[0], 500);
  const mu = Array.from({ length: D }, (_, d) => Array.from({ length: 500 }, (_, f) => c.mfcc[f * D + d]).reduce((a, b) => a + b) / 500);
  const C = new Float64Array(D * D);
  for (let f = 0; f < 500; f++) for (let i = 0; i < D; i++) for (let j = 0; j < D; j++) C[i * D + j] += ((c.mfcc[f * D + i] - mu[i]) * (c.mfcc[f * D + j] - mu[j])) / 500;
  const direct = symmetricEigen(C, D).values.reduce((a, v) => a + Math.log(v), 0);
  assert.ok(Math.abs(logDetCovariance(st, D) - direct) < 1e-4, `${logDetCovariance(st, D)} vs ${direct}`);
});

test('frameStats skips frames below the energy floor and outside the range', () => {
  const c = frames(10, [0, 0, 0, 0], [1, 1, 1, 1], 1);
  c.logEnergy.set([0, -10, 0, -10, 0, 0, 0, 0, 0, 0]);
  assert.equal(frameStats(c, 0, 10, -5)[0], 8);
  assert.equal(frameStats(c, -3, 4, -5)[0], 2);
  assert.equal(frameStats(c, 8, 99, -5)[0], 2);
  assert.equal(logDetCovariance(frameStats(c, 5, 5, -5), D), -Infinity, 'no frames: no covariance');
});

test('deltaBic: below 0 for two halves of one voice, above 0 for two voices', () => {
  const one = frames(600, [0, 0, 0, 0], [1, 1, 1, 1], 5);
  const a = frameStats(one, 0, 300, -Infinity);
  const b = frameStats(one, 300, 600, -Infinity);
  assert.ok(deltaBic(a, b, D, 1) < 0, `same voice: ${deltaBic(a, b, D, 1)}`);
  const other = frameStats(frames(300, [1.5, -1, 0, 0.5], [1, 1.5, 1, 1], 6), 0, 300, -Infinity);
  assert.ok(deltaBic(a, other, D, 1) > 0, `two voices: ${deltaBic(a, other, D, 1)}`);
  assert.ok(deltaBic(a, other, D, 50) < deltaBic(a, other, D, 1), 'a larger penalty weight favours merging');
  assert.equal(deltaBic(a, new Float64Array(statsLength(D)), D, 1), -Infinity, 'an empty side always merges');
});

test('bicMerge: blocks of three sources end in three clusters; empty blocks join the largest', () => {
  const sources = [[0, 0, 0, 0], [2, -1, 0, 1], [-1, 2, 1, -1]];
  const blocks: Float64Array[] = [];
  const truth: number[] = [];
  for (let k = 0; k < 4; k++) {
    sources.forEach((m, s) => {
      blocks.push(frameStats(frames(150, m, [1, 1, 1, 1], 100 + k * 3 + s), 0, 150, -Infinity));
      truth.push(s);
    });
  }
  blocks.push(new Float64Array(statsLength(D)));
  const labels = bicMerge(blocks, D, { lambda: 1, maxClusters: 8 });
  assert.equal(new Set(labels).size, 3);
  for (let i = 0; i < truth.length; i++) assert.equal(labels[i], labels[truth.indexOf(truth[i])], `block ${i}`);
  assert.ok(labels[labels.length - 1] >= 0 && labels[labels.length - 1] < 3);
  // maxClusters forces merges beyond what ΔBIC wants
  assert.equal(new Set(bicMerge(blocks, D, { lambda: 1, maxClusters: 2 })).size, 2);
  assert.deepEqual(bicMerge([], D, { lambda: 1, maxClusters: 2 }), []);
});

test('addStats adds element-wise', () => {
  assert.deepEqual([...addStats(Float64Array.from([1, 2]), [3, 4])], [4, 6]);
});
