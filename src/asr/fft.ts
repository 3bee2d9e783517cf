/**
 * Mixed-radix complex FFT (radices 4, 2, 3, 5) in float64, for the Whisper log-mel front
 * end (n_fft = 400 = 4·4·5·5); power-of-two sizes use frontend/real-fft.ts. Recursive
 * decimation in time with precomputed twiddles; no allocation per transform.
 */

export class Fft {
  readonly size: number;
  private readonly factors: number[];
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  private readonly zeros: Float64Array;
  private readonly tRe = new Float64Array(5);
  private readonly tIm = new Float64Array(5);

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 1) throw new RangeError(`FFT size must be a positive integer, got ${size}`);
    this.size = size;
    this.factors = factorize(size);
    this.cos = new Float64Array(size);
    this.sin = new Float64Array(size);
    for (let j = 0; j < size; j++) {
      this.cos[j] = Math.cos((2 * Math.PI * j) / size);
      this.sin[j] = -Math.sin((2 * Math.PI * j) / size);
    }
    this.re = new Float64Array(size);
    this.im = new Float64Array(size);
    this.zeros = new Float64Array(size);
  }

  /**
   * Power spectrum |X[k]|² for k = 0..size/2 of a real frame (length = size).
   * `out` must hold floor(size/2)+1 values.
   */
  powerSpectrum(frame: ArrayLike<number>, out: Float64Array): Float64Array {
    this.transform(frame, this.zeros);
    const half = Math.floor(this.size / 2);
    for (let k = 0; k <= half; k++) out[k] = this.re[k]! * this.re[k]! + this.im[k]! * this.im[k]!;
    return out;
  }

  /** Forward DFT of (inRe, inIm); the result is in `resultRe`/`resultIm` until the next call. */
  transform(inRe: ArrayLike<number>, inIm: ArrayLike<number>): { re: Float64Array; im: Float64Array } {
    this.rec(inRe, inIm, 0, 1, this.size, 0, 0);
    return { re: this.re, im: this.im };
  }

  private rec(inRe: ArrayLike<number>, inIm: ArrayLike<number>, inOff: number, stride: number, n: number, outOff: number, fi: number): void {
    if (n === 1) {
      this.re[outOff] = inRe[inOff]!;
      this.im[outOff] = inIm[inOff]!;
      return;
    }
    const p = this.factors[fi]!;
    const m = n / p;
    for (let q = 0; q < p; q++) this.rec(inRe, inIm, inOff + q * stride, stride * p, m, outOff + q * m, fi + 1);
    // Combine p sub-transforms of length m: X[k + s·m] = Σ_q W_n^{q(k+s·m)} Y_q[k].
    const N = this.size;
    const step = N / n;
    const { re, im, tRe, tIm, cos, sin } = this;
    for (let k = 0; k < m; k++) {
      for (let q = 0; q < p; q++) {
        const idx = outOff + q * m + k;
        const tw = (q * k * step) % N;
        const c = cos[tw]!;
        const s = sin[tw]!;
        tRe[q] = re[idx]! * c - im[idx]! * s;
        tIm[q] = re[idx]! * s + im[idx]! * c;
      }
      for (let sIdx = 0; sIdx < p; sIdx++) {
        let aRe = 0;
        let aIm = 0;
        for (let q = 0; q < p; q++) {
          const tw = ((q * sIdx * m * step) % N);
          const c = cos[tw]!;
          const s = sin[tw]!;
          aRe += tRe[q]! * c - tIm[q]! * s;
          aIm += tRe[q]! * s + tIm[q]! * c;
        }
        re[outOff + k + sIdx * m] = aRe;
        im[outOff + k + sIdx * m] = aIm;
      }
    }
  }
}

function factorize(n: number): number[] {
  const out: number[] = [];
  let r = n;
  for (const f of [4, 2, 3, 5]) {
    while (r % f === 0) {
      out.push(f);
      r /= f;
    }
  }
  if (r !== 1) throw new RangeError(`FFT size ${n} has a prime factor above 5 (${r}); use a size of the form 2^a·3^b·5^c`);
  return out;
}
