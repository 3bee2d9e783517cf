/**
 * Power spectrum of a real frame with a radix-2 FFT: the N real samples are packed into an
 * N/2-point complex FFT (even samples → real, odd → imaginary) and unpacked, which halves the
 * work. Twiddles and the bit-reversal table are precomputed. Float64 throughout.
 */
export class RealFft {
  readonly size: number;
  private readonly half: number;
  private readonly re: Float64Array;
  private readonly im: Float64Array;
  /** Twiddles of the N/2-point FFT. */
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  /** Twiddles e^{-2πik/N} for the unpacking step, k = 0..N/2. */
  private readonly ucos: Float64Array;
  private readonly usin: Float64Array;
  private readonly rev: Uint32Array;

  constructor(size: number) {
    if (size < 4 || (size & (size - 1)) !== 0) throw new RangeError(`FFT size must be a power of two ≥ 4, got ${size}`);
    this.size = size;
    const m = size / 2;
    this.half = m;
    this.re = new Float64Array(m);
    this.im = new Float64Array(m);
    this.cos = new Float64Array(m / 2);
    this.sin = new Float64Array(m / 2);
    for (let k = 0; k < m / 2; k++) {
      this.cos[k] = Math.cos((2 * Math.PI * k) / m);
      this.sin[k] = -Math.sin((2 * Math.PI * k) / m);
    }
    this.ucos = new Float64Array(m + 1);
    this.usin = new Float64Array(m + 1);
    for (let k = 0; k <= m; k++) {
      this.ucos[k] = Math.cos((2 * Math.PI * k) / size);
      this.usin[k] = -Math.sin((2 * Math.PI * k) / size);
    }
    this.rev = new Uint32Array(m);
    const bits = Math.log2(m);
    for (let i = 0; i < m; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.rev[i] = r;
    }
  }

  /**
   * |X[k]|^2 for k = 0..size/2 of the real input `x` (length ≤ size, zero-padded).
   * Writes size/2+1 values into `out`.
   */
  powerSpectrum(x: ArrayLike<number>, out: Float64Array): void {
    const m = this.half;
    const re = this.re;
    const im = this.im;
    const len = x.length;
    for (let i = 0; i < m; i++) {
      const j = this.rev[i];
      re[j] = 2 * i < len ? x[2 * i] : 0;
      im[j] = 2 * i + 1 < len ? x[2 * i + 1] : 0;
    }
    for (let h = 1; h < m; h <<= 1) {
      const step = m / (2 * h);
      for (let start = 0; start < m; start += 2 * h) {
        for (let k = 0; k < h; k++) {
          const wr = this.cos[k * step];
          const wi = this.sin[k * step];
          const a = start + k;
          const b = a + h;
          const tr = re[b] * wr - im[b] * wi;
          const ti = re[b] * wi + im[b] * wr;
          re[b] = re[a] - tr;
          im[b] = im[a] - ti;
          re[a] += tr;
          im[a] += ti;
        }
      }
    }
    for (let k = 0; k <= m; k++) {
      const a = k % m;
      const b = (m - k) % m;
      const zr = re[a];
      const zi = im[a];
      const cr = re[b];
      const ci = -im[b];
      const er = (zr + cr) / 2;
      const ei = (zi + ci) / 2;
      // O = (Z[k] - conj(Z[m-k])) / (2i)
      const or = (zi - ci) / 2;
      const oi = -(zr - cr) / 2;
      const wr = this.ucos[k];
      const wi = this.usin[k];
      const xr = er + wr * or - wi * oi;
      const xi = ei + wr * oi + wi * or;
      out[k] = xr * xr + xi * xi;
    }
  }
}
