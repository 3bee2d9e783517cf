/**
 * Cheap pitch track for the built-in embedding: normalised autocorrelation on a
 * 2x-decimated signal (8 kHz), 40 ms frames, 70–400 Hz. Returns log2(F0) per hop
 * (NaN when unvoiced: peak correlation below `voicing`). Computed every `stride`-th
 * hop and held for the hops in between to keep the cost low.
 */
export function pitchTrack(samples: Float32Array, hopSamples: number, frames: number, stride = 2, voicing = 0.45): Float32Array {
  const out = new Float32Array(frames).fill(Number.NaN);
  const n2 = samples.length >> 1;
  const x = new Float32Array(n2);
  for (let i = 0; i < n2; i++) x[i] = 0.5 * (samples[2 * i] + samples[2 * i + 1]);
  const W = 320; // 40 ms at 8 kHz
  const minLag = 20; // 400 Hz
  const maxLag = 114; // 70 Hz
  for (let f = 0; f < frames; f += stride) {
    const start = (f * hopSamples) >> 1;
    if (start + W + maxLag > n2) break;
    let e0 = 0;
    for (let i = 0; i < W; i++) e0 += x[start + i] * x[start + i];
    if (e0 <= 1e-9) continue;
    let best = 0;
    let bestLag = 0;
    for (let lag = minLag; lag <= maxLag; lag++) {
      let c = 0;
      let e1 = 0;
      for (let i = 0; i < W; i++) {
        const y = x[start + i + lag];
        c += x[start + i] * y;
        e1 += y * y;
      }
      const r = c / Math.sqrt(e0 * e1 + 1e-12);
      if (r > best) {
        best = r;
        bestLag = lag;
      }
    }
    if (best >= voicing && bestLag > minLag && bestLag < maxLag) {
      const v = Math.log2(8000 / bestLag);
      for (let k = f; k < Math.min(frames, f + stride); k++) out[k] = v;
    }
  }
  return out;
}
