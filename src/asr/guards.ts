/**
 * Guards that keep silence, noise and decoder loops out of storage, applied to every
 * engine (GuardedRecognizer wraps any OfflineRecognizer):
 *  - audio gates before decoding: RMS level (silence) and spectral flatness (broadband noise);
 *  - text gates after decoding: zlib compression ratio (repetition loops, as Whisper's
 *    `compression_ratio_threshold`), words per second of audio, back-to-back repeated n-grams.
 * A rejected segment yields null ("no speech") and an `asr.guard_rejected` log record.
 */
import { deflateSync } from 'node:zlib';
import type { DeepReadonly } from '../config/schema.js';
import type { AsrConfig } from '../config/sections/asr.js';
import type { Logger } from '../util/logger.js';
import { RealFft } from '../frontend/real-fft.js';
import type { OfflineRecognizer, RecognitionResult } from './recognizer.js';

export type GuardOptions = DeepReadonly<AsrConfig['guards']>;
export type GuardReason = 'silence' | 'noise' | 'compression_ratio' | 'tokens_per_second' | 'repetition';
export type GuardVerdict = { ok: true } | { ok: false; reason: GuardReason; value: number; threshold: number };

const SAMPLE_RATE_HZ = 16000;
const FRAME = 512;
const OK: GuardVerdict = { ok: true };
/** Rates are computed over at least this much audio, so a 0.3 s "yes please" passes. */
const MIN_RATE_WINDOW_S = 1;

/** RMS level in dBFS (−Infinity for digital silence). */
export function rmsDbfs(samples: Float32Array): number {
  if (samples.length === 0) return -Infinity;
  let s = 0;
  for (let i = 0; i < samples.length; i++) s += samples[i]! * samples[i]!;
  return 10 * Math.log10(s / samples.length);
}

let fft512: RealFft | undefined;
let hann512: Float64Array | undefined;

/**
 * Median spectral flatness (geometric / arithmetic mean of the power spectrum, 100 Hz-7 kHz)
 * over the louder half of non-overlapping 32 ms Hann frames. ~0.56 for white noise, ~0.3 for
 * pink noise, below 0.1 for speech even with moderate background noise.
 */
export function spectralFlatness(samples: Float32Array): number {
  fft512 ??= new RealFft(FRAME);
  hann512 ??= Float64Array.from({ length: FRAME }, (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / FRAME));
  const lo = Math.round(100 / (SAMPLE_RATE_HZ / FRAME));
  const hi = Math.round(7000 / (SAMPLE_RATE_HZ / FRAME));
  const frame = new Float64Array(FRAME);
  const power = new Float64Array(FRAME / 2 + 1);
  const frames: Array<{ energy: number; flatness: number }> = [];
  for (let off = 0; off + FRAME <= samples.length; off += FRAME) {
    for (let i = 0; i < FRAME; i++) frame[i] = samples[off + i]! * hann512[i]!;
    fft512.powerSpectrum(frame, power);
    let sum = 0;
    let logSum = 0;
    for (let k = lo; k <= hi; k++) {
      const p = power[k]! + 1e-12;
      sum += p;
      logSum += Math.log(p);
    }
    const bins = hi - lo + 1;
    frames.push({ energy: sum, flatness: Math.exp(logSum / bins) / (sum / bins) });
  }
  if (frames.length === 0) return 0;
  const byEnergy = [...frames].sort((a, b) => b.energy - a.energy).slice(0, Math.ceil(frames.length / 2));
  const flat = byEnergy.map((f) => f.flatness).sort((a, b) => a - b);
  return flat[Math.floor(flat.length / 2)]!;
}

/** Audio gate: silence (RMS) and broadband noise (spectral flatness). */
export function audioGate(samples: Float32Array, opts: GuardOptions): GuardVerdict {
  if (!opts.enabled) return OK;
  const level = rmsDbfs(samples);
  if (!(level >= opts.min_rms_dbfs)) return { ok: false, reason: 'silence', value: level, threshold: opts.min_rms_dbfs };
  const flat = spectralFlatness(samples);
  if (flat > opts.max_spectral_flatness) return { ok: false, reason: 'noise', value: flat, threshold: opts.max_spectral_flatness };
  return OK;
}

/**
 * len(utf8) / len(zlib(utf8)), as Whisper computes it. Node's zlib (Chromium's fork) gives
 * the same lengths as CPython's on sentences and loops; on strings under ~30 bytes it may
 * find fewer matches (ratio slightly lower), which only makes the guard more lenient there.
 */
export function compressionRatio(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length === 0) return 0;
  return bytes.length / deflateSync(bytes).length;
}

/** Longest back-to-back repetition count of any word n-gram (n = 1..4). */
export function maxRepeatedNgram(words: readonly string[]): number {
  let best = words.length > 0 ? 1 : 0;
  for (let n = 1; n <= 4; n++) {
    for (let start = 0; start + 2 * n <= words.length; start++) {
      let reps = 1;
      for (let pos = start + n; pos + n <= words.length; pos += n) {
        let same = true;
        for (let i = 0; i < n; i++) if (words[start + i] !== words[pos + i]) { same = false; break; }
        if (!same) break;
        reps++;
      }
      if (reps > best) best = reps;
    }
  }
  return best;
}

/**
 * Text gate. `tokenCount` defaults to the number of words; engines with sub-word tokens
 * may pass their token count with their own per-engine limit.
 */
export function textGate(text: string, durationMs: number, opts: GuardOptions, tokenCount?: number, maxTokensPerSecond?: number): GuardVerdict {
  if (!opts.enabled) return OK;
  const words = text.toLowerCase().split(/\s+/).filter(Boolean);
  const cr = compressionRatio(text);
  if (cr > opts.compression_ratio_threshold) return { ok: false, reason: 'compression_ratio', value: cr, threshold: opts.compression_ratio_threshold };
  const rateLimit = maxTokensPerSecond ?? opts.max_tokens_per_second;
  const rate = (tokenCount ?? words.length) / Math.max(MIN_RATE_WINDOW_S, durationMs / 1000);
  if (rate > rateLimit) return { ok: false, reason: 'tokens_per_second', value: rate, threshold: rateLimit };
  const reps = maxRepeatedNgram(words);
  if (reps > opts.max_repeated_ngram) return { ok: false, reason: 'repetition', value: reps, threshold: opts.max_repeated_ngram };
  return OK;
}

/** Wraps any OfflineRecognizer with the audio and text gates. */
export class GuardedRecognizer implements OfflineRecognizer {
  constructor(private readonly inner: OfflineRecognizer, private readonly opts: GuardOptions, private readonly logger: Logger) {}

  get engine(): string {
    return this.inner.engine;
  }

  get model(): string {
    return this.inner.model;
  }

  async recognize(samples: Float32Array, signal?: AbortSignal): Promise<RecognitionResult | null> {
    const durationMs = (samples.length / SAMPLE_RATE_HZ) * 1000;
    const pre = audioGate(samples, this.opts);
    if (!pre.ok) {
      this.reject(pre, durationMs);
      return null;
    }
    const r = await this.inner.recognize(samples, signal);
    if (!r || r.text.trim() === '') return null;
    const post = textGate(r.text, durationMs, this.opts);
    if (!post.ok) {
      this.reject(post, durationMs, r.text);
      return null;
    }
    return r;
  }

  close(): Promise<void> {
    return this.inner.close();
  }

  private reject(v: Exclude<GuardVerdict, { ok: true }>, durationMs: number, text?: string): void {
    const fields = { engine: this.inner.engine, reason: v.reason, value: round3(v.value), threshold: v.threshold, durationMs: Math.round(durationMs) };
    this.logger.info(fields, 'asr.guard_rejected');
    if (text !== undefined) this.logger.debug({ ...fields, text }, 'asr.guard_rejected_text');
  }
}

function round3(v: number): number {
  return Number.isFinite(v) ? Math.round(v * 1000) / 1000 : v;
}
