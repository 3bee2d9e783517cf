/**
 * Ward agglomerative clustering on raw embeddings. The merge cost of clusters A and B
 * is the increase of the within-cluster sum of squares, n_A n_B / (n_A + n_B) |mu_A - mu_B|^2.
 * For two halves of one speaker it stays near the per-window noise variance whatever the
 * cluster sizes, while for two speakers it grows with the amount of speech, so one
 * stopping rule — cost above `stopFactor` x the noise scale — works for any speaker count
 * (including one) without session centring.
 */
export interface WardOptions {
  numClusters?: number;
  /** Stop when the cheapest merge costs more than this many noise scales. */
  stopFactor: number;
  maxClusters: number;
  /** Noise scale (sum of squares units); default `noiseScale(vecs)`. */
  noise?: number;
}

function sqDist(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return s;
}

/** Median over items of half the squared distance to the nearest other item (within-speaker noise estimate). */
export function noiseScale(vecs: readonly ArrayLike<number>[]): number {
  if (vecs.length < 2) return 1;
  const nn = vecs.map((v, i) => {
    let best = Infinity;
    for (let j = 0; j < vecs.length; j++) if (j !== i) best = Math.min(best, sqDist(v, vecs[j]));
    return best / 2;
  });
  nn.sort((a, b) => a - b);
  return Math.max(nn[Math.floor(nn.length / 2)], 1e-9);
}

export function ward(vecs: readonly ArrayLike<number>[], o: WardOptions): number[] {
  const n = vecs.length;
  if (n === 0) return [];
  const noise = o.noise ?? noiseScale(vecs);
  // W(a,b) = 2 n_a n_b / (n_a + n_b) |mu_a - mu_b|^2 (Lance-Williams form); merge cost = W / 2
  const W = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = sqDist(vecs[i], vecs[j]);
      W[i * n + j] = d;
      W[j * n + i] = d;
    }
  }
  const size = new Float64Array(n).fill(1);
  const active = new Uint8Array(n).fill(1);
  const parent = Int32Array.from({ length: n }, (_, i) => i);
  const bestIdx = new Int32Array(n).fill(-1);
  const bestW = new Float64Array(n).fill(Infinity);
  const rescan = (i: number): void => {
    bestIdx[i] = -1;
    bestW[i] = Infinity;
    for (let k = 0; k < n; k++) {
      if (k !== i && active[k] && W[i * n + k] < bestW[i]) {
        bestW[i] = W[i * n + k];
        bestIdx[i] = k;
      }
    }
  };
  for (let i = 0; i < n; i++) rescan(i);
  let count = n;
  const target = o.numClusters !== undefined ? Math.max(1, Math.min(o.numClusters, n)) : 1;
  while (count > target) {
    let a = -1;
    for (let i = 0; i < n; i++) if (active[i] && bestIdx[i] >= 0 && (a < 0 || bestW[i] < bestW[a])) a = i;
    if (a < 0) break;
    if (o.numClusters === undefined && bestW[a] / 2 > o.stopFactor * noise && count <= o.maxClusters) break;
    const b = bestIdx[a];
    const na = size[a];
    const nb = size[b];
    const wab = W[a * n + b];
    for (let k = 0; k < n; k++) {
      if (!active[k] || k === a || k === b) continue;
      const nk = size[k];
      const v = ((nk + na) * W[k * n + a] + (nk + nb) * W[k * n + b] - nk * wab) / (nk + na + nb);
      W[a * n + k] = v;
      W[k * n + a] = v;
    }
    active[b] = 0;
    parent[b] = a;
    size[a] = na + nb;
    count--;
    for (let k = 0; k < n; k++) {
      if (!active[k] || k === a) continue;
      if (bestIdx[k] === a || bestIdx[k] === b) rescan(k);
      else if (W[k * n + a] < bestW[k]) {
        bestW[k] = W[k * n + a];
        bestIdx[k] = a;
      }
    }
    rescan(a);
  }
  const root = (i: number): number => {
    while (parent[i] !== i) i = parent[i];
    return i;
  };
  const map = new Map<number, number>();
  return Array.from({ length: n }, (_, i) => {
    const r = root(i);
    if (!map.has(r)) map.set(r, map.size);
    return map.get(r)!;
  });
}
