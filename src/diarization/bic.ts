import type { CepstralFrames } from './features.js';

/**
 * Full-covariance Gaussian statistics of cepstral frames and the Bayesian information
 * criterion for "one voice or two" (Chen & Gopalakrishnan 1998, the criterion behind
 * classic BIC speaker clustering). Unlike a cosine threshold on session-centred
 * embeddings, ΔBIC compares the likelihood of one Gaussian for both sets against one
 * Gaussian each, penalised by the number of extra parameters, so its zero point does
 * not move with the number of speakers in the session.
 *
 * Stats layout (Float64Array): [n, sum_0..sum_{D-1}, upper triangle of sum x x^T row by row].
 */
export function statsLength(D: number): number {
  return 1 + D + (D * (D + 1)) / 2;
}

/** Sufficient statistics of frames [from, to) whose log energy is at least `floor`. */
export function frameStats(c: CepstralFrames, from: number, to: number, floor: number): Float64Array {
  const D = c.dims;
  const out = new Float64Array(statsLength(D));
  for (let f = Math.max(0, from); f < Math.min(c.frames, to); f++) {
    if (c.logEnergy[f] < floor) continue;
    out[0]++;
    let k = 1 + D;
    for (let i = 0; i < D; i++) {
      const x = c.mfcc[f * D + i];
      out[1 + i] += x;
      for (let j = i; j < D; j++) out[k++] += x * c.mfcc[f * D + j];
    }
  }
  return out;
}

/** Adds b into a (same layout). */
export function addStats(a: Float64Array, b: ArrayLike<number>): Float64Array {
  for (let i = 0; i < a.length; i++) a[i] += b[i];
  return a;
}

/** log determinant of the maximum-likelihood covariance of `st` (plus a tiny ridge), by Cholesky; -Infinity when n < 1. */
export function logDetCovariance(st: ArrayLike<number>, D: number): number {
  const n = st[0];
  if (n < 1) return -Infinity;
  const C = new Float64Array(D * D);
  let k = 1 + D;
  for (let i = 0; i < D; i++) {
    for (let j = i; j < D; j++) {
      const v = st[k++] / n - (st[1 + i] / n) * (st[1 + j] / n);
      C[i * D + j] = v;
      C[j * D + i] = v;
    }
  }
  for (let i = 0; i < D; i++) C[i * D + i] += 1e-6;
  let logDet = 0;
  for (let j = 0; j < D; j++) {
    let d = C[j * D + j];
    for (let p = 0; p < j; p++) d -= C[j * D + p] ** 2;
    if (d <= 1e-12) d = 1e-12;
    const l = Math.sqrt(d);
    C[j * D + j] = l;
    logDet += 2 * Math.log(l);
    for (let i = j + 1; i < D; i++) {
      let s = C[i * D + j];
      for (let p = 0; p < j; p++) s -= C[i * D + p] * C[j * D + p];
      C[i * D + j] = s / l;
    }
  }
  return logDet;
}

/**
 * ΔBIC of modelling a and b as two Gaussians rather than one, per frame of the union:
 * above 0 means two voices are the better explanation. `lambda` weighs the penalty
 * (1 is the theoretical value). `logDetA`/`logDetB` may be passed when already known.
 */
export function deltaBic(a: ArrayLike<number>, b: ArrayLike<number>, D: number, lambda: number,
  logDetA = logDetCovariance(a, D), logDetB = logDetCovariance(b, D)): number {
  const na = a[0];
  const nb = b[0];
  const n = na + nb;
  if (na < 1 || nb < 1) return -Infinity;
  const m = Float64Array.from(a, (x, i) => x + b[i]);
  const P = 0.5 * (D + (D * (D + 1)) / 2) * Math.log(n);
  const gain = 0.5 * (n * logDetCovariance(m, D) - na * logDetA - nb * logDetB);
  return (gain - lambda * P) / n;
}

export interface BicMergeOptions {
  lambda: number;
  /** Never keep more than this many clusters. */
  maxClusters: number;
}

/**
 * Agglomerative clustering by ΔBIC: the pair with the lowest ΔBIC merges while it is
 * below 0 (and while there are more than maxClusters). Inputs with no frames join the
 * largest cluster. Returns a label per input, 0..K-1 by first appearance.
 */
export function bicMerge(stats: readonly Float64Array[], D: number, o: BicMergeOptions): number[] {
  const n = stats.length;
  if (n === 0) return [];
  const st = stats.map((s) => Float64Array.from(s));
  const active = Uint8Array.from(st, (s) => (s[0] > 0 ? 1 : 0));
  const logDet = st.map((s) => (s[0] > 0 ? logDetCovariance(s, D) : 0));
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const best = new Int32Array(n).fill(-1);
  const bestD = new Float64Array(n).fill(Infinity);
  const pair = (i: number, j: number): number => deltaBic(st[i], st[j], D, o.lambda, logDet[i], logDet[j]);
  const rescan = (i: number): void => {
    best[i] = -1;
    bestD[i] = Infinity;
    for (let j = 0; j < n; j++) {
      if (j === i || !active[j]) continue;
      const d = pair(i, j);
      if (d < bestD[i]) {
        bestD[i] = d;
        best[i] = j;
      }
    }
  };
  let count = 0;
  for (let i = 0; i < n; i++) if (active[i]) count++;
  for (let i = 0; i < n; i++) if (active[i]) rescan(i);
  while (count > 1) {
    let a = -1;
    for (let i = 0; i < n; i++) if (active[i] && best[i] >= 0 && (a < 0 || bestD[i] < bestD[a])) a = i;
    if (a < 0 || (bestD[a] >= 0 && count <= o.maxClusters)) break;
    const b = best[a];
    addStats(st[a], st[b]);
    logDet[a] = logDetCovariance(st[a], D);
    active[b] = 0;
    parent[b] = a;
    count--;
    rescan(a);
    for (let k = 0; k < n; k++) {
      if (!active[k] || k === a) continue;
      if (best[k] === a || best[k] === b) rescan(k);
      else {
        const d = pair(k, a);
        if (d < bestD[k]) {
          bestD[k] = d;
          best[k] = a;
        }
      }
    }
  }
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i];
    return i;
  };
  let largest = -1;
  for (let i = 0; i < n; i++) if (active[i] && (largest < 0 || st[i][0] > st[largest][0])) largest = i;
  const map = new Map<number, number>();
  return stats.map((s, i) => {
    const r = s[0] > 0 ? root(i) : Math.max(0, largest);
    if (!map.has(r)) map.set(r, map.size);
    return map.get(r)!;
  });
}
