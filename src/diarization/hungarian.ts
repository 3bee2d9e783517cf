/**
 * Maximum-weight assignment (Hungarian / Kuhn-Munkres, O(n^3)) on a rectangular
 * matrix of non-negative gains. Returns for each row the assigned column or -1.
 */
export function maxWeightAssignment(gain: readonly (readonly number[])[]): number[] {
  const rows = gain.length;
  const cols = rows === 0 ? 0 : gain[0].length;
  if (rows === 0 || cols === 0) return new Array<number>(rows).fill(-1);
  const n = Math.max(rows, cols);
  let maxGain = 0;
  for (const r of gain) for (const v of r) if (v > maxGain) maxGain = v;
  // cost[i][j] = maxGain - gain (padded cells cost maxGain, i.e. gain 0)
  const cost = (i: number, j: number): number => (i < rows && j < cols ? maxGain - gain[i][j] : maxGain);
  const INF = Number.POSITIVE_INFINITY;
  const u = new Float64Array(n + 1);
  const v = new Float64Array(n + 1);
  const p = new Int32Array(n + 1); // p[j] = row matched to column j (1-based)
  const way = new Int32Array(n + 1);
  for (let i = 1; i <= n; i++) {
    p[0] = i;
    let j0 = 0;
    const minv = new Float64Array(n + 1).fill(INF);
    const used = new Uint8Array(n + 1);
    do {
      used[j0] = 1;
      const i0 = p[j0];
      let delta = INF;
      let j1 = 0;
      for (let j = 1; j <= n; j++) {
        if (used[j]) continue;
        const cur = cost(i0 - 1, j - 1) - u[i0] - v[j];
        if (cur < minv[j]) {
          minv[j] = cur;
          way[j] = j0;
        }
        if (minv[j] < delta) {
          delta = minv[j];
          j1 = j;
        }
      }
      for (let j = 0; j <= n; j++) {
        if (used[j]) {
          u[p[j]] += delta;
          v[j] -= delta;
        } else {
          minv[j] -= delta;
        }
      }
      j0 = j1;
    } while (p[j0] !== 0);
    do {
      const j1 = way[j0];
      p[j0] = p[j1];
      j0 = j1;
    } while (j0 !== 0);
  }
  const out = new Array<number>(rows).fill(-1);
  for (let j = 1; j <= n; j++) {
    const i = p[j] - 1;
    if (i >= 0 && i < rows && j - 1 < cols && gain[i][j - 1] > 0) out[i] = j - 1;
  }
  return out;
}
