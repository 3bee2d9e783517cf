import { pickPeaks } from './change-points.js';
import { dot } from './clustering.js';
import { absorbShortRuns, toRuns } from './resegment.js';

/** Frame geometry of a pyannote segmentation model (samples). */
export interface FrameGeometry {
  /** Samples between frame starts (receptive_field_shift). */
  shift: number;
  /** Samples a frame covers (receptive_field_size). */
  size: number;
}

/**
 * Speaker change points inside one segmentation window from its per-frame activity
 * (frames x speakers, 0/1, powerset-decoded). Each frame's label is its single active
 * local speaker; silent and overlapped frames keep the previous label (an overlap is a
 * hand-over, not a third voice). Runs shorter than `minSamples` are absorbed by their
 * longer neighbour; a cut goes at the centre of the first frame of each new run.
 * Returns sample offsets within the window, sorted, each at least `minSamples` from the
 * others and from both ends of [0, lengthSamples).
 */
export function activityCuts(active: Uint8Array, frames: number, speakers: number, g: FrameGeometry, minSamples: number, lengthSamples: number): number[] {
  const labels: number[] = [];
  let last = -1;
  for (let t = 0; t < frames; t++) {
    let on = -1;
    let count = 0;
    for (let s = 0; s < speakers; s++) {
      if (active[t * speakers + s]) {
        on = s;
        count++;
      }
    }
    if (count === 1) last = on;
    labels.push(last);
  }
  // leading undecided frames belong to the first speaker heard
  const first = labels.find((l) => l >= 0);
  if (first === undefined) return [];
  for (let t = 0; t < labels.length && labels[t] < 0; t++) labels[t] = first;
  const centre = (f: number): number => f * g.shift + g.size / 2;
  const minFrames = Math.max(1, Math.round(minSamples / g.shift));
  const runs = absorbShortRuns(toRuns(labels), 1, minFrames);
  const cuts: number[] = [];
  for (let i = 1; i < runs.length; i++) {
    const t = Math.round(centre(runs[i].first));
    if (t >= minSamples && lengthSamples - t >= minSamples && (cuts.length === 0 || t - cuts[cuts.length - 1] >= minSamples)) cuts.push(t);
  }
  return cuts;
}

/**
 * Speaker change points from embeddings of sliding windows (unit vectors of windows
 * starting every `stepSamples`, each `windowSamples` long): at every window boundary the
 * window ending there is compared with the window starting there; local peaks of
 * 1 - cosine at or above `1 - similarity` become cuts, strongest first, at least
 * `minSamples` apart and from the ends. Returns sorted sample offsets.
 */
export function similarityCuts(units: readonly Float64Array[], stepSamples: number, windowSamples: number, similarity: number,
  minSamples: number, lengthSamples: number): number[] {
  const lag = Math.max(1, Math.round(windowSamples / stepSamples));
  const cands: { t: number; score: number }[] = [];
  for (let k = 0; k + lag < units.length; k++) cands.push({ t: (k + lag) * stepSamples, score: 1 - dot(units[k], units[k + lag]) });
  return pickPeaks(cands, 1 - similarity, minSamples, lengthSamples);
}
