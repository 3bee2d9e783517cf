import { cepstra, type CepstralFrames, type CepstralOptions } from './features.js';

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
    this.dims = 2 * (opts.ceps ?? 20);
  }

  analyze(samples: Float32Array): CepstralFrames {
    return cepstra(samples, this.opts);
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
    const out = new Float32Array(2 * D);
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
