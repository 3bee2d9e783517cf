import { cepstra, type CepstralFrames, type CepstralOptions } from './features.js';
import { pitchTrack } from './pitch.js';

/** Weight of the pitch statistics against the cepstral ones (per octave). */
const PITCH_WEIGHT = 6;

/**
 * The built-in speaker embedding (no trained model): per-span statistics of
 * telephone-band MFCCs (c1..c20) — the mean (vocal tract shape, channel) and the
 * standard deviation (articulation dynamics) — 40 dimensions. Raw vectors are
 * comparable across sessions with `scaledDistance`; within a session the clustering
 * removes the channel by centring on the session mean (cepstral mean normalisation
 * at the embedding level) before cosine similarity.
 */
export class BuiltinEmbedder {
  readonly name = 'builtin-cepstral-stats';
  readonly dims: number;
  private readonly opts: CepstralOptions;

  constructor(opts: CepstralOptions = {}) {
    this.opts = opts;
    this.dims = 2 * (opts.ceps ?? 20) + 2;
  }

  analyze(samples: Float32Array): CepstralFrames {
    const c = cepstra(samples, this.opts);
    c.log2F0 = pitchTrack(samples, c.hopSamples, c.frames);
    return c;
  }

  /** Frames per second of `analyze` output. */
  framesPerSecond(c: CepstralFrames): number {
    return 16000 / c.hopSamples;
  }

  /**
   * Statistics of frames [from, to). Frames quieter than 30 dB below the span's
   * loudest are skipped (pauses inside a VAD segment carry no voice).
   */
  pool(c: CepstralFrames, from: number, to: number): Float32Array {
    const D = c.dims;
    const a = Math.max(0, from);
    const b = Math.min(c.frames, to);
    const out = new Float32Array(2 * D + 2);
    if (b <= a) return out;
    let maxE = -Infinity;
    for (let f = a; f < b; f++) if (c.logEnergy[f] > maxE) maxE = c.logEnergy[f];
    const floor = maxE - 6.9; // 30 dB in natural-log power
    const m = new Float64Array(D);
    const q = new Float64Array(D);
    let n = 0;
    for (let f = a; f < b; f++) {
      if (c.logEnergy[f] < floor) continue;
      n++;
      for (let d = 0; d < D; d++) {
        const x = c.mfcc[f * D + d];
        m[d] += x;
        q[d] += x * x;
      }
    }
    for (let d = 0; d < D; d++) {
      const mu = m[d] / n;
      out[d] = mu;
      out[D + d] = Math.sqrt(Math.max(q[d] / n - mu * mu, 1e-8));
    }
    // pitch: mean and spread of log2 F0 over voiced frames (7.5 = log2 of ~180 Hz as a neutral value)
    let pv = 0;
    let ps = 0;
    let pq = 0;
    if (c.log2F0) {
      for (let f = a; f < b; f++) {
        const v = c.log2F0[f];
        if (Number.isNaN(v)) continue;
        pv++;
        ps += v;
        pq += v * v;
      }
    }
    const pm = pv > 0 ? ps / pv : 7.5;
    out[2 * D] = PITCH_WEIGHT * (pm - 7.5);
    out[2 * D + 1] = pv > 1 ? (PITCH_WEIGHT / 2) * Math.sqrt(Math.max(pq / pv - pm * pm, 0)) : 0;
    return out;
  }

  embed(samples: Float32Array): Float32Array {
    const c = this.analyze(samples);
    return this.pool(c, 0, c.frames);
  }
}

/** Root-mean-square difference per dimension between two raw embeddings. */
export function scaledDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return Math.sqrt(s / Math.max(1, a.length));
}
