/**
 * src/audio/resampler.ts — streaming band-limited resampler (polyphase windowed sinc).
 *
 * Output sample n sits at input time t = n * fromHz / toHz (zero delay: the filter is
 * symmetric and looks ahead `halfTaps` input samples, so `process()` holds back that many
 * input samples until more arrive or `flush()` is called). Chunked processing gives exactly
 * the same samples as one call over the whole signal, because every output is computed
 * from the same absolute input indices with the same coefficients.
 *
 * Filter: Kaiser-windowed sinc, beta 8.6 (stop band about -80 dB), cut-off at `rolloff`
 * times the lower Nyquist frequency, `zeroCrossings` lobes per side. Each polyphase row is
 * normalised to unit DC gain. Rational ratios with up to MAX_TABLE_PHASES phases use a
 * precomputed table; other ratios compute coefficients per output sample (slower, exact).
 */

const MAX_TABLE_PHASES = 1024;
const KAISER_BETA = 8.6;

export interface ResamplerOptions {
  /** Sinc zero crossings on each side of the centre (quality vs. cost). Default 16. */
  zeroCrossings?: number;
  /** Cut-off as a fraction of the lower Nyquist frequency. Default 0.92. */
  rolloff?: number;
}

function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Modified Bessel function of the first kind, order 0 (power series). */
function besselI0(x: number): number {
  let sum = 1;
  let term = 1;
  const q = (x * x) / 4;
  for (let k = 1; k < 60; k++) {
    term *= q / (k * k);
    sum += term;
    if (term < sum * 1e-12) break;
  }
  return sum;
}

export class StreamingResampler {
  readonly fromHz: number;
  readonly toHz: number;
  private readonly up: number; // L
  private readonly down: number; // M
  private readonly half: number; // W' (taps per side)
  private readonly taps: number; // 2W'
  private readonly cutoff: number; // 2*fc in cycles per input sample
  private readonly widthSamples: number; // W (window half-width in input samples)
  private readonly table: Float32Array | undefined;
  private readonly scratch: Float32Array;
  private buf: Float32Array;
  private bufStart: number; // absolute input index of buf[0]
  private inCount = 0; // input samples received
  private outCount = 0; // output samples produced
  private centre = 0; // floor(t_n) for the next output
  private phase = 0; // (n * M) mod L for the next output
  private flushed = false;

  constructor(fromHz: number, toHz: number, opts: ResamplerOptions = {}) {
    if (!Number.isInteger(fromHz) || !Number.isInteger(toHz) || fromHz <= 0 || toHz <= 0) {
      throw new RangeError(`resampler rates must be positive integers (got ${fromHz} -> ${toHz})`);
    }
    this.fromHz = fromHz;
    this.toHz = toHz;
    const g = gcd(fromHz, toHz);
    this.up = toHz / g;
    this.down = fromHz / g;
    const zc = opts.zeroCrossings ?? 16;
    const rolloff = opts.rolloff ?? 0.92;
    this.cutoff = Math.min(1, this.up / this.down) * rolloff;
    this.widthSamples = zc / this.cutoff;
    this.half = Math.ceil(this.widthSamples);
    this.taps = 2 * this.half;
    this.scratch = new Float32Array(this.taps);
    if (this.up <= MAX_TABLE_PHASES && fromHz !== toHz) {
      this.table = new Float32Array(this.up * this.taps);
      for (let p = 0; p < this.up; p++) this.fillRow(p / this.up, this.table.subarray(p * this.taps, (p + 1) * this.taps));
    }
    this.buf = new Float32Array(this.half); // virtual zeros before the first sample
    this.bufStart = -this.half;
  }

  /** Input samples held back waiting for look-ahead. */
  get latencySamples(): number {
    return this.half;
  }

  private fillRow(frac: number, row: Float32Array): void {
    const i0 = besselI0(KAISER_BETA);
    let sum = 0;
    for (let j = 0; j < this.taps; j++) {
      const x = j - (this.half - 1) - frac; // distance from t in input samples
      const r = x / this.widthSamples;
      let v = 0;
      if (Math.abs(r) < 1) {
        const a = Math.PI * this.cutoff * x;
        const sinc = Math.abs(a) < 1e-12 ? 1 : Math.sin(a) / a;
        v = this.cutoff * sinc * (besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / i0);
      }
      row[j] = v;
      sum += v;
    }
    if (sum !== 0) for (let j = 0; j < this.taps; j++) row[j]! /= sum;
  }

  /** Feed a chunk; returns the output samples that are now fully determined. */
  process(chunk: Float32Array): Float32Array {
    if (this.flushed) throw new Error('resampler already flushed; call reset()');
    this.inCount += chunk.length;
    if (this.fromHz === this.toHz) {
      this.outCount += chunk.length;
      return chunk.slice();
    }
    this.append(chunk);
    return this.produce(this.inCount);
  }

  /** End of input: returns the remaining outputs (inputs past the end count as zeros). */
  flush(): Float32Array {
    if (this.flushed) return new Float32Array(0);
    this.flushed = true;
    if (this.fromHz === this.toHz) return new Float32Array(0);
    this.append(new Float32Array(this.half + 1));
    const total = Math.ceil((this.inCount * this.up) / this.down);
    return this.produce(Number.POSITIVE_INFINITY, total);
  }

  /** Forget all state (e.g. after a capture gap), as if newly constructed. */
  reset(): void {
    this.buf = new Float32Array(this.half);
    this.bufStart = -this.half;
    this.inCount = 0;
    this.outCount = 0;
    this.centre = 0;
    this.phase = 0;
    this.flushed = false;
  }

  private append(chunk: Float32Array): void {
    const keepFrom = Math.max(0, this.centre - this.half + 1 - this.bufStart);
    const kept = this.buf.length - keepFrom;
    const next = new Float32Array(kept + chunk.length);
    next.set(this.buf.subarray(keepFrom));
    next.set(chunk, kept);
    this.buf = next;
    this.bufStart += keepFrom;
  }

  private produce(available: number, limit = Number.POSITIVE_INFINITY): Float32Array {
    const bufEnd = this.bufStart + this.buf.length;
    const lastIndex = Math.min(available, bufEnd) - 1; // highest absolute index we may read
    // Count outputs whose look-ahead is available.
    let n = 0;
    {
      let c = this.centre;
      let p = this.phase;
      while (c + this.half <= lastIndex && this.outCount + n < limit) {
        n++;
        p += this.down;
        c += Math.floor(p / this.up);
        p %= this.up;
      }
    }
    const out = new Float32Array(n);
    const buf = this.buf;
    const taps = this.taps;
    for (let k = 0; k < n; k++) {
      const base = this.centre - this.half + 1 - this.bufStart;
      let row: Float32Array;
      let rowOff = 0;
      if (this.table) {
        row = this.table;
        rowOff = this.phase * taps;
      } else {
        this.fillRow(this.phase / this.up, this.scratch);
        row = this.scratch;
      }
      let acc = 0;
      for (let j = 0; j < taps; j++) acc += buf[base + j]! * row[rowOff + j]!;
      out[k] = acc;
      this.phase += this.down;
      this.centre += Math.floor(this.phase / this.up);
      this.phase %= this.up;
    }
    this.outCount += n;
    return out;
  }
}

/** One-shot resample of a whole signal. Output length is ceil(n * toHz / fromHz). */
export function resample(samples: Float32Array, fromHz: number, toHz: number, opts: ResamplerOptions = {}): Float32Array {
  if (fromHz === toHz) return samples.slice();
  const r = new StreamingResampler(fromHz, toHz, opts);
  const a = r.process(samples);
  const b = r.flush();
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
