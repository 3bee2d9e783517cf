/**
 * Kaldi-compatible log-mel filterbank ("fbank") features, in TypeScript.
 *
 * STABLE API (used by the transducer ASR engines and by speaker embeddings):
 *
 *   kaldiFbank(samples, opts?) → { frames, bins, data }
 *     samples: 16 kHz mono Float32Array in [-1, 1].
 *     data:    Float32Array, row-major frames × bins (log mel energies; with useEnergy the
 *              raw log energy is column 0 and bins = numBins + 1).
 *
 *   new OnlineFbank(opts?)  — streaming: accept(chunk) returns the frames that became ready,
 *     finish() returns the rest. Concatenating everything equals kaldiFbank() on the whole input.
 *
 * Semantics follow `torchaudio.compliance.kaldi.fbank` (which Kaldi, kaldi-native-fbank and
 * sherpa-onnx mirror): frames of frameLengthMs every frameShiftMs; per frame DC removal,
 * pre-emphasis x[i] - preemph*x[i-1] (x[-1] = x[0]), window (povey = hann^0.85), zero-padding
 * to the next power of two (512 at 16 kHz), power spectrum, triangular mel banks on the
 * 1127·ln(1+f/700) scale between lowFreq and highFreq (highFreq ≤ 0 means nyquist + highFreq),
 * log(max(energy, FLT_EPSILON)). snipEdges=false centres frames (first sample of frame i is
 * i·shift + shift/2 − length/2) and reflects at both edges, like Kaldi.
 *
 * Sample scaling (be explicit): torchaudio/Kaldi use the numbers they are given. sherpa-onnx
 * feeds [-1,1] samples unchanged when `normalize_samples` is true (transducers, Whisper-free
 * fbank models trained with lhotse/icefall) and multiplies by 32768 when it is false (some
 * WeNet/Paraformer/speaker-embedding exports). Set `scaleTo32768: true` for the latter.
 * The presets below name the two settings used in this project.
 *
 * Only dither = 0 is supported (deterministic features; sherpa-onnx also uses 0).
 */
import { RealFft } from './real-fft.js';
import { buildLibrosaMelBanks, buildMelBanks, type MelBank } from './mel-banks.js';

export interface FbankOptions {
  /** Number of mel bins (default 80). */
  numBins?: number;
  /** Frame length in ms (default 25). */
  frameLengthMs?: number;
  /** Frame shift in ms (default 10). */
  frameShiftMs?: number;
  /** Only 0 is supported. */
  dither?: 0;
  /** Only complete frames (torchaudio/Kaldi default true); false = centred frames, reflected edges. */
  snipEdges?: boolean;
  /** Pre-emphasis coefficient (default 0.97). */
  preemph?: number;
  /** Subtract each frame's mean before pre-emphasis (default true). */
  removeDcOffset?: boolean;
  /** Window function (default 'povey'). */
  window?: 'povey' | 'hann' | 'hamming' | 'rectangular';
  /** Lowest mel bank edge in Hz (default 20). */
  lowFreq?: number;
  /** Highest mel bank edge in Hz; ≤ 0 is relative to nyquist (default 0 = nyquist). */
  highFreq?: number;
  /** Prepend raw log energy as column 0 (default false). */
  useEnergy?: boolean;
  /** Multiply the [-1,1] input by 32768 first (default false). */
  scaleTo32768?: boolean;
  /** Sample rate in Hz (default 16000). */
  sampleRateHz?: number;
  /** 'kaldi' triangular banks on the 1127·ln(1+f/700) scale (default) or 'librosa' (Slaney scale + norm). */
  melBanks?: 'kaldi' | 'librosa';
}

export interface FbankResult {
  frames: number;
  bins: number;
  /** Row-major frames × bins. */
  data: Float32Array;
}

/** sherpa-onnx FeatureExtractor as used by its transducer (Zipformer/Parakeet fbank) models. */
export const SHERPA_TRANSDUCER_FBANK: Readonly<FbankOptions> = Object.freeze({
  numBins: 80, snipEdges: false, highFreq: -400, lowFreq: 20, scaleTo32768: false,
});

/**
 * NeMo (Parakeet) features as kaldi-native-fbank computes them for sherpa-onnx NeMo exports
 * (`is_librosa`): hann window, no DC removal, librosa Slaney banks from 0 Hz to Nyquist. The NeMo
 * runner then applies per-feature normalisation. numBins comes from the model (80 or 128).
 */
export const NEMO_FBANK: Readonly<FbankOptions> = Object.freeze({
  numBins: 80, snipEdges: false, lowFreq: 0, highFreq: 0, removeDcOffset: false, window: 'hann', melBanks: 'librosa', scaleTo32768: false,
});

/** Plain torchaudio.compliance.kaldi.fbank defaults on 16-bit-range samples. */
export const KALDI_INT16_FBANK: Readonly<FbankOptions> = Object.freeze({ numBins: 80, scaleTo32768: true });

const FLT_EPSILON = 1.1920928955078125e-7;

/** Precomputed tables and the per-frame computation shared by the one-shot and online paths. */
export class FbankComputer {
  readonly windowSize: number;
  readonly windowShift: number;
  readonly numBins: number;
  readonly dim: number;
  readonly snipEdges: boolean;
  private readonly scale: number;
  private readonly preemph: number;
  private readonly removeDc: boolean;
  private readonly useEnergy: boolean;
  private readonly windowFn: Float64Array;
  private readonly fft: RealFft;
  private readonly banks: MelBank[];
  private readonly frame: Float64Array;
  private readonly power: Float64Array;

  constructor(opts: FbankOptions = {}) {
    const fs = opts.sampleRateHz ?? 16000;
    if (opts.dither !== undefined && opts.dither !== 0) throw new RangeError('kaldiFbank: only dither = 0 is supported');
    this.windowSize = Math.trunc((fs * (opts.frameLengthMs ?? 25)) / 1000);
    this.windowShift = Math.trunc((fs * (opts.frameShiftMs ?? 10)) / 1000);
    if (this.windowSize < 2 || this.windowShift < 1) throw new RangeError('kaldiFbank: frame length/shift too small');
    this.numBins = opts.numBins ?? 80;
    this.useEnergy = opts.useEnergy ?? false;
    this.dim = this.numBins + (this.useEnergy ? 1 : 0);
    this.snipEdges = opts.snipEdges ?? true;
    this.scale = opts.scaleTo32768 ? 32768 : 1;
    this.preemph = opts.preemph ?? 0.97;
    if (!(this.preemph >= 0 && this.preemph <= 1)) throw new RangeError('kaldiFbank: preemph must be in [0,1]');
    this.removeDc = opts.removeDcOffset ?? true;
    let padded = 1;
    while (padded < this.windowSize) padded <<= 1;
    this.fft = new RealFft(padded);
    this.windowFn = makeWindow(opts.window ?? 'povey', this.windowSize);
    this.banks = (opts.melBanks ?? 'kaldi') === 'librosa'
      ? buildLibrosaMelBanks(this.numBins, padded, fs, opts.lowFreq ?? 20, opts.highFreq ?? 0)
      : buildMelBanks(this.numBins, padded, fs, opts.lowFreq ?? 20, opts.highFreq ?? 0);
    this.frame = new Float64Array(this.windowSize);
    this.power = new Float64Array(padded / 2 + 1);
  }

  /** First sample index of frame i (may be negative with snipEdges=false). */
  firstSample(i: number): number {
    return this.snipEdges ? i * this.windowShift : i * this.windowShift + Math.trunc(this.windowShift / 2) - Math.trunc(this.windowSize / 2);
  }

  /** Number of frames for numSamples; flush=false counts only frames whose window lies inside the input. */
  numFrames(numSamples: number, flush: boolean): number {
    const w = this.windowSize;
    const s = this.windowShift;
    if (this.snipEdges) return numSamples < w ? 0 : 1 + Math.floor((numSamples - w) / s);
    let n = Math.floor((numSamples + Math.trunc(s / 2)) / s);
    if (flush) return n;
    while (n > 0 && this.firstSample(n - 1) + w > numSamples) n--;
    return n;
  }

  /**
   * Compute frame `index` into out[offset .. offset+dim). `sample(g)` returns the input sample at
   * global index g (0 ≤ g < total); indices outside are reflected Kaldi-style.
   */
  computeFrame(index: number, total: number, sample: (g: number) => number, out: Float32Array, offset: number): void {
    const w = this.windowSize;
    const f = this.frame;
    const start = this.firstSample(index);
    let sum = 0;
    const inside = start >= 0 && start + w <= total;
    for (let j = 0; j < w; j++) {
      let g = start + j;
      if (!inside) while (g < 0 || g >= total) g = g < 0 ? -g - 1 : 2 * total - 1 - g;
      const v = sample(g) * this.scale;
      f[j] = v;
      sum += v;
    }
    if (this.removeDc) {
      const mean = sum / w;
      for (let j = 0; j < w; j++) f[j] -= mean;
    }
    let energy = 0;
    if (this.useEnergy) {
      for (let j = 0; j < w; j++) energy += f[j] * f[j];
    }
    if (this.preemph !== 0) {
      for (let j = w - 1; j > 0; j--) f[j] -= this.preemph * f[j - 1];
      f[0] -= this.preemph * f[0];
    }
    for (let j = 0; j < w; j++) f[j] *= this.windowFn[j];
    this.fft.powerSpectrum(f, this.power);
    let o = offset;
    if (this.useEnergy) out[o++] = Math.log(Math.max(energy, FLT_EPSILON));
    for (const bank of this.banks) {
      let e = 0;
      const wts = bank.weights;
      for (let k = 0; k < wts.length; k++) e += wts[k] * this.power[bank.start + k];
      out[o++] = Math.log(Math.max(e, FLT_EPSILON));
    }
  }
}

function makeWindow(kind: NonNullable<FbankOptions['window']>, n: number): Float64Array {
  const w = new Float64Array(n);
  const a = (2 * Math.PI) / (n - 1);
  for (let i = 0; i < n; i++) {
    switch (kind) {
      case 'povey': w[i] = Math.pow(0.5 - 0.5 * Math.cos(a * i), 0.85); break;
      case 'hann': w[i] = 0.5 - 0.5 * Math.cos(a * i); break;
      case 'hamming': w[i] = 0.54 - 0.46 * Math.cos(a * i); break;
      case 'rectangular': w[i] = 1; break;
      default: throw new RangeError(`kaldiFbank: unknown window ${String(kind)}`);
    }
  }
  return w;
}

/** One-shot Kaldi fbank of a whole signal. */
export function kaldiFbank(samples: Float32Array, opts: FbankOptions = {}): FbankResult {
  const c = new FbankComputer(opts);
  const total = samples.length;
  const frames = total === 0 ? 0 : c.numFrames(total, true);
  const data = new Float32Array(frames * c.dim);
  const get = (g: number): number => samples[g];
  for (let i = 0; i < frames; i++) c.computeFrame(i, total, get, data, i * c.dim);
  return { frames, bins: c.dim, data };
}

/**
 * Streaming fbank: feed chunks of any size; each call returns the frames that became ready.
 * With snipEdges=false the last frames need the end of the input (reflection), so they come
 * out of finish(). Keeps only the samples still needed.
 */
export class OnlineFbank {
  private readonly c: FbankComputer;
  private buf = new Float32Array(4096);
  private bufLen = 0;
  /** Global index of buf[0]. */
  private bufStart = 0;
  private received = 0;
  private emitted = 0;
  private finished = false;

  constructor(opts: FbankOptions = {}) {
    this.c = new FbankComputer(opts);
  }

  get dim(): number {
    return this.c.dim;
  }

  /** Frames emitted so far. */
  get framesEmitted(): number {
    return this.emitted;
  }

  accept(chunk: Float32Array): FbankResult {
    if (this.finished) throw new Error('OnlineFbank: accept() after finish()');
    this.append(chunk);
    return this.emit(this.c.numFrames(this.received, false));
  }

  finish(): FbankResult {
    if (this.finished) return { frames: 0, bins: this.c.dim, data: new Float32Array(0) };
    this.finished = true;
    return this.emit(this.received === 0 ? 0 : this.c.numFrames(this.received, true));
  }

  private append(chunk: Float32Array): void {
    if (this.bufLen + chunk.length > this.buf.length) {
      const next = new Float32Array(Math.max(this.buf.length * 2, this.bufLen + chunk.length));
      next.set(this.buf.subarray(0, this.bufLen));
      this.buf = next;
    }
    this.buf.set(chunk, this.bufLen);
    this.bufLen += chunk.length;
    this.received += chunk.length;
  }

  private emit(upTo: number): FbankResult {
    const n = Math.max(0, upTo - this.emitted);
    const data = new Float32Array(n * this.c.dim);
    const buf = this.buf;
    const base = this.bufStart;
    const get = (g: number): number => buf[g - base];
    for (let k = 0; k < n; k++) this.c.computeFrame(this.emitted + k, this.received, get, data, k * this.c.dim);
    this.emitted += n;
    // Drop samples no later frame can read (reflection never reaches before a frame's own start).
    const keepFrom = Math.min(this.received, Math.max(0, this.c.firstSample(this.emitted)));
    const drop = keepFrom - this.bufStart;
    if (drop > 0) {
      this.buf.copyWithin(0, drop, this.bufLen);
      this.bufLen -= drop;
      this.bufStart = keepFrom;
    }
    return { frames: n, bins: this.c.dim, data };
  }
}
