import type { BuiltinEmbedder } from './builtin-embedder.js';
import { scaledDistance } from './builtin-embedder.js';
import type { CepstralFrames } from './features.js';

export interface ChangePointOptions {
  /** Context on each side of a candidate point, in frames. */
  contextFrames: number;
  /** Step between candidates, in frames. */
  hopFrames: number;
  /** Minimum piece length, in frames (also the minimum spacing of change points). */
  minFrames: number;
  threshold: number;
}

/**
 * Sliding-window change detector: at every candidate frame t the statistics of
 * [t-context, t) and [t, t+context) are compared; local peaks of the distance above
 * the threshold become change points, strongest first, keeping every piece at least
 * `minFrames` long. Returns sorted frame indices.
 */
export function detectChangePoints(emb: BuiltinEmbedder, c: CepstralFrames, o: ChangePointOptions): number[] {
  const L = o.contextFrames;
  const cands: { t: number; score: number }[] = [];
  for (let t = L; t + L <= c.frames; t += o.hopFrames) {
    cands.push({ t, score: scaledDistance(emb.pool(c, t - L, t), emb.pool(c, t, t + L)) });
  }
  return pickPeaks(cands, o.threshold, o.minFrames, c.frames);
}

/**
 * Change points from scored candidates (any unit): local maxima at or above `threshold`,
 * strongest first, each at least `minSpacing` from the others and from both ends of
 * [0, length). Returns sorted positions.
 */
export function pickPeaks(cands: readonly { t: number; score: number }[], threshold: number, minSpacing: number, length: number): number[] {
  const peaks = cands.filter((x, i) => x.score >= threshold
    && (i === 0 || cands[i - 1].score <= x.score) && (i === cands.length - 1 || cands[i + 1].score < x.score));
  const chosen: number[] = [];
  for (const p of [...peaks].sort((a, b) => b.score - a.score)) {
    if (p.t < minSpacing || length - p.t < minSpacing) continue;
    if (chosen.every((t) => Math.abs(t - p.t) >= minSpacing)) chosen.push(p.t);
  }
  return chosen.sort((a, b) => a - b);
}
