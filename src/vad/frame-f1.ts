/**
 * src/vad/frame-f1.ts — frame-level VAD scoring: precision, recall and F1 of a set of
 * hypothesis speech intervals against reference intervals (e.g. the union of RTTM
 * turns), both rasterised on a fixed frame grid (10 ms by default). A frame counts as
 * speech when its centre lies inside an interval. Pure.
 */
import type { Turn } from '../diarization/rttm.js';
export interface Interval {
  /** Seconds. */
  start: number;
  end: number;
}

export interface FrameScore {
  precision: number;
  recall: number;
  f1: number;
  frames: number;
  truePositive: number;
  falsePositive: number;
  falseNegative: number;
}

/** Rasterise intervals to a boolean frame mask covering `durationS`. */
export function rasterise(intervals: readonly Interval[], durationS: number, frameS = 0.01): Uint8Array {
  if (!(frameS > 0) || !(durationS >= 0)) throw new RangeError('frameS must be > 0 and durationS ≥ 0');
  const n = Math.round(durationS / frameS);
  const mask = new Uint8Array(n);
  for (const iv of intervals) {
    if (!(iv.end >= iv.start)) throw new RangeError(`interval end ${iv.end} before start ${iv.start}`);
    // frame k is speech when its centre (k + 0.5)·frameS lies in [start, end)
    const first = Math.max(0, Math.ceil(iv.start / frameS - 0.5));
    const last = Math.min(n - 1, Math.ceil(iv.end / frameS - 0.5) - 1);
    for (let k = first; k <= last; k++) mask[k] = 1;
  }
  return mask;
}

/** Frame-level precision/recall/F1 of `hyp` against `ref` over `durationS` seconds. */
export function frameF1(ref: readonly Interval[], hyp: readonly Interval[], durationS: number, frameS = 0.01): FrameScore {
  const r = rasterise(ref, durationS, frameS);
  const h = rasterise(hyp, durationS, frameS);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (let k = 0; k < r.length; k++) {
    if (r[k] && h[k]) tp++;
    else if (h[k]) fp++;
    else if (r[k]) fn++;
  }
  const precision = tp + fp === 0 ? (fn === 0 ? 1 : 0) : tp / (tp + fp);
  const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
  const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { precision, recall, f1, frames: r.length, truePositive: tp, falsePositive: fp, falseNegative: fn };
}

/** Reference speech intervals (seconds) of RTTM turns; parse the file with `parseRttm` from diarization/rttm.ts. */
export function turnIntervals(turns: readonly Turn[]): (Interval & { speaker: string })[] {
  return turns.map((t) => ({ start: t.startS, end: t.startS + t.durationS, speaker: t.speaker }));
}
