import { dot, refineKMeans, relabel } from './clustering.js';

/** Eigen-decomposition of a symmetric matrix (cyclic Jacobi). Returns ascending eigenvalues and column eigenvectors. */
export function symmetricEigen(a: Float64Array, n: number, sweeps = 30): { values: Float64Array; vectors: Float64Array } {
  const A = Float64Array.from(a);
  const V = new Float64Array(n * n);
  for (let i = 0; i < n; i++) V[i * n + i] = 1;
  for (let s = 0; s < sweeps; s++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += A[p * n + q] ** 2;
    if (off < 1e-18) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = A[p * n + q];
        if (Math.abs(apq) < 1e-15) continue;
        const theta = (A[q * n + q] - A[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const sn = t * c;
        for (let k = 0; k < n; k++) {
          const akp = A[k * n + p];
          const akq = A[k * n + q];
          A[k * n + p] = c * akp - sn * akq;
          A[k * n + q] = sn * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = A[p * n + k];
          const aqk = A[q * n + k];
          A[p * n + k] = c * apk - sn * aqk;
          A[q * n + k] = sn * apk + c * aqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = V[k * n + p];
          const vkq = V[k * n + q];
          V[k * n + p] = c * vkp - sn * vkq;
          V[k * n + q] = sn * vkp + c * vkq;
        }
      }
    }
  }
  const order = Array.from({ length: n }, (_, i) => i).sort((x, y) => A[x * n + x] - A[y * n + y]);
  const values = Float64Array.from(order, (i) => A[i * n + i]);
  const vectors = new Float64Array(n * n);
  order.forEach((col, j) => {
    for (let k = 0; k < n; k++) vectors[k * n + j] = V[k * n + col];
  });
  return { values, vectors };
}

export interface SpectralOptions {
  numClusters?: number;
  maxClusters: number;
  /** Keep this fraction of the strongest affinities per row (row-wise pruning). */
  keepFraction?: number;
}

/**
 * Spectral clustering of unit vectors: pruned cosine affinity, symmetric normalised
 * Laplacian, the number of clusters from the largest eigengap (unless given), k-means
 * on the row-normalised eigenvectors. Intended for up to a few hundred items.
 */
export function spectral(vecs: readonly Float64Array[], o: SpectralOptions): number[] {
  const n = vecs.length;
  if (n <= 2) return vecs.map((_, i) => (n === 2 && dot(vecs[0], vecs[1]) < 0 ? i : 0));
  const keep = Math.max(2, Math.ceil(n * (o.keepFraction ?? 0.3)));
  const A = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    const row = Array.from({ length: n }, (_, j) => (i === j ? 1 : Math.max(0, dot(vecs[i], vecs[j]))));
    const th = [...row].sort((x, y) => y - x)[Math.min(n - 1, keep)];
    for (let j = 0; j < n; j++) A[i * n + j] = row[j] >= th ? row[j] : 0;
  }
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) A[i * n + j] = A[j * n + i] = (A[i * n + j] + A[j * n + i]) / 2;
  const deg = new Float64Array(n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) deg[i] += A[i * n + j];
  const L = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) L[i * n + j] = (i === j ? 1 : 0) - A[i * n + j] / Math.sqrt(deg[i] * deg[j] || 1);
  const { values, vectors } = symmetricEigen(L, n);
  let K = o.numClusters ?? 1;
  if (o.numClusters === undefined) {
    let gap = -Infinity;
    for (let k = 1; k <= Math.min(o.maxClusters, n - 1); k++) {
      const g = values[k] - values[k - 1];
      if (g > gap) {
        gap = g;
        K = k;
      }
    }
  }
  K = Math.max(1, Math.min(K, o.maxClusters, n));
  if (K === 1) return new Array<number>(n).fill(0);
  const rows = Array.from({ length: n }, (_, i) => {
    const r = Float64Array.from({ length: K }, (_, j) => vectors[i * n + j]);
    const nr = Math.sqrt(dot(r, r)) || 1;
    return r.map((x) => x / nr);
  });
  // farthest-point initialisation, then k-means
  const seeds = [0];
  while (seeds.length < K) {
    let far = 0;
    let fs = Infinity;
    rows.forEach((r, i) => {
      const s = Math.max(...seeds.map((j) => dot(r, rows[j])));
      if (s < fs) {
        fs = s;
        far = i;
      }
    });
    seeds.push(far);
  }
  const init = rows.map((r) => seeds.reduce((best, j, k) => (dot(r, rows[j]) > dot(r, rows[seeds[best]]) ? k : best), 0));
  return relabel(refineKMeans(rows, init, 20));
}
