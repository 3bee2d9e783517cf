import type { BuiltinEmbedder } from './builtin-embedder.js';
import { dot } from './clustering.js';
import type { CepstralFrames } from './features.js';
import { embeddingSpace, type OfflineItem } from './offline-recluster.js';

export interface Run { label: number; first: number; last: number }

/** Consecutive equal labels as runs of indices. */
export function toRuns(labels: readonly number[]): Run[] {
  const runs: Run[] = [];
  labels.forEach((l, i) => {
    const r = runs[runs.length - 1];
    if (r && r.label === l) r.last = i;
    else runs.push({ label: l, first: i, last: i });
  });
  return runs;
}

/**
 * Runs shorter than minFrames (each index stands for `step` frames) are absorbed by
 * their longer neighbour, shortest first; neighbours that end up with the same label
 * are joined. Mutates and returns `runs`.
 */
export function absorbShortRuns(runs: Run[], step: number, minFrames: number): Run[] {
  const len = (r: Run): number => (r.last - r.first + 1) * step;
  for (;;) {
    let shortest = -1;
    runs.forEach((r, i) => {
      if (runs.length > 1 && len(r) < minFrames && (shortest < 0 || len(r) < len(runs[shortest]))) shortest = i;
    });
    if (shortest < 0) return runs;
    const r = runs[shortest];
    const left = runs[shortest - 1];
    const right = runs[shortest + 1];
    const into = !right || (left && len(left) >= len(right)) ? left : right;
    into.first = Math.min(into.first, r.first);
    into.last = Math.max(into.last, r.last);
    runs.splice(shortest, 1);
    for (let i = runs.length - 1; i > 0; i--) {
      if (runs[i].label === runs[i - 1].label) {
        runs[i - 1].last = runs[i].last;
        runs.splice(i, 1);
      }
    }
  }
}

/**
 * Best label path through per-step scores with a constant cost per label switch
 * (Viterbi decoding of an HMM with one state per speaker): maximises
 * sum_t score[t][label_t] - switchPenalty x (number of switches).
 */
export function viterbiPath(scores: readonly Float64Array[], switchPenalty: number): number[] {
  const T = scores.length;
  if (T === 0) return [];
  const K = scores[0].length;
  const back = Array.from({ length: T }, () => new Int32Array(K));
  let acc = Float64Array.from(scores[0]);
  for (let t = 1; t < T; t++) {
    let best = 0;
    for (let k = 1; k < K; k++) if (acc[k] > acc[best]) best = k;
    const next = new Float64Array(K);
    for (let k = 0; k < K; k++) {
      const move = acc[best] - switchPenalty;
      const from = acc[k] >= move ? k : best;
      next[k] = (from === k ? acc[k] : move) + scores[t][k];
      back[t][k] = from;
    }
    acc = next;
  }
  let k = 0;
  for (let j = 1; j < K; j++) if (acc[j] > acc[k]) k = j;
  const path = new Array<number>(T);
  for (let t = T - 1; t >= 0; t--) {
    path[t] = k;
    k = back[t][k];
  }
  return path;
}

export interface ResegmentOptions {
  windowFrames: number;
  hopFrames: number;
  switchPenalty: number;
  /** Shortest piece (and closest cut spacing), in frames. */
  minFrames: number;
}

/**
 * Resegmentation of one speech segment whose long windows were clustered into more than
 * one speaker: short windows (centred every hopFrames) are scored by cosine similarity
 * against the session-centred centroids of the speakers found in the segment, the
 * Viterbi path with a cost per switch labels each step, short runs are absorbed, and
 * the run starts become the cuts (frame indices, sorted). Long windows give reliable
 * centroids; short ones place the boundaries and catch short turns.
 *
 * `items` are the clustered long windows (session context first), `labels` their
 * cluster labels, `curFrom` the index of the segment's first window.
 */
export function resegmentCuts(emb: BuiltinEmbedder, c: CepstralFrames, items: readonly OfflineItem[], labels: readonly number[],
  curFrom: number, o: ResegmentOptions): number[] {
  const space = embeddingSpace(items);
  const present = [...new Set(labels.slice(curFrom))];
  if (present.length < 2) return [];
  const D = space.unit[0].length;
  const cents = present.map((k) => {
    const v = new Float64Array(D);
    labels.forEach((l, i) => {
      if (l === k) for (let d = 0; d < D; d++) v[d] += items[i].durationS * space.unit[i][d];
    });
    const n = Math.sqrt(dot(v, v)) || 1;
    return v.map((x) => x / n);
  });
  const rw = Math.min(o.windowFrames, c.frames);
  const steps = Math.max(1, Math.ceil(c.frames / o.hopFrames));
  const scores: Float64Array[] = [];
  for (let t = 0; t < steps; t++) {
    const a = Math.max(0, Math.min(c.frames - rw, Math.round(t * o.hopFrames + o.hopFrames / 2 - rw / 2)));
    const v = space.project(emb.pool(c, a, a + rw));
    scores.push(Float64Array.from(cents, (ct) => dot(v, ct)));
  }
  const runs = absorbShortRuns(toRuns(viterbiPath(scores, o.switchPenalty)), o.hopFrames, o.minFrames);
  const cuts: number[] = [];
  for (let i = 1; i < runs.length; i++) {
    const t = runs[i].first * o.hopFrames;
    if (t >= o.minFrames && c.frames - t >= o.minFrames && (cuts.length === 0 || t - cuts[cuts.length - 1] >= o.minFrames)) cuts.push(t);
  }
  return cuts;
}
