import { scaledDistance } from './builtin-embedder.js';
import { addStats, bicMerge } from './bic.js';
import { agglomerative, dot, refineKMeans, relabel } from './clustering.js';
import { spectral } from './spectral.js';

export interface OfflineItem {
  raw: Float32Array;
  /** Weight: the time this item stands for (a window's hop). */
  durationS: number;
  /** Length of audio the embedding was computed on (defaults to durationS). */
  spanS?: number;
  /** Frame statistics this item owns (bic.ts layout) for ΔBIC clustering; the items of a piece partition its frames. */
  stats?: Float64Array;
  /** Items of one piece (contiguous audio) share a group. */
  group?: number;
}

export interface OfflineOptions {
  method: 'agglomerative' | 'spectral' | 'bic';
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
  /** method bic: ΔBIC penalty weight. */
  bicLambda?: number;
  /** Items per ΔBIC block (default 8: 2 s of 250 ms hops). */
  bicBlockItems?: number;
  /** Most ΔBIC blocks (larger blocks beyond; bounds the cost). */
  bicMaxBlocks?: number;
}

export interface EmbeddingSpace {
  /** Session-centred, L2-normalised vectors of the items. */
  unit: Float64Array[];
  /** Maps another raw embedding into the same space (same centre). */
  project(raw: ArrayLike<number>): Float64Array;
}

/** The space a session's embeddings are compared in: centred on the duration-weighted session mean (channel normalisation), L2-normalised. */
export function embeddingSpace(items: readonly OfflineItem[]): EmbeddingSpace {
  const D = items[0].raw.length;
  const mean = new Float64Array(D);
  let wsum = 0;
  for (const it of items) {
    wsum += it.durationS;
    for (let d = 0; d < D; d++) mean[d] += it.durationS * it.raw[d];
  }
  for (let d = 0; d < D; d++) mean[d] /= wsum || 1;
  const project = (v: ArrayLike<number>): Float64Array => {
    const y = Float64Array.from({ length: D }, (_, d) => v[d] - mean[d]);
    const n = Math.sqrt(dot(y, y));
    if (n > 0) for (let d = 0; d < D; d++) y[d] /= n;
    return y;
  };
  return { unit: items.map((i) => project(i.raw)), project };
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
  let out: number[];
  if (o.method === 'bic' && o.numSpeakers === undefined) {
    if (!items.every((i) => i.stats)) throw new Error('offline method bic needs frame statistics on every item');
    out = bicBlocks(items, o);
  } else {
    let labels: number[];
    if (o.method === 'spectral' && vecs.length >= 3 && vecs.length <= 400) {
      labels = spectral(vecs, { numClusters: o.numSpeakers, maxClusters: o.maxSpeakers });
    } else {
      labels = agglomerative(vecs, { threshold: o.threshold, numClusters: o.numSpeakers, maxClusters: o.maxSpeakers, weights: w });
    }
    out = assignAll(unit, core, refineKMeans(vecs, labels, 5, w), weights);
  }
  if (o.numSpeakers === undefined) out = dissolveSmall(unit, out, weights, o.minClusterS ?? 0, o.minClusterFraction ?? 0);
  return out;
}

/**
 * ΔBIC clustering: consecutive items of one piece form blocks (bicBlockItems, more per
 * block when there would be over bicMaxBlocks), each block a full-covariance Gaussian of
 * its frames; blocks merge while ΔBIC < 0. Returns a label per item (its block's cluster).
 */
function bicBlocks(items: readonly OfflineItem[], o: OfflineOptions): number[] {
  const per = Math.max(o.bicBlockItems ?? 8, Math.ceil(items.length / (o.bicMaxBlocks ?? 600)));
  const blockOf = new Array<number>(items.length);
  const blocks: Float64Array[] = [];
  let inBlock = 0;
  for (let i = 0; i < items.length; i++) {
    const newGroup = i === 0 || items[i].group === undefined || items[i].group !== items[i - 1].group;
    // a block is full after `per` items unless fewer than per/2 of its piece would be left over
    const full = inBlock >= per && groupRest(items, i) >= per / 2;
    if (newGroup || full) {
      blocks.push(new Float64Array(items[i].stats!.length));
      inBlock = 0;
    }
    inBlock++;
    blockOf[i] = blocks.length - 1;
    addStats(blocks[blocks.length - 1], items[i].stats!);
  }
  const labels = bicMerge(blocks, dimsOfStats(blocks[0].length), { lambda: o.bicLambda!, maxClusters: o.maxSpeakers });
  return blockOf.map((b) => labels[b]);
}

/** Items left in i's group from i on. */
function groupRest(items: readonly OfflineItem[], i: number): number {
  let k = i;
  while (k < items.length && items[k].group === items[i].group) k++;
  return k - i;
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

/** D from the length 1 + D + D(D+1)/2 of a stats vector. */
function dimsOfStats(len: number): number {
  return Math.round((-3 + Math.sqrt(9 + 8 * (len - 1))) / 2);
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
