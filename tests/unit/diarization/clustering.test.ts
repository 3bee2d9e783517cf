import { test } from 'node:test';
import assert from 'node:assert/strict';
import { agglomerative, centerAndNormalize, refineKMeans } from '../../../src/diarization/clustering.js';
import { OnlineClusterer } from '../../../src/diarization/online-clusterer.js';
import { pitchTrack } from '../../../src/diarization/pitch.js';
import { spectral, symmetricEigen } from '../../../src/diarization/spectral.js';
import { mulberry32 } from '../../../src/util/prng.js';

const rng = mulberry32;

/** `k` well-separated Gaussian blobs in 12 dimensions, `n` points each, interleaved. */
function blobs(k: number, n: number, spread: number, seed = 1): { x: Float64Array[]; truth: number[] } {
  const r = rng(seed);
  const centres = Array.from({ length: k }, () => Float64Array.from({ length: 12 }, () => (r() - 0.5) * 6));
  const x: Float64Array[] = [];
  const truth: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let c = 0; c < k; c++) {
      x.push(centres[c].map((v) => v + (r() - 0.5) * spread));
      truth.push(c);
    }
  }
  return { x, truth };
}

/** Same partition up to renaming. */
function samePartition(a: readonly number[], b: readonly number[]): boolean {
  const m = new Map<number, number>();
  const back = new Map<number, number>();
  return a.every((v, i) => {
    if (!m.has(v) && !back.has(b[i])) {
      m.set(v, b[i]);
      back.set(b[i], v);
    }
    return m.get(v) === b[i];
  });
}

test('agglomerative finds the blob count by threshold and honours a known count', () => {
  const { x, truth } = blobs(3, 10, 1.0);
  const u = centerAndNormalize(x);
  const byThreshold = agglomerative(u, { threshold: 0.3, maxClusters: 8 });
  assert.ok(samePartition(byThreshold, truth), byThreshold.join(''));
  for (const linkage of ['average', 'centroid'] as const) {
    const two = agglomerative(u, { threshold: 0, numClusters: 2, maxClusters: 8, linkage });
    assert.equal(new Set(two).size, 2);
    assert.ok(samePartition(agglomerative(u, { threshold: 0, numClusters: 3, maxClusters: 8, linkage }), truth));
  }
  assert.deepEqual(agglomerative([], { threshold: 0, maxClusters: 3 }), []);
  assert.equal(new Set(agglomerative(u, { threshold: 2, maxClusters: 2 })).size, 2, 'maxClusters caps the count even above the threshold');
});

test('k-means refinement fixes a wrong initial assignment', () => {
  const { x, truth } = blobs(2, 8, 0.5, 4);
  const u = centerAndNormalize(x);
  const bad = truth.map((t, i) => (i === 0 ? 1 - t : t));
  assert.ok(samePartition(refineKMeans(u, bad), truth));
});

test('spectral clustering picks the count by eigengap', () => {
  const { x, truth } = blobs(3, 12, 1.0, 7);
  const labels = spectral(centerAndNormalize(x), { maxClusters: 6 });
  assert.ok(samePartition(labels, truth), labels.join(''));
  assert.ok(samePartition(spectral(centerAndNormalize(x), { maxClusters: 6, numClusters: 3 }), truth));
});

test('symmetricEigen reproduces A v = lambda v', () => {
  const A = Float64Array.from([4, 1, 2, 1, 3, 0, 2, 0, 5]);
  const { values, vectors } = symmetricEigen(A, 3);
  for (let j = 0; j < 3; j++) {
    for (let i = 0; i < 3; i++) {
      let av = 0;
      for (let k = 0; k < 3; k++) av += A[i * 3 + k] * vectors[k * 3 + j];
      assert.ok(Math.abs(av - values[j] * vectors[i * 3 + j]) < 1e-9);
    }
  }
  assert.ok(values[0] <= values[1] && values[1] <= values[2]);
});

test('online clusterer: creates speakers above the threshold, caps the count, short pieces never create', () => {
  const oc = new OnlineClusterer({ threshold: 1, maxSpeakers: 2, minNewSpeakerS: 1 });
  const a = [0, 0, 0, 0];
  const b = [3, 3, 3, 3];
  const c = [-3, 3, -3, 3];
  assert.deepEqual(oc.assign(a, 2), { id: 0, distance: 0, created: true });
  assert.equal(oc.assign([0.1, 0, 0, 0], 2).id, 0);
  assert.equal(oc.assign(b, 0.5).id, 0, 'short piece joins the existing speaker');
  assert.equal(oc.assign(b, 2).created, true);
  const capped = oc.assign(c, 3);
  assert.equal(capped.created, false);
  assert.equal(oc.speakers.length, 2);
});

test('pitch track finds 200 Hz in a harmonic tone and nothing in silence', () => {
  const sr = 16000;
  const x = Float32Array.from({ length: sr }, (_, i) => Math.sin((2 * Math.PI * 200 * i) / sr) + 0.5 * Math.sin((2 * Math.PI * 400 * i) / sr));
  const p = pitchTrack(x, 160, 90);
  const voiced = Array.from(p).filter((v) => !Number.isNaN(v));
  assert.ok(voiced.length > 30);
  for (const v of voiced) assert.ok(Math.abs(2 ** v - 200) < 8, `${2 ** v} Hz`);
  assert.ok(Array.from(pitchTrack(new Float32Array(sr), 160, 90)).every((v) => Number.isNaN(v)));
});

test('online clusterer: the piece after a change point never takes the speaker before it', () => {
  const oc = new OnlineClusterer({ threshold: 1, maxSpeakers: 3, minNewSpeakerS: 1 });
  const a = [0, 0, 0, 0];
  assert.equal(oc.assign(a, 2).id, 0);
  // close to speaker 0, but excluded: a new speaker is created (even for a short piece)
  const next = oc.assign([0.2, 0, 0, 0], 0.6, 0);
  assert.equal(next.id, 1);
  assert.equal(next.created, true);
  // with two speakers, excluding 1 sends a piece near 1 to the other existing speaker when it is within the threshold
  assert.equal(oc.assign([0.3, 0, 0, 0], 2, 1).id, 0);
  // capped at maxSpeakers with no other candidate: the excluded one is the only option left
  const capped = new OnlineClusterer({ threshold: 1, maxSpeakers: 1, minNewSpeakerS: 1 });
  capped.assign(a, 2);
  assert.equal(capped.assign(a, 2, 0).id, 0);
});
