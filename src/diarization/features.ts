import { RealFft } from '../frontend/real-fft.js';

export interface CepstralOptions {
  sampleRateHz?: number;
  frameMs?: number;
  hopMs?: number;
  fftSize?: number;
  melBins?: number;
  lowHz?: number;
  highHz?: number;
  /** Cepstral coefficients kept (c1..cN; c0, the energy, is dropped). */
  ceps?: number;
}

export interface CepstralFrames {
  frames: number;
  /** Coefficients per frame. */
  dims: number;
  /** Row-major frames x dims MFCCs (c1..cN). */
  mfcc: Float32Array;
  /** Log energy per frame (natural log of the mean square, floored). */
  logEnergy: Float32Array;
  hopSamples: number;
  /** log2(F0 in Hz) per frame, NaN when unvoiced (filled by the built-in embedder). */
  log2F0?: Float32Array;
}

export const CEPSTRAL_DEFAULTS: Required<CepstralOptions> = {
  sampleRateHz: 16000, frameMs: 25, hopMs: 10, fftSize: 512, melBins: 32, lowHz: 100, highHz: 4000, ceps: 20,
};

const melOf = (hz: number): number => 1127 * Math.log(1 + hz / 700);

interface Bank { start: Int32Array; weights: Float64Array[]; dct: Float64Array; window: Float64Array }
const banks = new Map<string, Bank>();

function bank(o: Required<CepstralOptions>): Bank {
  const key = JSON.stringify(o);
  let b = banks.get(key);
  if (b) return b;
  const bins = o.fftSize / 2 + 1;
  const lo = melOf(o.lowHz);
  const hi = melOf(o.highHz);
  const start = new Int32Array(o.melBins);
  const weights: Float64Array[] = [];
  for (let m = 0; m < o.melBins; m++) {
    const l = lo + ((hi - lo) * m) / (o.melBins + 1);
    const c = lo + ((hi - lo) * (m + 1)) / (o.melBins + 1);
    const r = lo + ((hi - lo) * (m + 2)) / (o.melBins + 1);
    const w: number[] = [];
    let first = -1;
    for (let k = 0; k < bins; k++) {
      const mel = melOf((k * o.sampleRateHz) / o.fftSize);
      const v = mel > l && mel < r ? (mel <= c ? (mel - l) / (c - l) : (r - mel) / (r - c)) : 0;
      if (v > 0) {
        if (first < 0) first = k;
        w.length = k - first;
        w.push(v);
      }
    }
    start[m] = Math.max(0, first);
    weights.push(Float64Array.from(w, (x) => x ?? 0));
  }
  const dct = new Float64Array(o.ceps * o.melBins);
  for (let c = 0; c < o.ceps; c++) {
    for (let m = 0; m < o.melBins; m++) dct[c * o.melBins + m] = Math.sqrt(2 / o.melBins) * Math.cos((Math.PI * (c + 1) * (m + 0.5)) / o.melBins);
  }
  const frameLen = Math.round((o.sampleRateHz * o.frameMs) / 1000);
  const window = new Float64Array(frameLen);
  for (let i = 0; i < frameLen; i++) window[i] = 0.54 - 0.46 * Math.cos((2 * Math.PI * i) / (frameLen - 1));
  b = { start, weights, dct, window };
  banks.set(key, b);
  return b;
}

/**
 * MFCC front end of the built-in speaker embedding: pre-emphasis, Hamming window,
 * mel filter bank (telephone band by default, so the same voice over different
 * microphones stays comparable), log, DCT. Frames that do not fit are dropped.
 */
export function cepstra(samples: Float32Array, opts: CepstralOptions = {}): CepstralFrames {
  const o = { ...CEPSTRAL_DEFAULTS, ...opts };
  const b = bank(o);
  const frameLen = b.window.length;
  const hop = Math.round((o.sampleRateHz * o.hopMs) / 1000);
  const frames = samples.length < frameLen ? 0 : 1 + Math.floor((samples.length - frameLen) / hop);
  const mfcc = new Float32Array(frames * o.ceps);
  const logEnergy = new Float32Array(frames);
  const fft = new RealFft(o.fftSize);
  const frame = new Float64Array(frameLen);
  const power = new Float64Array(o.fftSize / 2 + 1);
  const mel = new Float64Array(o.melBins);
  for (let f = 0; f < frames; f++) {
    const off = f * hop;
    let mean = 0;
    for (let i = 0; i < frameLen; i++) mean += samples[off + i];
    mean /= frameLen;
    let energy = 0;
    let prev = off > 0 ? samples[off - 1] - mean : 0;
    for (let i = 0; i < frameLen; i++) {
      const x = samples[off + i] - mean;
      energy += x * x;
      frame[i] = (x - 0.97 * prev) * b.window[i];
      prev = x;
    }
    logEnergy[f] = Math.log(Math.max(energy / frameLen, 1e-10));
    fft.powerSpectrum(frame, power);
    for (let m = 0; m < o.melBins; m++) {
      const w = b.weights[m];
      const s = b.start[m];
      let acc = 0;
      for (let k = 0; k < w.length; k++) acc += w[k] * power[s + k];
      mel[m] = Math.log(Math.max(acc, 1e-10));
    }
    for (let c = 0; c < o.ceps; c++) {
      let acc = 0;
      const row = c * o.melBins;
      for (let m = 0; m < o.melBins; m++) acc += b.dct[row + m] * mel[m];
      mfcc[f * o.ceps + c] = acc;
    }
  }
  return { frames, dims: o.ceps, mfcc, logEnergy, hopSamples: hop };
}
