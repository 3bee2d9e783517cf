import { scaledDistance } from './builtin-embedder.js';

export interface OnlineSpeaker {
  id: number;
  /** Weighted mean of raw embeddings. */
  centroid: Float64Array;
  /** Seconds of speech folded in (capped so centroids keep adapting and memory stays flat). */
  weightS: number;
  totalS: number;
}

export interface OnlineOptions {
  threshold: number;
  maxSpeakers: number;
  /** Pieces shorter than this never create a speaker; they join the nearest (preferring the previous one). */
  minNewSpeakerS: number;
  /** Cap on the weight of a centroid, seconds. */
  centroidCapS?: number;
}

export interface OnlineDecision {
  id: number;
  distance: number;
  created: boolean;
}

/**
 * Incremental clustering against session speaker centroids: join the nearest speaker
 * below the threshold, else create one (up to maxSpeakers). Label-churn protection:
 * short pieces never create speakers and stay with the previous speaker unless another
 * one is clearly closer.
 */
export class OnlineClusterer {
  readonly speakers: OnlineSpeaker[] = [];
  private lastId = -1;
  constructor(private readonly o: OnlineOptions) {}

  /**
   * `exclude`: a speaker the piece cannot be (the one before a change point inside the
   * same segment); the piece then joins another speaker or creates one, and only joins
   * the excluded one when no other is possible (maxSpeakers reached and none other exists).
   */
  assign(vec: ArrayLike<number>, durationS: number, exclude = -1): OnlineDecision {
    let best = -1;
    let bestD = Infinity;
    for (const s of this.speakers) {
      if (s.id === exclude) continue;
      const d = scaledDistance(vec, s.centroid);
      if (d < bestD) {
        bestD = d;
        best = s.id;
      }
    }
    const short = durationS < this.o.minNewSpeakerS && exclude < 0;
    if (short && this.lastId >= 0 && best !== this.lastId) {
      const prev = this.speakers[this.lastId];
      const dPrev = scaledDistance(vec, prev.centroid);
      if (dPrev < bestD * 1.15) {
        best = prev.id;
        bestD = dPrev;
      }
    }
    let created = false;
    if (best < 0 && exclude >= 0 && this.speakers.length >= this.o.maxSpeakers) {
      best = exclude;
      bestD = scaledDistance(vec, this.speakers[exclude].centroid);
    }
    if (best < 0 || (!short && bestD >= this.o.threshold && this.speakers.length < this.o.maxSpeakers)) {
      best = this.speakers.length;
      this.speakers.push({ id: best, centroid: new Float64Array(vec.length), weightS: 0, totalS: 0 });
      bestD = 0;
      created = true;
    }
    const s = this.speakers[best];
    if (!short || created) this.fold(s, vec, Math.max(durationS, 0.01));
    s.totalS += durationS;
    this.lastId = best;
    return { id: best, distance: bestD, created };
  }

  private fold(s: OnlineSpeaker, vec: ArrayLike<number>, w: number): void {
    const cap = this.o.centroidCapS ?? 120;
    const old = Math.min(s.weightS, cap);
    for (let d = 0; d < vec.length; d++) s.centroid[d] = (s.centroid[d] * old + vec[d] * w) / (old + w);
    s.weightS = old + w;
  }
}
