import { scaledDistance } from './builtin-embedder.js';
import { agglomerative, centredSpace, dot, refineKMeans, relabel, type CentredSpace } from './clustering.js';
import { spectral } from './spectral.js';

export interface OfflineItem {
  raw: Float32Array;
  /** Weight: the time this item stands for (a window's hop). */
  durationS: number;
  /** Length of audio the embedding was computed on (defaults to durationS). */
  spanS?: number;
}

export interface OfflineOptions {
  method: 'agglomerative' | 'spectral';
  threshold: number;
  maxSpeakers: number;
  numSpeakers?: number;
  /** Items shorter than this are attached to the nearest cluster after clustering. */
  minItemS: number;
  /** Clusters with less speech than max(minClusterS, minClusterFraction x total) are dissolved into the nearest (unknown count only). */
  minClusterS?: number;
  minClusterFraction?: number;
  /** Cluster at most this many items (evenly spaced subset); the rest join the nearest cluster. */
  maxCore?: number;
}

/** The space a session's embeddings are compared in: centred on the duration-weighted session mean (channel normalisation), L2-normalised. */
export function embeddingSpace(items: readonly OfflineItem[]): CentredSpace {
  return centredSpace(items.map((i) => i.raw), items.map((i) => i.durationS));
}

/**
 * Session-end re-clustering: session-centred, L2-normalised embeddings of the
 * longer pieces are clustered (agglomerative or spectral, then k-means refinement);
 * short pieces join the nearest cluster. Returns one label per item (0..K-1).
 */
export function reclusterOffline(items: readonly OfflineItem[], o: OfflineOptions): number[] {
  if (items.length === 0) return [];
  const weights = items.map((i) => i.durationS);
  const { unit } = embeddingSpace(items);
  const longIdx = items.map((_, i) => i).filter((i) => (items[i].spanS ?? items[i].durationS) >= o.minItemS);
  let core = longIdx.length >= 2 ? longIdx : items.map((_, i) => i);
  const maxCore = o.maxCore ?? Infinity;
  if (core.length > maxCore) {
    const stride = core.length / maxCore;
    core = Array.from({ length: maxCore }, (_, k) => core[Math.floor(k * stride)]);
  }
  const vecs = core.map((i) => unit[i]);
  const w = core.map((i) => weights[i]);
  let labels: number[];
  if (o.method === 'spectral' && vecs.length >= 3 && vecs.length <= 400) {
    labels = spectral(vecs, { numClusters: o.numSpeakers, maxClusters: o.maxSpeakers });
  } else {
    labels = agglomerative(vecs, { threshold: o.threshold, numClusters: o.numSpeakers, maxClusters: o.maxSpeakers, weights: w });
  }
  let out = assignAll(unit, core, refineKMeans(vecs, labels, 5, w), weights);
  if (o.numSpeakers === undefined) out = dissolveSmall(unit, out, weights, o.minClusterS ?? 0, o.minClusterFraction ?? 0);
  return out;
}

/** Labels for all items: the clustered core keeps its labels, the rest join the nearest cluster centroid. */
function assignAll(unit: readonly Float64Array[], core: readonly number[], labels: readonly number[], weights: readonly number[]): number[] {
  const K = Math.max(...labels) + 1;
  const D = unit[0].length;
  const cents = Array.from({ length: K }, () => new Float64Array(D));
  core.forEach((i, c) => {
    for (let d = 0; d < D; d++) cents[labels[c]][d] += weights[i] * unit[i][d];
  });
  const out = new Array<number>(unit.length).fill(-1);
  core.forEach((i, c) => {
    out[i] = labels[c];
  });
  for (let i = 0; i < unit.length; i++) {
    if (out[i] >= 0) continue;
    let best = 0;
    for (let k = 1; k < K; k++) if (dot(unit[i], cents[k]) > dot(unit[i], cents[best])) best = k;
    out[i] = best;
  }
  return out;
}

/** Dissolve clusters with too little speech: their items join the nearest remaining cluster centroid. */
export function dissolveSmall(vecs: readonly Float64Array[], labels: readonly number[], w: readonly number[], minS: number, minFraction: number): number[] {
  let lab = [...labels];
  const total = w.reduce((a, b) => a + b, 0);
  const floor = Math.max(minS, minFraction * total);
  for (;;) {
    const K = Math.max(...lab) + 1;
    if (K <= 1) return lab;
    const dur = new Float64Array(K);
    lab.forEach((l, i) => {
      dur[l] += w[i];
    });
    let smallest = -1;
    for (let k = 0; k < K; k++) if (dur[k] < floor && (smallest < 0 || dur[k] < dur[smallest])) smallest = k;
    if (smallest < 0) return lab;
    const D = vecs[0].length;
    const cents = Array.from({ length: K }, () => new Float64Array(D));
    vecs.forEach((v, i) => {
      for (let d = 0; d < D; d++) cents[lab[i]][d] += w[i] * v[d];
    });
    lab = relabel(lab.map((l, i) => {
      if (l !== smallest) return l;
      let best = -1;
      for (let k = 0; k < K; k++) if (k !== smallest && (best < 0 || dot(vecs[i], cents[k]) > dot(vecs[i], cents[best]))) best = k;
      return best;
    }));
  }
}

/** Duration-weighted mean raw embedding of each cluster. */
export function rawCentroids(items: readonly OfflineItem[], labels: readonly number[]): Float64Array[] {
  const K = labels.length === 0 ? 0 : Math.max(...labels) + 1;
  const D = items.length > 0 ? items[0].raw.length : 0;
  const sums = Array.from({ length: K }, () => new Float64Array(D));
  const w = new Float64Array(K);
  items.forEach((it, i) => {
    w[labels[i]] += it.durationS;
    for (let d = 0; d < D; d++) sums[labels[i]][d] += it.durationS * it.raw[d];
  });
  return sums.map((s, k) => s.map((x) => x / (w[k] || 1)));
}

export interface Voiceprint {
  name: string;
  embedding: Float32Array;
}

/** Nearest enrolled voiceprint within `threshold` (scaled distance), or null. */
export function matchVoiceprint(vec: ArrayLike<number>, prints: readonly Voiceprint[], threshold: number): { name: string; distance: number } | null {
  let best: { name: string; distance: number } | null = null;
  for (const p of prints) {
    if (p.embedding.length !== vec.length) continue;
    const d = scaledDistance(vec, p.embedding);
    if (d < threshold && (!best || d < best.distance)) best = { name: p.name, distance: d };
  }
  return best;
}
