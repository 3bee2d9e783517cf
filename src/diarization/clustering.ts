/**
 * Offline clustering of speaker embeddings: agglomerative (average or centroid
 * linkage, cosine) with a stopping threshold or a known count, optional spectral
 * clustering with the eigengap, and a weighted k-means refinement.
 */
export interface AgglomerativeOptions {
  /** Stop merging when the best similarity falls below this (ignored when numClusters is set). */
  threshold: number;
  numClusters?: number;
  maxClusters: number;
  linkage?: 'average' | 'centroid';
  /** Item weights (e.g. durations); default 1. */
  weights?: readonly number[];
}

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function unit(v: Float64Array): Float64Array {
  const n = Math.sqrt(dot(v, v));
  if (n > 0) for (let i = 0; i < v.length; i++) v[i] /= n;
  return v;
}

/** Vectors centred on a weighted mean and L2-normalised, and the map that puts another vector into the same space. */
export interface CentredSpace {
  unit: Float64Array[];
  project(v: ArrayLike<number>): Float64Array;
}

/** Subtract the weighted mean and L2-normalise (session-level channel normalisation). */
export function centredSpace(vecs: readonly ArrayLike<number>[], weights?: readonly number[]): CentredSpace {
  const D = vecs.length > 0 ? vecs[0].length : 0;
  const mean = new Float64Array(D);
  let wsum = 0;
  vecs.forEach((v, i) => {
    const w = weights?.[i] ?? 1;
    wsum += w;
    for (let d = 0; d < D; d++) mean[d] += w * v[d];
  });
  for (let d = 0; d < D; d++) mean[d] /= wsum || 1;
  const project = (v: ArrayLike<number>): Float64Array => unit(Float64Array.from({ length: D }, (_, d) => v[d] - mean[d]));
  return { unit: vecs.map(project), project };
}

export function centerAndNormalize(vecs: readonly ArrayLike<number>[], weights?: readonly number[]): Float64Array[] {
  return centredSpace(vecs, weights).unit;
}

/** Agglomerative clustering of unit vectors; returns labels 0..K-1 ordered by first appearance. */
export function agglomerative(vecs: readonly Float64Array[], o: AgglomerativeOptions): number[] {
  const n = vecs.length;
  if (n === 0) return [];
  const linkage = o.linkage ?? 'average';
  const w = Float64Array.from({ length: n }, (_, i) => o.weights?.[i] ?? 1);
  const size = new Float64Array(n);
  const sums = linkage === 'centroid' ? vecs.map((v, i) => Float64Array.from(v, (x) => x * w[i])) : [];
  const S = new Float32Array(n * n);
  for (let i = 0; i < n; i++) {
    size[i] = w[i];
    for (let j = i + 1; j < n; j++) {
      const s = dot(vecs[i], vecs[j]);
      S[i * n + j] = s;
      S[j * n + i] = s;
    }
  }
  const active = new Uint8Array(n).fill(1);
  const members: number[][] = Array.from({ length: n }, (_, i) => [i]);
  const bestIdx = new Int32Array(n).fill(-1);
  const bestSim = new Float64Array(n).fill(-Infinity);
  const rescan = (i: number): void => {
    bestIdx[i] = -1;
    bestSim[i] = -Infinity;
    for (let k = 0; k < n; k++) {
      if (k === i || !active[k]) continue;
      const s = S[i * n + k];
      if (s > bestSim[i]) {
        bestSim[i] = s;
        bestIdx[i] = k;
      }
    }
  };
  for (let i = 0; i < n; i++) rescan(i);
  let count = n;
  const target = o.numClusters !== undefined ? Math.max(1, Math.min(o.numClusters, n)) : 1;
  while (count > target) {
    let a = -1;
    for (let i = 0; i < n; i++) if (active[i] && bestIdx[i] >= 0 && (a < 0 || bestSim[i] > bestSim[a])) a = i;
    if (a < 0) break;
    const sim = bestSim[a];
    if (o.numClusters === undefined && sim < o.threshold && count <= o.maxClusters) break;
    const b = bestIdx[a];
    // merge b into a
    active[b] = 0;
    members[a].push(...members[b]);
    members[b] = [];
    if (linkage === 'centroid') {
      for (let d = 0; d < sums[a].length; d++) sums[a][d] += sums[b][d];
      const na = Math.sqrt(dot(sums[a], sums[a])) || 1;
      for (let k = 0; k < n; k++) {
        if (!active[k] || k === a) continue;
        const s = dot(sums[a], sums[k]) / (na * (Math.sqrt(dot(sums[k], sums[k])) || 1));
        S[a * n + k] = s;
        S[k * n + a] = s;
      }
    } else {
      const wa = size[a];
      const wb = size[b];
      for (let k = 0; k < n; k++) {
        if (!active[k] || k === a) continue;
        const s = (wa * S[a * n + k] + wb * S[b * n + k]) / (wa + wb);
        S[a * n + k] = s;
        S[k * n + a] = s;
      }
    }
    size[a] += size[b];
    count--;
    for (let k = 0; k < n; k++) {
      if (!active[k] || k === a) continue;
      if (bestIdx[k] === a || bestIdx[k] === b) rescan(k);
      else if (S[k * n + a] > bestSim[k]) {
        bestSim[k] = S[k * n + a];
        bestIdx[k] = a;
      }
    }
    rescan(a);
  }
  const labels = new Array<number>(n).fill(0);
  members.forEach((m, c) => {
    for (const i of m) labels[i] = c;
  });
  return relabel(labels);
}

/** Renumber labels 0..K-1 in order of first appearance. */
export function relabel(labels: readonly number[]): number[] {
  const map = new Map<number, number>();
  return labels.map((l) => {
    if (!map.has(l)) map.set(l, map.size);
    return map.get(l)!;
  });
}

/** Weighted cosine k-means refinement starting from `labels`; returns refined labels. */
export function refineKMeans(vecs: readonly Float64Array[], labels: readonly number[], iterations = 5, weights?: readonly number[]): number[] {
  let lab = [...labels];
  const K = Math.max(-1, ...lab) + 1;
  if (K <= 1 || vecs.length === 0) return lab;
  const D = vecs[0].length;
  for (let it = 0; it < iterations; it++) {
    const cents = Array.from({ length: K }, () => new Float64Array(D));
    vecs.forEach((v, i) => {
      const wt = weights?.[i] ?? 1;
      for (let d = 0; d < D; d++) cents[lab[i]][d] += wt * v[d];
    });
    cents.forEach(unit);
    const next = vecs.map((v) => {
      let best = 0;
      let bs = -Infinity;
      for (let k = 0; k < K; k++) {
        if (dot(cents[k], cents[k]) === 0) continue;
        const s = dot(v, cents[k]);
        if (s > bs) {
          bs = s;
          best = k;
        }
      }
      return best;
    });
    if (next.every((x, i) => x === lab[i])) break;
    lab = next;
  }
  return relabel(lab);
}
